package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/models"
)

// PendingLeaf is a leaf written with its record and not yet in the tree.
type PendingLeaf struct {
	ID   int64
	Hash []byte
}

// SequenceTx is one sequencing step: it holds the tree state's row lock,
// so steps of several servers never overlap, and either integrates its
// leaves whole or not at all. The caller appends Pending, in order, to
// the tree of Head (reading its border with Nodes when it does not hold
// it), and commits the new head, the nodes formed and a signed checkpoint.
type SequenceTx struct {
	tx         *gorm.DB
	Head       TreeHead
	Checkpoint []byte        // the latest signed checkpoint; nil before the first
	Pending    []PendingLeaf // in the order they are to be integrated
	done       bool
}

// Sequenced is what a step stores.
type Sequenced struct {
	Nodes      []Node   // complete subtrees above the leaves that the new leaves formed
	Head       TreeHead // the tree with Pending integrated
	Checkpoint []byte   // the signed checkpoint of Head; nil: none (the one stored stands)
}

// BeginSequencing starts a step for holder: it takes or renews the
// sequencer lease (for lease from now) and reads up to max leaves not yet
// integrated, oldest first. It returns nil, nil when another holder's
// lease runs: that server sequences. Errors are UNAVAILABLE or INTERNAL.
// Inside a step, read only through it: on SQLite it holds the one
// connection.
func (s *Store) BeginSequencing(ctx context.Context, holder string, lease time.Duration, max int) (*SequenceTx, error) {
	now := s.now().UTC()
	db := s.db.WithContext(ctx)
	var cur string
	var until time.Time
	if err := db.Raw("SELECT holder, lease_until FROM ledger_state WHERE id = 1").Row().Scan(&cur, &until); err != nil {
		return nil, mapErr(err)
	}
	if cur != holder && until.After(now) {
		return nil, nil // checked again under the lock below; this read only spares the lock
	}
	opts := &sql.TxOptions{}
	lock := ""
	if s.driver == DriverMySQL {
		opts.Isolation, lock = sql.LevelReadCommitted, " FOR UPDATE"
	}
	tx := db.Begin(opts)
	if tx.Error != nil {
		return nil, mapErr(tx.Error)
	}
	t := &SequenceTx{tx: tx}
	if err := tx.Raw("SELECT holder, lease_until FROM ledger_state WHERE id = 1"+lock).Row().Scan(&cur, &until); err != nil {
		t.Rollback()
		return nil, mapErr(err)
	}
	if cur != holder && until.After(now) {
		t.Rollback()
		return nil, nil
	}
	if err := tx.Exec("UPDATE ledger_state SET holder = ?, lease_until = ? WHERE id = 1", holder, now.Add(lease)).Error; err != nil {
		t.Rollback()
		return nil, mapErr(err)
	}
	var err error
	if t.Head, err = head(tx, ""); err != nil {
		t.Rollback()
		return nil, err
	}
	var note sql.NullString
	if err := tx.Raw("SELECT MAX(note) FROM ledger_checkpoints WHERE tree_size = (SELECT MAX(tree_size) FROM ledger_checkpoints)").Row().Scan(&note); err != nil {
		t.Rollback()
		return nil, mapErr(err)
	}
	if note.Valid {
		t.Checkpoint = []byte(note.String)
	}
	if t.Pending, err = pending(tx, max); err != nil {
		t.Rollback()
		return nil, err
	}
	return t, nil
}

// pending reads up to max unsequenced leaves, oldest first.
func pending(tx *gorm.DB, max int) ([]PendingLeaf, error) {
	rows, err := tx.Raw("SELECT id, leaf_hash FROM ledger_leaves WHERE seq IS NULL ORDER BY id LIMIT ?", max).Rows()
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []PendingLeaf
	for rows.Next() {
		var l PendingLeaf
		if err := rows.Scan(&l.ID, &l.Hash); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, l)
	}
	return out, mapErr(rows.Err())
}

