package checkin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// answered waits for done, failing the test if it takes longer than a
// minute: a check-in that is never answered hangs its request for good.
func answered(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s: never answered", what)
	}
}

// lankao is a fix inside 兰考县 (GCJ-02), shifted east by n×11 m.
func lankao(id string, n int, at time.Time) Input {
	return Input{ClientID: id, Lat: 34.829899, Lon: 114.820572 + float64(n)*0.0001, AccuracyM: 10, CoordSystem: geofence.GCJ02, DeviceTime: at}
}

// TestCloseAnswersEveryCheckIn records check-ins of three cadres from
// goroutines that go on after Close has returned, and checks that every
// call is answered — stored, or refused UNAVAILABLE — and that exactly the
// acknowledged ones were stored.
func TestCloseAnswersEveryCheckIn(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.svc.StartGroupCommit(QueueConfig{Observe: noFailedBatches(t)})
		ctx := context.Background()
		type outcome struct {
			p        *authz.Principal
			clientID string
			err      error
		}
		var (
			mu       sync.Mutex
			outcomes []outcome
			wg       sync.WaitGroup
		)
		first := make(chan struct{})
		var once sync.Once
		for g, p := range []*authz.Principal{f.cadre, f.other, f.third} {
			wg.Go(func() {
				refusals := 0
				for i := 0; refusals < 20; i++ { // go on well after the first refusal
					in := lankao(fmt.Sprintf("c%d-%d", g, i), i, f.clock.Now())
					_, err := f.svc.CheckIn(ctx, p, in)
					if err != nil {
						if models.CodeOf(err) != models.CodeUnavailable {
							t.Errorf("%s: %v, want UNAVAILABLE", in.ClientID, err)
						}
						refusals++
					} else {
						once.Do(func() { close(first) })
					}
					mu.Lock()
					outcomes = append(outcomes, outcome{p, in.ClientID, err})
					mu.Unlock()
				}
			})
		}
		answered(t, first, "the first check-in")
		closed := make(chan struct{})
		go func() { f.svc.Close(); close(closed) }()
		answered(t, closed, "Close")
		all := make(chan struct{})
		go func() { wg.Wait(); close(all) }()
		answered(t, all, "a check-in recorded while or after the queue closed")
		f.svc.Close() // a second Close does nothing
		acked := 0
		for _, o := range outcomes {
			_, err := s.CheckInByClientID(ctx, f.reviewer, o.p.UserID, o.clientID)
			switch {
			case o.err == nil && err != nil:
				t.Errorf("%s acknowledged but not stored: %v", o.clientID, err)
			case o.err != nil && models.CodeOf(err) != models.CodeNotFound:
				t.Errorf("%s refused (%v) but stored", o.clientID, o.err)
			}
			if o.err == nil {
				acked++
			}
		}
		if acked == 0 || acked == len(outcomes) {
			t.Errorf("%d of %d acknowledged: the test did not cover both sides of Close", acked, len(outcomes))
		}
	})
}

// heldBatch is a check-in whose batch is held after its reads
// (holdInBatch).
type heldBatch struct {
	release func()          // lets the batch go on; more calls do nothing
	done    <-chan struct{} // closed once the check-in is answered
}

// finish fails t if the held check-in was answered before its release,
// then releases it and waits for its answer.
func (h heldBatch) finish(t *testing.T, what string) {
	t.Helper()
	select {
	case <-h.done:
		t.Fatal(what + " finished before it was released")
	default:
	}
	h.release()
	answered(t, h.done, what+", released")
}

// mysqlQueue skips the test on SQLite (one writer: no batch ever runs
// beside another), and otherwise starts group commit with cfg on a fixture;
// the queue is closed at cleanup, after the test's own cleanups.
func mysqlQueue(t *testing.T, s *store.Store, cfg QueueConfig) *fixture {
	t.Helper()
	if s.Driver() != store.DriverMySQL {
		t.Skip("SQLite has one writer")
	}
	f := newFixture(t, s)
	cfg.Observe = noFailedBatches(t)
	f.svc.StartGroupCommit(cfg)
	t.Cleanup(f.svc.Close)
	return f
}

// holdInBatch records a check-in of p with client id "held", whose batch
// waits after its reads until released; it returns once the batch is held.
// At cleanup it is released and its answer awaited.
func holdInBatch(t *testing.T, f *fixture, p *authz.Principal) heldBatch {
	t.Helper()
	held, unblock, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	f.svc.afterReads = func(items []*item) {
		if slices.ContainsFunc(items, func(it *item) bool { return it.in.ClientID == "held" }) {
			close(held)
			<-unblock
		}
	}
	go func() {
		defer close(finished)
		if _, err := f.svc.CheckIn(context.Background(), p, lankao("held", 0, f.clock.Now())); err != nil {
			t.Error(err)
		}
	}()
	answered(t, held, "the batch to hold")
	h := heldBatch{release: sync.OnceFunc(func() { close(unblock) }), done: finished}
	t.Cleanup(func() { // before the queue's Close (registered earlier), so a failed test neither hangs nor reports after it ended
		h.release()
		<-finished
	})
	return h
}

// TestNextBatchReadsWhileOneWrites checks that on MySQL a batch starts as
// soon as the one before has done its reads: a single check-in of another
// cadre (not a full batch) commits while the first batch is held after its
// reads.
func TestNextBatchReadsWhileOneWrites(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := mysqlQueue(t, s, QueueConfig{})
		first := holdInBatch(t, f, f.cadre)
		next := make(chan struct{})
		go func() {
			defer close(next)
			if _, err := f.svc.CheckIn(context.Background(), f.other, lankao("next", 1, f.clock.Now())); err != nil {
				t.Error(err)
			}
		}()
		answered(t, next, "the batch after the held one")
		first.finish(t, "the held batch")
	})
}

