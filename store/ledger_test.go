package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

func init() {
	exercisers[authz.ReadLedger] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		c, err := pendingCheckIn(s, target.ID)
		if err != nil {
			return err
		}
		_, err = s.LedgerRecord(context.Background(), p, models.LeafCheckIn, c.ID)
		return err
	}
	exercisers[authz.ReadLedgerLog] = func(s *store.Store, p *authz.Principal, _ *models.User) error {
		if _, err := authz.Check(p, authz.ReadLedgerLog); err != nil {
			return err
		}
		_, err := s.LedgerHead(context.Background())
		return err
	}
}

// ledgeredCheckIn stores a check-in of user with its leaf, as the check-in
// service does, and returns the row and the leaf.
func ledgeredCheckIn(t *testing.T, s *store.Store, userID int64, clientID string) (*models.CheckIn, models.Leaf) {
	t.Helper()
	f := fix{clientID: clientID, at: "09:00", lat: 34.8, acc: 10}
	row := f.row(userID)
	leaf, err := ledger.LeafOf(row)
	if err != nil {
		t.Fatal(err)
	}
	tx, _, err := s.BeginCheckIns(context.Background(), []store.Probe{f.probe(userID)})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Commit(store.Writes{CheckIns: []*models.CheckIn{row}, Leaves: []models.Leaf{leaf}}); err != nil {
		t.Fatal(err)
	}
	return row, leaf
}

// sequence runs one step as holder with the whole pending queue and
// returns the new head (nil when another holder's lease runs).
func sequence(t *testing.T, s *store.Store, holder string) *store.TreeHead {
	t.Helper()
	tx, err := s.BeginSequencing(context.Background(), holder, 10*time.Second, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if tx == nil {
		return nil
	}
	defer tx.Rollback()
	refs := []store.NodeRef{}
	for _, id := range ledger.BorderNodes(tx.Head.Size) {
		refs = append(refs, store.NodeRef{Level: id.Level, Index: id.Index})
	}
	border, err := tx.Nodes(refs)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := ledger.LoadTree(tx.Head.Size, border)
	if err != nil {
		t.Fatal(err)
	}
	var w store.Sequenced
	for _, l := range tx.Pending {
		tree.Append(l.Hash, func(id ledger.NodeID, h []byte) {
			w.Nodes = append(w.Nodes, store.Node{NodeRef: store.NodeRef{Level: id.Level, Index: id.Index}, Hash: h})
		})
	}
	w.Head = store.TreeHead{Size: tree.Size(), Root: tree.Root()}
	w.Checkpoint = fmt.Appendf(nil, "checkpoint %d\n", tree.Size())
	if err := tx.Commit(w); err != nil {
		t.Fatal(err)
	}
	return &w.Head
}

func TestLedgerSequencing(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		cadre := w.users["cadreA"]
		var leaves []models.Leaf
		for i := range 5 {
			_, l := ledgeredCheckIn(t, s, cadre.ID, fmt.Sprintf("c-%d", i))
			leaves = append(leaves, l)
		}
		if l, err := s.Leaf(ctx, leaves[0].Key); err != nil || l.Seq != nil || !bytes.Equal(l.Hash, leaves[0].Hash) {
			t.Fatalf("leaf before sequencing: %+v, %v", l, err)
		}
		if _, err := s.LatestCheckpoint(ctx); models.CodeOf(err) != models.CodeNotFound {
			t.Errorf("checkpoint before the first step: %v, want NOT_FOUND", err)
		}

		h := sequence(t, s, "server-a")
		if h == nil || h.Size != 5 {
			t.Fatalf("first step: head %+v, want size 5", h)
		}
		if other := sequence(t, s, "server-b"); other != nil {
			t.Fatalf("a second server sequenced while the first holds the lease: %+v", other)
		}

		// A step that never commits (its server stopped) stores nothing.
		_, l5 := ledgeredCheckIn(t, s, cadre.ID, "c-5")
		leaves = append(leaves, l5)
		tx, err := s.BeginSequencing(ctx, "server-a", 10*time.Second, 1000)
		if err != nil || tx == nil || len(tx.Pending) != 1 {
			t.Fatalf("step: %v, %v", tx, err)
		}
		tx.Rollback()
		if got, _ := s.LedgerHead(ctx); got.Size != 5 {
			t.Fatalf("after an abandoned step: size %d, want 5", got.Size)
		}

		clock.Advance(11 * time.Second) // the lease runs out: another server takes over
		h = sequence(t, s, "server-b")
		if h == nil || h.Size != 6 {
			t.Fatalf("takeover: head %+v, want size 6", h)
		}
		want := ledger.NewTree()
		for _, l := range leaves {
			want.Append(l.Hash, nil)
		}
		if !bytes.Equal(h.Root, want.Root()) {
			t.Errorf("root %x, want %x", h.Root, want.Root())
		}
		if cp, err := s.LatestCheckpoint(ctx); err != nil || string(cp) != "checkpoint 6\n" {
			t.Errorf("latest checkpoint %q, %v", cp, err)
		}

		plan, _ := ledger.InclusionPlan(3, 6)
		refs := []store.NodeRef{}
		for _, id := range plan.IDs() {
			refs = append(refs, store.NodeRef{Level: id.Level, Index: id.Index})
		}
		hashes, err := s.Nodes(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		proof, _ := plan.Build(hashes)
		if err := ledger.VerifyInclusion(3, 6, leaves[3].Hash, proof, h.Root); err != nil {
			t.Errorf("inclusion proof from stored nodes: %v", err)
		}
		if _, err := s.Nodes(ctx, []store.NodeRef{{Level: 0, Index: 6}}); models.CodeOf(err) != models.CodeInternal {
			t.Errorf("a node beyond the tree: %v, want INTERNAL", err)
		}
	})
}

