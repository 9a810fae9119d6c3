package store

import (
	"time"

	"gorm.io/gorm"
)

// The steps of the discipline group's toolkit (50–53), frozen like the
// baseline: never edit.

// v50ContactReveal is contact_reveals with its natural key's ref.
type v50ContactReveal struct {
	ID            int64  `gorm:"primaryKey"`
	IntervieweeID int64  `gorm:"not null;index"`
	ActorID       int64  `gorm:"not null;index"`
	Reason        string `gorm:"size:1000;not null"`
	Ref           string `gorm:"size:64;not null;default:''"`
	CreatedAt     time.Time
}

func (v50ContactReveal) TableName() string { return "contact_reveals" }

// migrateLedgerYouthWork is step 50: reveals get a ref (the ones stored
// before have legacy-<id>), unique per actor, and the activities, their
// rulings and the reveals stored before it are bounded for the ledger's
// backfill.
func migrateLedgerYouthWork(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&v50ContactReveal{}, "Ref"); err != nil {
		return err
	}
	legacy := "UPDATE contact_reveals SET ref = 'legacy-' || CAST(id AS TEXT)"
	if tx.Dialector.Name() == "mysql" {
		legacy = "UPDATE contact_reveals SET ref = CONCAT('legacy-', id)"
	}
	for _, q := range []string{
		legacy,
		"CREATE UNIQUE INDEX idx_contact_reveal_ref ON contact_reveals (actor_id, ref)",
		"INSERT INTO ledger_backfill (kind, upto_id) SELECT 'activity', COALESCE(MAX(id), 0) FROM activities",
		"INSERT INTO ledger_backfill (kind, upto_id) SELECT 'activity_review', COALESCE(MAX(id), 0) FROM activity_reviews",
		"INSERT INTO ledger_backfill (kind, upto_id) SELECT 'contact_reveal', COALESCE(MAX(id), 0) FROM contact_reveals",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

type v51SpotCheck struct {
	ID             int64  `gorm:"primaryKey"`
	InspectorID    int64  `gorm:"not null;uniqueIndex:idx_spot_check_client"`
	ClientID       string `gorm:"size:64;not null;uniqueIndex:idx_spot_check_client"`
	OrgUnitID      *int64
	FromDate       string `gorm:"size:10;not null"`
	ToDate         string `gorm:"size:10;not null"`
	Plan           string `gorm:"size:2000;not null"`
	Seed           string `gorm:"size:64;not null"`
	Candidates     int    `gorm:"not null"`
	CandidatesHash string `gorm:"size:64;not null"`
	Notes          string `gorm:"size:1000;not null"`
	CreatedAt      time.Time
}

func (v51SpotCheck) TableName() string { return "spot_checks" }

type v51SpotCheckCandidate struct {
	ID          int64  `gorm:"primaryKey"`
	SpotCheckID int64  `gorm:"not null;index:idx_spot_candidate,priority:1"`
	UserID      int64  `gorm:"not null"`
	Date        string `gorm:"size:10;not null"`
	Stratum     string `gorm:"size:200;not null"`
	Sampled     bool   `gorm:"not null;index:idx_spot_candidate,priority:2"`
}

func (v51SpotCheckCandidate) TableName() string { return "spot_check_candidates" }

type v51Finding struct {
	ID            int64  `gorm:"primaryKey"`
	InspectorID   int64  `gorm:"not null;uniqueIndex:idx_finding_client"`
	ClientID      string `gorm:"size:64;not null;uniqueIndex:idx_finding_client"`
	SubjectID     int64  `gorm:"not null;index"`
	ItemID        *int64 `gorm:"index"`
	Outcome       string `gorm:"size:16;not null"`
	Notes         string `gorm:"type:text;not null"`
	Refs          string `gorm:"type:text;not null"`
	IntervieweeID *int64
	CallOutcome   string `gorm:"size:16;not null;default:''"`
	CreatedAt     time.Time
}

func (v51Finding) TableName() string { return "findings" }

type v51Escalation struct {
	ID          int64  `gorm:"primaryKey"`
	FindingID   int64  `gorm:"not null;uniqueIndex"`
	InspectorID int64  `gorm:"not null"`
	TargetKind  string `gorm:"size:16;not null"`
	TargetID    int64  `gorm:"not null"`
	Reason      string `gorm:"size:1000;not null"`
	CreatedAt   time.Time
}

func (v51Escalation) TableName() string { return "escalations" }

type v52AccessBatch struct {
	ID        int64  `gorm:"primaryKey"`
	Ref       string `gorm:"size:36;not null;uniqueIndex"`
	Entries   int    `gorm:"not null"`
	CreatedAt time.Time
}

func (v52AccessBatch) TableName() string { return "access_batches" }

type v52AccessEntry struct {
	ID         int64     `gorm:"primaryKey"`
	BatchID    int64     `gorm:"not null;index"`
	At         time.Time `gorm:"not null"`
	ReaderID   int64     `gorm:"not null;index:idx_access_reader,priority:1"`
	ReaderName string    `gorm:"size:128;not null"`
	ReaderRole string    `gorm:"size:32;not null"`
	CadreID    int64     `gorm:"not null;index:idx_access_cadre,priority:1"`
	What       string    `gorm:"size:16;not null"`
	Query      string    `gorm:"size:200;not null"`
	RequestID  string    `gorm:"size:32;not null"`
	ClientAddr string    `gorm:"size:64;not null"`
}

func (v52AccessEntry) TableName() string { return "access_log" }

type v53PhotoHash struct {
	SHA256   string `gorm:"column:sha256;primaryKey;size:64"`
	PHash    *int64 `gorm:"column:phash"`
	HashedAt time.Time
}

func (v53PhotoHash) TableName() string { return "photo_phashes" }

// inspectionSteps are steps 50–53.
func inspectionSteps() []migration {
	return []migration{
		{50, "ledger: activities with their photos, their rulings, contact reveals (with a ref)", migrateLedgerYouthWork},
		{51, "inspection: spot checks and their candidates, findings, escalations", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(&v51SpotCheck{}, &v51SpotCheckCandidate{}, &v51Finding{}, &v51Escalation{})
		}},
		{52, "access log: batches and entries", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(&v52AccessBatch{}, &v52AccessEntry{})
		}},
		{53, "perceptual hashes of photos", func(tx *gorm.DB) error { return tx.Migrator().AutoMigrate(&v53PhotoHash{}) }},
	}
}
