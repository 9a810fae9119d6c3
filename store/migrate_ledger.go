package store

import (
	"time"

	"gorm.io/gorm"
)

// The ledger's tables as migration 15 created them (frozen: later changes
// are new steps).

// ledgerLeafV15 is a record's leaf: written in the record's transaction
// with seq NULL, given its index (seq) when the sequencer integrates it.
type ledgerLeafV15 struct {
	ID        int64  `gorm:"primaryKey"`
	Kind      string `gorm:"size:16;not null;uniqueIndex:idx_ledger_leaf_key,priority:1"`
	KeyNum    int64  `gorm:"not null;uniqueIndex:idx_ledger_leaf_key,priority:2"`
	KeyText   string `gorm:"size:128;not null;default:'';uniqueIndex:idx_ledger_leaf_key,priority:3"`
	LeafHash  []byte `gorm:"size:32;not null"`
	Seq       *int64 `gorm:"uniqueIndex:idx_ledger_leaf_seq"`
	CreatedAt time.Time
}

func (ledgerLeafV15) TableName() string { return "ledger_leaves" }

// ledgerNodeV15 is the hash of a complete subtree above the leaves.
type ledgerNodeV15 struct {
	Level int    `gorm:"primaryKey;autoIncrement:false"`
	Idx   int64  `gorm:"primaryKey;autoIncrement:false"`
	Hash  []byte `gorm:"size:32;not null"`
}

func (ledgerNodeV15) TableName() string { return "ledger_nodes" }

// ledgerStateV15 is the one row (id 1) of the integrated tree and the
// sequencer's lease; sequencing steps lock it, so they never overlap.
type ledgerStateV15 struct {
	ID         int       `gorm:"primaryKey;autoIncrement:false"`
	TreeSize   int64     `gorm:"not null"`
	RootHash   []byte    `gorm:"size:32;not null"`
	Holder     string    `gorm:"size:128;not null"`
	LeaseUntil time.Time `gorm:"not null"`
}

func (ledgerStateV15) TableName() string { return "ledger_state" }

// ledgerCheckpointV15 is a signed checkpoint, one per tree size.
type ledgerCheckpointV15 struct {
	TreeSize  int64  `gorm:"primaryKey;autoIncrement:false"`
	RootHash  []byte `gorm:"size:32;not null"`
	Note      string `gorm:"type:text;not null"`
	CreatedAt time.Time
}

func (ledgerCheckpointV15) TableName() string { return "ledger_checkpoints" }

// ledgerBackfillV15 bounds, per kind, the records stored before the
// ledger existed (id ≤ upto_id), which the sequencer ledgers once; a later
// record without a leaf was not written by the server.
type ledgerBackfillV15 struct {
	Kind   string `gorm:"primaryKey;size:16"`
	UptoID int64  `gorm:"not null"`
}

func (ledgerBackfillV15) TableName() string { return "ledger_backfill" }

// migrateLedger is step 15.
func migrateLedger(tx *gorm.DB) error {
	if err := tx.Migrator().AutoMigrate(&ledgerLeafV15{}, &ledgerNodeV15{}, &ledgerStateV15{}, &ledgerCheckpointV15{}, &ledgerBackfillV15{}); err != nil {
		return err
	}
	if err := tx.Create(&ledgerStateV15{ID: 1, RootHash: []byte{}, LeaseUntil: time.Unix(0, 0).UTC()}).Error; err != nil {
		return err
	}
	for _, q := range []string{
		"INSERT INTO ledger_backfill (kind, upto_id) SELECT 'checkin', COALESCE(MAX(id), 0) FROM check_ins",
		"INSERT INTO ledger_backfill (kind, upto_id) SELECT 'review', COALESCE(MAX(id), 0) FROM reviews",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}