func TestLedgerReaders(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		cadre := w.users["cadreA"]
		c0, _ := ledgeredCheckIn(t, s, cadre.ID, "c-0")
		c1, _ := ledgeredCheckIn(t, s, cadre.ID, "c-1")
		unledgered, err := pendingCheckIn(s, cadre.ID) // written without its leaf
		if err != nil {
			t.Fatal(err)
		}
		sequence(t, s, "server-a")

		recs, err := s.LeavesFrom(ctx, w.admin, 0, 10)
		if err != nil || len(recs) != 2 {
			t.Fatalf("leaves: %d, %v", len(recs), err)
		}
		for i, want := range []*models.CheckIn{c0, c1} {
			got, ok := recs[i].Record.(*models.CheckIn)
			if !ok || got.ID != want.ID || *recs[i].Seq != int64(i) {
				t.Errorf("leaf %d: %+v", i, recs[i])
			}
		}
		if recs, _ := s.LeavesFrom(ctx, w.admin, 1, 10); len(recs) != 1 || recs[0].Record.RecordID() != c1.ID {
			t.Errorf("leaves from 1: %+v", recs)
		}
		if _, err := s.LeavesFrom(ctx, principalOf(cadre), 0, 10); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("a cadre reads the whole ledger: %v", err)
		}
		missing, err := s.RecordsWithoutLeaf(ctx, w.admin, models.LeafCheckIn, 0, 0, 10)
		if err != nil || len(missing) != 1 || missing[0].RecordID() != unledgered.ID {
			t.Errorf("records without a leaf: %v, %v; want check-in %d", missing, err, unledgered.ID)
		}
		if below, _ := s.RecordsWithoutLeaf(ctx, w.admin, models.LeafCheckIn, 0, unledgered.ID-1, 10); len(below) != 0 {
			t.Errorf("records without a leaf up to id %d: %v, want none", unledgered.ID-1, below)
		}
		if err := s.AddLeaves(ctx, authz.System("test"), []models.Leaf{{Key: unledgered.LeafKey(), Hash: sha(1)}, {Key: c0.LeafKey(), Hash: sha(2)}}); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.Leaf(ctx, c0.LeafKey()); l == nil || bytes.Equal(l.Hash, sha(2)) {
			t.Error("adding a leaf replaced a record's existing leaf")
		}
		if missing, _ := s.RecordsWithoutLeaf(ctx, w.admin, models.LeafCheckIn, 0, 0, 10); len(missing) != 0 {
			t.Errorf("after adding its leaf: %v", missing)
		}
		if err := s.AddLeaves(ctx, w.admin, nil); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("an admin ledgers records: %v", err)
		}
		if n, err := s.BackfillBound(ctx, models.LeafCheckIn); err != nil || n != 0 {
			t.Errorf("backfill bound of a new database: %d, %v", n, err)
		}
	})
}

func sha(i int) []byte {
	h := sha256.Sum256([]byte{byte(i)})
	return h[:]
}
