package evidencelog_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

var system = authz.System("test")

// world is a store with one user whose check-ins the tests write.
type world struct {
	b    storetest.Backend
	st   *store.Store
	user int64
	keys *ledger.KeySet
}

func newWorld(t *testing.T, b storetest.Backend) *world {
	t.Helper()
	st := storetest.Open(t, b, time.Now)
	if _, err := st.Bootstrap(context.Background(), system, "410000", "root", "admin", "x", false); err != nil {
		t.Fatal(err)
	}
	admin, err := st.UserByUsername(context.Background(), system, "admin")
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := ledger.GenerateKeySet(ledger.DefaultOrigin)
	return &world{b: b, st: st, user: admin.ID, keys: keys}
}

func (w *world) service(t *testing.T, holder string) *evidencelog.Service {
	t.Helper()
	signer, err := ledger.NewSigner(ledger.DefaultOrigin, w.keys)
	if err != nil {
		t.Fatal(err)
	}
	return &evidencelog.Service{Store: w.st, Signer: signer, Now: time.Now, Holder: holder}
}

// checkIn writes a check-in, with its leaf when ledgered, as the check-in
// service does (or as a server before the ledger did).
func (w *world) checkIn(t *testing.T, clientID string, ledgered bool) *models.CheckIn {
	t.Helper()
	c, err := w.write(clientID, ledgered)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// write is checkIn for goroutines, which must not end the test.
func (w *world) write(clientID string, ledgered bool) (*models.CheckIn, error) {
	at := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	c := &models.CheckIn{UserID: w.user, ClientID: clientID, PayloadHash: "h", Lat: 34.8, Lon: 114.8, AccuracyM: 10, CoordSystem: "WGS84",
		WGSLat: 34.8, WGSLon: 114.8, DeviceID: "phone-1", DeviceTime: at, ReceivedAt: at, OccurredAt: at, LocalDate: "2026-11-02",
		Verdict: "OUTSIDE", Flags: "[]", Status: models.CheckInPending, PolicyVersion: "test"}
	tx, _, err := w.st.BeginCheckIns(context.Background(), []store.Probe{{UserID: w.user, ClientID: clientID, DeviceTime: at, LocalDate: "2026-11-02"}})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	writes := store.Writes{CheckIns: []*models.CheckIn{c}}
	if ledgered {
		l, err := ledger.LeafOf(c)
		if err != nil {
			return nil, err
		}
		writes.Leaves = []models.Leaf{l}
	}
	return c, tx.Commit(writes)
}

func (w *world) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	db, err := sql.Open(w.b.Name, w.b.Config.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// verify checks the whole log against the latest checkpoint and returns
// the problems.
func (w *world) verify(t *testing.T, svc *evidencelog.Service) (ledger.Result, []string) {
	t.Helper()
	cp, err := svc.Checkpoint(context.Background(), system)
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	res, err := svc.Verify(context.Background(), system, []*ledger.Checkpoint{cp}, func(p ledger.Problem) { problems = append(problems, p.String()) })
	if err != nil {
		t.Fatal(err)
	}
	return res, problems
}

// TestConcurrentWritesSequencedOnce: leaves committed while steps run are
// each integrated exactly once, in a tree the records reproduce.
func TestConcurrentWritesSequencedOnce(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b)
			svc := w.service(t, "a")
			var writers sync.WaitGroup
			for g := range 4 {
				writers.Add(1)
				go func() {
					defer writers.Done()
					for i := range 20 {
						if _, err := w.write(fmt.Sprintf("g%d-%d", g, i), true); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			done := make(chan struct{})
			go func() { writers.Wait(); close(done) }()
			for steps := 0; ; steps++ {
				if _, err := svc.Step(context.Background()); err != nil {
					t.Fatal(err)
				}
				select {
				case <-done:
				default:
					continue
				}
				break
			}
			if err := svc.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			res, problems := w.verify(t, svc)
			if !res.OK() || res.Size != 80 || len(problems) > 0 {
				t.Errorf("got %d leaves, ok %v, problems %v; want 80 that verify", res.Size, res.OK(), problems)
			}
		})
	}
}

// TestLeaseHandover: one server sequences at a time; one that stops gives
// the lease up, and the next takes over at its next step.
func TestLeaseHandover(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b)
			a, other := w.service(t, "a"), w.service(t, "b")
			ctx := context.Background()
			w.checkIn(t, "x0", true)
			if st, err := a.Step(ctx); err != nil || !st.Ran || st.Leaves != 1 {
				t.Fatalf("a: %+v, %v", st, err)
			}
			w.checkIn(t, "x1", true)
			if st, err := other.Step(ctx); err != nil || st.Ran {
				t.Fatalf("b while a holds the lease: %+v, %v", st, err)
			}
			if err := other.Sync(ctx); models.CodeOf(err) != models.CodeUnavailable {
				t.Errorf("b's sync while a holds the lease: %v, want UNAVAILABLE", err)
			}
			runCtx, stop := context.WithCancel(ctx)
			stopped := make(chan struct{})
			go func() { a.Run(runCtx); close(stopped) }()
			stop()
			<-stopped
			w.checkIn(t, "x2", true)
			if err := other.Sync(ctx); err != nil {
				t.Fatalf("b after a stopped: %v", err)
			}
			if head, _ := w.st.LedgerHead(ctx); head.Size != 3 {
				t.Errorf("size %d, want 3", head.Size)
			}
			if res, problems := w.verify(t, other); !res.OK() {
				t.Errorf("after the handover: %v", problems)
			}
		})
	}
}

