// Package evidencelog runs the evidence ledger: it sequences the leaves
// that evidence transactions write into the Merkle tree and signs a
// checkpoint of each new tree (this file), answers for entries, proofs
// and checkpoints (read.go), and walks the whole log for an export or a
// verification against held checkpoints (walk.go).
//
// Sequencing runs beside the request path, never on it: a check-in's
// transaction only writes its leaf hash; every Interval the server that
// holds the sequencer lease gives the waiting leaves their indexes,
// stores the complete subtrees they form and signs the new head, all in
// one transaction. A leaf is therefore in a signed checkpoint at most
// Interval plus one step after its record committed (docs/ledger.md).
package evidencelog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Defaults of Service's settings.
const (
	DefaultInterval = 500 * time.Millisecond // between steps: the sequencing bound's main term
	DefaultLease    = 5 * time.Second        // how long a stopped sequencer holds others off
	DefaultMaxStep  = 4096                   // leaves integrated in one step
)

// Service is the ledger of one server. Set Store, Signer and Now; the
// other fields have defaults. Its methods are safe for concurrent use.
type Service struct {
	Store    *store.Store
	Signer   *ledger.Signer
	Now      func() time.Time
	Log      *slog.Logger
	Holder   string        // this server's name in the lease; a random one when empty
	Interval time.Duration // between steps
	Lease    time.Duration // the lease a step takes; several steps fit in it
	MaxStep  int           // most leaves one step integrates
	Observe  func(Step)    // called after every step that integrated leaves; may be nil

	once       sync.Once
	mu         sync.Mutex   // one step at a time; guards tree and backfilled
	tree       *ledger.Tree // the tree as of the last step; nil: load it from the store
	backfilled bool
}

// Step is what one sequencing step did.
type Step struct {
	Ran    bool          // this server held the lease and ran the step
	Leaves int           // leaves integrated
	Size   uint64        // the tree's size after it
	Took   time.Duration // begin to commit
}

func (s *Service) defaults() {
	s.once.Do(func() {
		if s.Interval == 0 {
			s.Interval = DefaultInterval
		}
		if s.Lease == 0 {
			s.Lease = DefaultLease
		}
		if s.MaxStep == 0 {
			s.MaxStep = DefaultMaxStep
		}
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Holder == "" {
			host, _ := os.Hostname()
			b := make([]byte, 4)
			rand.Read(b)
			s.Holder = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
		}
	})
}