// Nodes reads stored subtree hashes inside the step (see Store.Nodes).
func (t *SequenceTx) Nodes(refs []NodeRef) ([][]byte, error) { return nodes(t.tx, refs) }

// seqChunk bounds the leaves of one UPDATE and the nodes of one INSERT.
const seqChunk = 500

// Commit stores the step: Pending gets indexes Head.Size, Head.Size+1, …
// in order, then the nodes, the new head and the checkpoint, and commits.
// It fails with INTERNAL when a leaf was sequenced meanwhile (which the
// lock rules out), UNAVAILABLE when the database fails; then nothing of
// the step is stored.
func (t *SequenceTx) Commit(w Sequenced) error {
	defer t.Rollback()
	if want := t.Head.Size + uint64(len(t.Pending)); w.Head.Size != want {
		return models.E(models.CodeInternal, "sequencing step: new size %d, want %d", w.Head.Size, want)
	}
	next := int64(t.Head.Size)
	for start := 0; start < len(t.Pending); start += seqChunk {
		part := t.Pending[start:min(start+seqChunk, len(t.Pending))]
		var q strings.Builder
		args := make([]any, 0, 3*len(part))
		ids := make([]any, 0, len(part))
		q.WriteString("UPDATE ledger_leaves SET seq = CASE id")
		for _, l := range part {
			q.WriteString(" WHEN ? THEN ?")
			args = append(args, l.ID, next)
			ids = append(ids, l.ID)
			next++
		}
		q.WriteString(" END WHERE seq IS NULL AND id IN " + marks(len(ids)))
		res := t.tx.Exec(q.String(), append(args, ids...)...)
		if res.Error != nil {
			return mapErr(res.Error)
		}
		if res.RowsAffected != int64(len(part)) {
			return models.E(models.CodeInternal, "sequencing step: %d of %d leaves were still unsequenced", res.RowsAffected, len(part))
		}
	}
	for start := 0; start < len(w.Nodes); start += seqChunk {
		part := w.Nodes[start:min(start+seqChunk, len(w.Nodes))]
		rows := make([]ledgerNodeV15, len(part))
		for i, n := range part {
			rows[i] = ledgerNodeV15{Level: int(n.Level), Idx: int64(n.Index), Hash: n.Hash}
		}
		if err := t.tx.Create(&rows).Error; err != nil {
			return mapErr(err)
		}
	}
	if err := t.tx.Exec("UPDATE ledger_state SET tree_size = ?, root_hash = ? WHERE id = 1", int64(w.Head.Size), w.Head.Root).Error; err != nil {
		return mapErr(err)
	}
	if w.Checkpoint != nil {
		cp := ledgerCheckpointV15{TreeSize: int64(w.Head.Size), RootHash: w.Head.Root, Note: string(w.Checkpoint), CreatedAt: t.tx.Config.NowFunc()}
		err := t.tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tree_size"}},
			DoUpdates: clause.AssignmentColumns([]string{"note", "created_at"})}).Create(&cp).Error
		if err != nil {
			return mapErr(err)
		}
	}
	if err := t.tx.Commit().Error; err != nil {
		return mapErr(err)
	}
	t.done = true
	return nil
}

// Rollback ends the step without storing anything, unless it has ended.
func (t *SequenceTx) Rollback() {
	if !t.done {
		t.done = true
		t.tx.Rollback()
	}
}

// ReleaseSequencer ends holder's lease, so another server takes over at
// its next step rather than when the lease runs out.
func (s *Store) ReleaseSequencer(ctx context.Context, holder string) error {
	err := s.db.WithContext(ctx).Exec("UPDATE ledger_state SET lease_until = ? WHERE id = 1 AND holder = ?", time.Unix(0, 0).UTC(), holder).Error
	if err != nil {
		return fmt.Errorf("releasing the sequencer lease: %w", mapErr(err))
	}
	return nil
}
