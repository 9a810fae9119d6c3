package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// The ledger's storage. A record's leaf hash is written in the record's
// transaction (Writes.Leaves) with no index; the sequencer (SequenceTx)
// gives leaves consecutive indexes, stores the hash of every complete
// subtree it forms and a signed checkpoint. Proofs then read O(log n)
// stored nodes (Nodes), never the leaves they summarise.

// TreeHead is the integrated tree: its size and root hash (empty for the
// empty tree).
type TreeHead struct {
	Size uint64
	Root []byte
}

// NodeRef names a complete subtree: level 0 is a leaf (its index is the
// leaf's), level l covers leaves [index·2^l, (index+1)·2^l).
type NodeRef struct {
	Level uint
	Index uint64
}

// Node is a complete subtree's hash.
type Node struct {
	NodeRef
	Hash []byte
}

// LeafRow is a stored leaf.
type LeafRow struct {
	ID   int64
	Key  models.LeafKey
	Hash []byte
	Seq  *int64 // the leaf index; nil until sequenced
}

// insertLeaves is the INSERT of leaves, all unsequenced.
func insertLeaves(leaves []models.Leaf, now time.Time) stmt {
	var q strings.Builder
	q.WriteString("INSERT INTO ledger_leaves (kind, key_num, key_text, leaf_hash, created_at) VALUES ")
	args := make([]any, 0, 5*len(leaves))
	for i, l := range leaves {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, string(l.Key.Kind), l.Key.Num, l.Key.Text, l.Hash, now)
	}
	return stmt{sql: q.String(), args: args}
}

// writeLeaves inserts the leaves of records written in tx, unsequenced.
func writeLeaves(tx *gorm.DB, leaves []models.Leaf) error {
	if len(leaves) == 0 {
		return nil
	}
	st := insertLeaves(leaves, tx.Config.NowFunc())
	return tx.Exec(st.sql, st.args...).Error
}

// LedgerHead returns the integrated tree's size and root. Reading the tree
// is public (the checkpoint is): it needs no principal.
func (s *Store) LedgerHead(ctx context.Context) (TreeHead, error) {
	return head(s.db.WithContext(ctx), "")
}

// head reads the tree state, with lock appended to the query.
func head(db *gorm.DB, lock string) (TreeHead, error) {
	var size int64
	var root []byte
	row := db.Raw("SELECT tree_size, root_hash FROM ledger_state WHERE id = 1" + lock).Row()
	if err := row.Scan(&size, &root); err != nil {
		return TreeHead{}, mapErr(err)
	}
	return TreeHead{Size: uint64(size), Root: root}, nil
}

// LatestCheckpoint returns the signed note of the largest tree signed;
// NOT_FOUND before the first.
func (s *Store) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var note string
	err := s.db.WithContext(ctx).Raw("SELECT note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1").Row().Scan(&note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.E(models.CodeNotFound, "no checkpoint has been signed yet")
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return []byte(note), nil
}

// Nodes returns the hashes of refs, in order: leaves from the sequenced
// leaves, larger subtrees from the stored nodes. Every ref must lie within
// the integrated tree; one that is not stored is INTERNAL (a gap the
// sequencer never leaves).
func (s *Store) Nodes(ctx context.Context, refs []NodeRef) ([][]byte, error) {
	return nodes(s.db.WithContext(ctx), refs)
}

func nodes(db *gorm.DB, refs []NodeRef) ([][]byte, error) {
	found := make(map[NodeRef][]byte, len(refs))
	var leaves, inner []any
	for _, r := range refs {
		if r.Level == 0 {
			leaves = append(leaves, int64(r.Index))
		} else {
			inner = append(inner, int(r.Level), int64(r.Index))
		}
	}
	read := func(q string, args []any) error {
		rows, err := db.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var level int
			var idx int64
			var hash []byte
			if err := rows.Scan(&level, &idx, &hash); err != nil {
				return err
			}
			found[NodeRef{Level: uint(level), Index: uint64(idx)}] = hash
		}
		return rows.Err()
	}
	if len(leaves) > 0 {
		if err := read("SELECT 0, seq, leaf_hash FROM ledger_leaves WHERE seq IN "+marks(len(leaves)), leaves); err != nil {
			return nil, mapErr(err)
		}
	}
	if len(inner) > 0 {
		if err := read("SELECT level, idx, hash FROM ledger_nodes WHERE (level, idx) IN "+tuples(len(inner)/2, 2), inner); err != nil {
			return nil, mapErr(err)
		}
	}
	out := make([][]byte, len(refs))
	for i, r := range refs {
		h, ok := found[r]
		if !ok {
			return nil, models.E(models.CodeInternal, "ledger node (level %d, index %d) is not stored", r.Level, r.Index)
		}
		out[i] = h
	}
	return out, nil
}

// Leaf returns the stored leaf of a record; NOT_FOUND when it has none.
// It is read by natural key, which the caller has from a record it was
// allowed to read.
func (s *Store) Leaf(ctx context.Context, key models.LeafKey) (*LeafRow, error) {
	var l LeafRow
	var seq sql.NullInt64
	err := s.db.WithContext(ctx).Raw("SELECT id, leaf_hash, seq FROM ledger_leaves WHERE kind = ? AND key_num = ? AND key_text = ?",
		string(key.Kind), key.Num, key.Text).Row().Scan(&l.ID, &l.Hash, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.E(models.CodeNotFound, "%s has no ledger leaf", key)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	l.Key = key
	if seq.Valid {
		l.Seq = &seq.Int64
	}
	return &l, nil
}

// AddLeaves stores leaves of records written before the ledger existed
// (the backfill); a record that has a leaf already keeps it. Only the
// server does this.
func (s *Store) AddLeaves(ctx context.Context, p *authz.Principal, leaves []models.Leaf) error {
	if !p.IsSystem() {
		return models.E(models.CodeForbidden, "only the server ledgers records")
	}
	if len(leaves) == 0 {
		return nil
	}
	ignore := "INSERT OR IGNORE"
	if s.driver == DriverMySQL {
		ignore = "INSERT IGNORE"
	}
	st := insertLeaves(leaves, s.db.Config.NowFunc())
	return mapErr(s.db.WithContext(ctx).Exec(strings.Replace(st.sql, "INSERT", ignore, 1), st.args...).Error)
}

// BackfillBound returns the largest id of kind's records stored before the
// ledger existed that may still lack a leaf (0 when none, when they all
// have theirs, or for a kind added with the ledger).
func (s *Store) BackfillBound(ctx context.Context, kind models.LeafKind) (int64, error) {
	var upto int64
	err := s.db.WithContext(ctx).Raw("SELECT upto_id FROM ledger_backfill WHERE kind = ?", string(kind)).Row().Scan(&upto)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return upto, mapErr(err)
}

// BackfillDone records that kind's older records all have their leaves,
// so that later starts need not look for them. Only the server does this.
func (s *Store) BackfillDone(ctx context.Context, p *authz.Principal, kind models.LeafKind) error {
	if !p.IsSystem() {
		return models.E(models.CodeForbidden, "only the server ledgers records")
	}
	return mapErr(s.db.WithContext(ctx).Exec("DELETE FROM ledger_backfill WHERE kind = ?", string(kind)).Error)
}
