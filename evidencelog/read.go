package evidencelog

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Entry is a record's place in the ledger.
type Entry struct {
	Kind      models.LeafKind
	RecordID  int64
	Key       models.LeafKey
	Index     *uint64 // the leaf index; nil until sequenced
	LeafHash  []byte  // as written with the record
	Canonical []byte  // the record's canonical bytes as the record is now
}

// Matches reports whether the record as it is now hashes to its leaf.
func (e *Entry) Matches() bool { return string(ledger.HashLeaf(e.Canonical)) == string(e.LeafHash) }

// Entry returns the ledger entry of the record of kind with id, for
// callers that may read it (a cadre its own, the discipline group and
// admins all): FORBIDDEN for others, NOT_FOUND for an unknown or
// unreachable record or one without a leaf, INVALID for an unknown kind.
func (s *Service) Entry(ctx context.Context, p *authz.Principal, kind models.LeafKind, id int64) (*Entry, error) {
	rec, err := s.Store.LedgerRecord(ctx, p, kind, id)
	if err != nil {
		return nil, err
	}
	leaf, err := s.Store.Leaf(ctx, rec.LeafKey())
	if err != nil {
		return nil, err
	}
	b, err := ledger.Canonical(rec)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "canonical bytes")
	}
	e := &Entry{Kind: kind, RecordID: id, Key: leaf.Key, LeafHash: leaf.Hash, Canonical: b}
	if leaf.Seq != nil {
		i := uint64(*leaf.Seq)
		e.Index = &i
	}
	return e, nil
}

// InclusionProof proves that a leaf is in the tree of TreeSize leaves.
type InclusionProof struct {
	Index    uint64
	TreeSize uint64
	LeafHash []byte
	Hashes   [][]byte // RFC 6962 audit path, leaf level first
}

// size returns the integrated tree's size or, when want is given, checks
// that the log has a tree of that size (INVALID otherwise).
func (s *Service) size(ctx context.Context, want *uint64) (uint64, error) {
	head, err := s.Store.LedgerHead(ctx)
	if err != nil {
		return 0, err
	}
	if want == nil {
		return head.Size, nil
	}
	if *want > head.Size {
		return 0, models.E(models.CodeInvalid, "the log has %d leaves; no tree of size %d yet", head.Size, *want)
	}
	return *want, nil
}

// Inclusion returns the proof that the entry's leaf is in the tree of
// treeSize leaves (the latest tree when nil); the refusals of Entry, and
// UNAVAILABLE when the leaf is not sequenced yet (retry within the
// sequencing bound), INVALID when it is not in a tree of that size.
func (s *Service) Inclusion(ctx context.Context, p *authz.Principal, e *Entry, treeSize *uint64) (*InclusionProof, error) {
	if _, err := authz.Check(p, authz.ReadLedger); err != nil {
		return nil, err
	}
	if e.Index == nil {
		return nil, models.E(models.CodeUnavailable, "%s is not in the tree yet; it is within seconds", e.Key)
	}
	size, err := s.size(ctx, treeSize)
	if err != nil {
		return nil, err
	}
	if *e.Index >= size {
		return nil, models.E(models.CodeInvalid, "leaf %d is not in the tree of size %d", *e.Index, size)
	}
	plan, err := ledger.InclusionPlan(*e.Index, size)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "inclusion plan")
	}
	hashes, err := s.build(ctx, plan)
	if err != nil {
		return nil, err
	}
	return &InclusionProof{Index: *e.Index, TreeSize: size, LeafHash: e.LeafHash, Hashes: hashes}, nil
}

// Consistency returns the proof that the tree of size1 leaves is a prefix
// of the tree of size2 (the latest when nil); INVALID unless size1 ≤ size2
// ≤ the log's size. The proof holds no record: anyone may have it.
func (s *Service) Consistency(ctx context.Context, p *authz.Principal, size1 uint64, size2 *uint64) (uint64, [][]byte, error) {
	if _, err := authz.Check(p, authz.ReadLedgerLog); err != nil {
		return 0, nil, err
	}
	to, err := s.size(ctx, size2)
	if err != nil {
		return 0, nil, err
	}
	if size1 > to {
		return 0, nil, models.E(models.CodeInvalid, "no consistency proof from size %d to the smaller %d", size1, to)
	}
	plan, err := ledger.ConsistencyPlan(size1, to)
	if err != nil {
		return 0, nil, models.Wrap(models.CodeInternal, err, "consistency plan")
	}
	hashes, err := s.build(ctx, plan)
	return to, hashes, err
}

// build reads a plan's nodes and builds the proof.
func (s *Service) build(ctx context.Context, plan ledger.Plan) ([][]byte, error) {
	ids := plan.IDs()
	refs := make([]store.NodeRef, len(ids))
	for i, id := range ids {
		refs[i] = store.NodeRef{Level: id.Level, Index: id.Index}
	}
	hashes, err := s.Store.Nodes(ctx, refs)
	if err != nil {
		return nil, err
	}
	out, err := plan.Build(hashes)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "building a proof")
	}
	return out, nil
}

// Checkpoint returns the latest signed checkpoint; NOT_FOUND before the
// first step. It is public.
func (s *Service) Checkpoint(ctx context.Context, p *authz.Principal) (*ledger.Checkpoint, error) {
	if _, err := authz.Check(p, authz.ReadLedgerLog); err != nil {
		return nil, err
	}
	note, err := s.Store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	cp, err := s.Signer.Open(note)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "the stored checkpoint does not verify with the server's keys")
	}
	return cp, nil
}