// TestBackfillAndUnledgered: records stored before the ledger existed are
// ledgered once; a later record without a leaf is reported.
func TestBackfillAndUnledgered(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b)
			w.checkIn(t, "old-0", false)
			old := w.checkIn(t, "old-1", false)
			w.exec(t, "UPDATE ledger_backfill SET upto_id = ? WHERE kind = 'checkin'", old.ID)
			stray := w.checkIn(t, "stray", false)
			w.checkIn(t, "new", true)
			svc := w.service(t, "a")
			if err := svc.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			if bound, err := w.st.BackfillBound(context.Background(), models.LeafCheckIn); err != nil || bound != 0 {
				t.Errorf("after the backfill: bound %d, %v; want it done", bound, err)
			}
			res, problems := w.verify(t, svc)
			want := fmt.Sprintf(`checkin user=%d client="stray" (id %d), no leaf: the record has no leaf`, w.user, stray.ID)
			if res.Size != 3 || len(problems) != 1 || problems[0][:len(want)] != want {
				t.Errorf("got %d leaves, problems %v; want 3 and %q", res.Size, problems, want)
			}
		})
	}
}

// TestRotationAndCorruptState: after a key rotation the head is signed
// with the new key, and old checkpoints still verify; a stored root that
// its nodes do not produce stops sequencing.
func TestRotationAndCorruptState(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b)
			ctx := context.Background()
			w.checkIn(t, "r0", true)
			first := w.service(t, "a")
			if err := first.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			before, _ := first.Checkpoint(ctx, system)
			if err := w.keys.Rotate(ledger.DefaultOrigin); err != nil {
				t.Fatal(err)
			}
			rotated := w.service(t, "a")
			if err := rotated.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := rotated.Checkpoint(ctx, system)
			if err != nil || after.Size != 1 || !rotated.Signer.SignedByCurrent(after.Note) {
				t.Fatalf("after rotation: %+v, %v; want size 1 signed with the new key", after, err)
			}
			if _, err := rotated.Signer.Open(before.Note); err != nil {
				t.Errorf("a checkpoint of the old key: %v", err)
			}

			w.checkIn(t, "r1", true)
			w.exec(t, "UPDATE ledger_state SET root_hash = ?", make([]byte, 32))
			fresh := w.service(t, "a")
			if _, err := fresh.Step(ctx); models.CodeOf(err) != models.CodeInternal {
				t.Errorf("a step on an edited tree state: %v, want INTERNAL", err)
			}
		})
	}
}