// Run sequences until ctx ends, then gives up the lease so that another
// server takes over at once. Failed steps are logged and retried at the
// next tick; nothing of a failed step is stored.
func (s *Service) Run(ctx context.Context) {
	s.defaults()
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			st, err := s.Step(ctx)
			if err != nil {
				s.Log.Warn("ledger sequencing step failed; retrying", "err", err)
				break
			}
			if st.Leaves < s.MaxStep { // the queue is drained; a full step may have left more
				break
			}
		}
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if err := s.Store.ReleaseSequencer(rctx, s.Holder); err != nil {
				s.Log.Warn("could not release the sequencer lease; another server takes over when it runs out", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

// Sync runs steps until no leaf written before it waits, for callers that
// need the tree current (tests, subcommands); it fails with UNAVAILABLE
// when another server holds the lease, else with a step's error.
func (s *Service) Sync(ctx context.Context) error {
	for {
		st, err := s.Step(ctx)
		if err != nil {
			return err
		}
		if !st.Ran {
			return models.E(models.CodeUnavailable, "another server holds the sequencer lease")
		}
		if st.Leaves == 0 {
			return nil
		}
	}
}

// Step runs one sequencing step, unless another server holds the lease:
// it ledgers records older than the ledger (once), integrates up to
// MaxStep waiting leaves and signs the new head. Errors are the store's
// (UNAVAILABLE, INTERNAL) or INTERNAL when the stored tree state does not
// match its nodes, in which case nothing is sequenced.
func (s *Service) Step(ctx context.Context) (Step, error) {
	s.defaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.backfilled {
		if err := s.backfill(ctx); err != nil {
			return Step{}, err
		}
		s.backfilled = true
	}
	began := s.Now()
	tx, err := s.Store.BeginSequencing(ctx, s.Holder, s.Lease, s.MaxStep)
	if err != nil || tx == nil {
		return Step{}, err
	}
	defer tx.Rollback()
	tree, err := s.treeOf(tx)
	if err != nil {
		return Step{}, err
	}
	s.tree = nil // until the step commits
	w := store.Sequenced{Head: tx.Head}
	for _, l := range tx.Pending {
		err := tree.Append(l.Hash, func(id ledger.NodeID, hash []byte) {
			w.Nodes = append(w.Nodes, store.Node{NodeRef: store.NodeRef{Level: id.Level, Index: id.Index}, Hash: hash})
		})
		if err != nil {
			return Step{}, models.Wrap(models.CodeInternal, err, "appending a leaf")
		}
	}
	w.Head = store.TreeHead{Size: tree.Size(), Root: tree.Root()}
	if len(tx.Pending) > 0 || !s.signed(tx.Checkpoint, w.Head.Size) {
		cp, err := s.Signer.Sign(w.Head.Size, w.Head.Root)
		if err != nil {
			return Step{}, models.Wrap(models.CodeInternal, err, "signing a checkpoint")
		}
		w.Checkpoint = cp.Note
	}
	if err := tx.Commit(w); err != nil {
		return Step{}, err
	}
	s.tree = tree
	st := Step{Ran: true, Leaves: len(tx.Pending), Size: w.Head.Size, Took: s.Now().Sub(began)}
	if st.Leaves > 0 && s.Observe != nil {
		s.Observe(st)
	}
	return st, nil
}

// signed reports whether the latest checkpoint is of size and signed by
// the current key (after a rotation the head is signed anew).
func (s *Service) signed(latest []byte, size uint64) bool {
	if latest == nil || !s.Signer.SignedByCurrent(latest) {
		return false
	}
	cp, err := s.Signer.Open(latest)
	return err == nil && cp.Size == size
}

// treeOf returns the tree of the step's head: the one held since the last
// step, or else one loaded from the stored border nodes. Either way its
// root must be the stored root: a tree state that does not match its own
// nodes was edited, and sequencing onto it would sign the edit.
func (s *Service) treeOf(tx *store.SequenceTx) (*ledger.Tree, error) {
	tree := s.tree
	if tree == nil || tree.Size() != tx.Head.Size {
		ids := ledger.BorderNodes(tx.Head.Size)
		refs := make([]store.NodeRef, len(ids))
		for i, id := range ids {
			refs[i] = store.NodeRef{Level: id.Level, Index: id.Index}
		}
		hashes, err := tx.Nodes(refs)
		if err != nil {
			return nil, err
		}
		if tree, err = ledger.LoadTree(tx.Head.Size, hashes); err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "loading the ledger tree")
		}
	}
	if tx.Head.Size > 0 && !bytes.Equal(tree.Root(), tx.Head.Root) {
		return nil, models.E(models.CodeInternal, "the ledger's stored root at size %d does not match its stored nodes; refusing to sequence", tx.Head.Size)
	}
	return tree, nil
}

// backfill ledgers the records stored before the ledger existed (ids up
// to each kind's bound) that have no leaf yet, oldest first, then records
// that they all have one. Several servers may run it at once: a record
// keeps the first leaf stored.
func (s *Service) backfill(ctx context.Context) error {
	sys := authz.System("ledger backfill")
	for _, kind := range store.LeafKinds() {
		bound, err := s.Store.BackfillBound(ctx, kind)
		if err != nil {
			return err
		}
		if bound == 0 {
			continue
		}
		for after := int64(0); ; {
			recs, err := s.Store.RecordsWithoutLeaf(ctx, sys, kind, after, bound, 1000)
			if err != nil {
				return err
			}
			leaves := make([]models.Leaf, len(recs))
			for i, r := range recs {
				if leaves[i], err = ledger.LeafOf(r); err != nil {
					return models.Wrap(models.CodeInternal, err, "ledger leaf of an older record")
				}
			}
			if err := s.Store.AddLeaves(ctx, sys, leaves); err != nil {
				return err
			}
			if len(recs) < 1000 {
				break
			}
			after = recs[len(recs)-1].RecordID()
		}
		if err := s.Store.BackfillDone(ctx, sys, kind); err != nil {
			return err
		}
		s.Log.Info("ledgered the records stored before the ledger", "kind", kind, "up_to_id", bound)
	}
	return nil
}