// TestSecondBatchBesideStalled checks that on MySQL a full batch waiting
// behind a stalled one starts beside it (its cadres are not the stalled
// batch's), and commits while that one is still stalled.
func TestSecondBatchBesideStalled(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := mysqlQueue(t, s, QueueConfig{MaxBatch: 2})
		first := holdInBatch(t, f, f.cadre)
		var wg sync.WaitGroup
		for i, p := range []*authz.Principal{f.other, f.third} { // two check-ins: a full batch of 2
			wg.Go(func() {
				if _, err := f.svc.CheckIn(context.Background(), p, lankao(fmt.Sprintf("beside-%d", i), i+2, f.clock.Now())); err != nil {
					t.Error(err)
				}
			})
		}
		both := make(chan struct{})
		go func() { wg.Wait(); close(both) }()
		answered(t, both, "the batch beside the stalled one")
		first.finish(t, "the stalled batch")
	})
}

// TestStartNext checks when the queue starts a batch: whenever none in
// flight is still reading; beside a reading one only when a full batch is
// waiting; never more than the workers.
func TestStartNext(t *testing.T) {
	for _, c := range []struct {
		inflight, reading, workers, waiting int
		want                                bool
	}{
		{0, 0, 3, 1, true},
		{1, 0, 3, 1, true},  // the one in flight has read: overlap its commit
		{1, 1, 3, 1, false}, // it is still reading: gather behind it
		{1, 1, 3, 64, true}, // a full batch is waiting
		{3, 0, 3, 64, false},
		{0, 0, 1, 1, true},
		{1, 0, 1, 64, false},
	} {
		if got := startNext(c.inflight, c.reading, c.workers, c.waiting, 64); got != c.want {
			t.Errorf("startNext(inflight %d, reading %d, workers %d, waiting %d) = %v, want %v",
				c.inflight, c.reading, c.workers, c.waiting, got, c.want)
		}
	}
}

// TestSyncJudgesInOrder checks that an offline queue stored in one batch
// is judged exactly as the same check-ins one at a time: the previous fix
// may be an earlier item of the queue (a tie by device time going to the
// later-stored), an identical earlier item makes a fix repeated, and a
// client id used earlier in the queue or stored before is a resend.
func TestSyncJudgesInOrder(t *testing.T) {
	day := func(hh, mm int) time.Time { return time.Date(2026, 11, 2, hh, mm, 0, 0, time.UTC) }
	qixian := func(id string, n int, at time.Time) Input { // 杞县, about 30 km south-west, shifted east by n×11 m
		return Input{ClientID: id, Lat: 34.554585, Lon: 114.770472 + float64(n)*0.0001, AccuracyM: 10, CoordSystem: geofence.GCJ02, DeviceTime: at}
	}
	history := []Input{lankao("h-1", 1, day(1, 0)), lankao("h-2", 2, day(3, 0))}
	queue := []struct {
		in       Input
		replayed bool
		flags    string // the codes raised, in order
	}{
		{lankao("g-1", 3, day(2, 30)), false, ""},
		{lankao("g-2", 3, day(2, 45)), false, "REPEATED_FIX"}, // the same fix as g-1
		{lankao("g-1", 3, day(2, 30)), true, ""},              // a resend within the queue
		{qixian("g-3", 1, day(0, 0)), false, "NOT_ASSIGNED"},  // before every fix: nothing to travel from
		{qixian("g-4", 2, day(3, 0)), false, "IMPOSSIBLE_TRAVEL,NOT_ASSIGNED"},
		{qixian("g-5", 3, day(3, 0)), false, "NOT_ASSIGNED"}, // ties g-4, stored later: travels from g-4, not h-2
		{lankao("h-1", 1, day(1, 0)), true, ""},              // a resend of what was stored before
	}
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.clock.Set(day(4, 0))
		f.svc.StartGroupCommit(QueueConfig{Observe: noFailedBatches(t)})
		t.Cleanup(f.svc.Close)
		ctx := context.Background()
		run := func(p *authz.Principal, together bool) []ItemResult {
			if _, err := f.svc.Sync(ctx, p, history); err != nil {
				t.Fatal(err)
			}
			ins := make([]Input, len(queue))
			for i, q := range queue {
				ins[i] = q.in
			}
			if together {
				out, err := f.svc.Sync(ctx, p, ins)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			var out []ItemResult
			for _, in := range ins {
				one, err := f.svc.Sync(ctx, p, []Input{in})
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, one...)
			}
			return out
		}
		for name, got := range map[string][]ItemResult{"together": run(f.cadre, true), "one by one": run(f.other, false)} {
			for i, q := range queue {
				r := got[i]
				if r.Err != nil {
					t.Errorf("%s item %d (%s): %v", name, i, q.in.ClientID, r.Err)
					continue
				}
				var codes []string
				for _, fl := range r.Result.Flags {
					codes = append(codes, string(fl.Code))
				}
				if r.Result.Replayed != q.replayed || strings.Join(codes, ",") != q.flags {
					t.Errorf("%s item %d (%s): replayed %v, flags %v; want %v, %s", name, i, q.in.ClientID, r.Result.Replayed, codes, q.replayed, q.flags)
				}
			}
		}
		if n, _ := s.CountCheckIns(ctx, f.reviewer, f.cadre.UserID); n != 7 {
			t.Errorf("the cadre has %d check-ins, want 7 (2 stored, 5 new)", n)
		}
	})
}
