package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

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

// TestCloseAnswersEveryCheckIn records check-ins of four cadres from
// goroutines that go on after Close has returned, and checks that every
// call is answered — stored, or refused UNAVAILABLE — and that exactly
// the acknowledged ones were stored. (Queueing used to race Close: a group
// queued after Close had drained the queue was never answered.)
func TestCloseAnswersEveryCheckIn(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		writer := s.NewCheckInWriter(noDay, store.WriterConfig{Observe: storetest.NoFailedBatches(t)})
		type outcome struct {
			user     int64
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
		for g, name := range []string{"cadreA", "cadreA1", "cadreB", "supA"} {
			uid := w.users[name].ID
			wg.Go(func() {
				refusals := 0
				for i := 0; refusals < 20; i++ { // go on well after the first refusal
					f := fix{"", fmt.Sprintf("c%d-%d", g, i), "09:00", 30 + float64(i)/1000, 10}
					_, err := writer.Record(ctx, uid, f.probe(), nil, pendingAs(uid, f.probe()))
					if err != nil {
						if models.CodeOf(err) != models.CodeUnavailable {
							t.Errorf("%s: %v, want UNAVAILABLE", f.clientID, err)
						}
						refusals++
					} else {
						once.Do(func() { close(first) })
					}
					mu.Lock()
					outcomes = append(outcomes, outcome{uid, f.clientID, err})
					mu.Unlock()
				}
			})
		}
		answered(t, first, "the first check-in")
		closed := make(chan struct{})
		go func() { writer.Close(); close(closed) }()
		answered(t, closed, "Close")
		all := make(chan struct{})
		go func() { wg.Wait(); close(all) }()
		answered(t, all, "a check-in recorded while or after the writer closed")
		writer.Close() // a second Close does nothing
		acked := 0
		for _, o := range outcomes {
			_, err := s.CheckInByClientID(ctx, o.user, o.clientID)
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

// TestSecondBatchBesideStalled checks that on MySQL a full batch waiting
// behind a stalled one starts beside it (its cadres are not the stalled
// batch's), and commits while that one is still stalled. SQLite has one
// writer: there every batch waits for the one before.
func TestSecondBatchBesideStalled(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w, writer := mysqlWriter(t, s, store.WriterConfig{MaxBatch: 2})
		first := holdInBatch(t, writer, w.users["cadreA"].ID, "stalled")
		var wg sync.WaitGroup
		for _, name := range []string{"cadreB", "cadreA1"} { // two check-ins: a full batch of 2
			uid := w.users[name].ID
			wg.Go(func() {
				f := fix{"", "beside-" + name, "09:00", 34.9, 10}
				if _, err := writer.Record(ctx, uid, f.probe(), nil, pendingAs(uid, f.probe())); err != nil {
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

// TestReplayCarriesReview checks the answer RecordCheckIn gives when a
// twin committed first (its INSERT then fails on the client key): the
// stored row as a replay, with the review it has by then, as the batch's
// own replays carry theirs (the answer's status reads it).
func TestReplayCarriesReview(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		uid := w.users["cadreA"].ID
		f := fix{"", "twin", "09:00", 34.8, 10}
		rec, err := s.RecordCheckIn(ctx, uid, f.probe(), noDay, pendingAs(uid, f.probe()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Replay(ctx, uid, "twin")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Replayed || got.CheckIn.ID != rec.CheckIn.ID || got.Review != nil {
			t.Fatalf("before review: replayed %v, id %d (stored %d), review %v", got.Replayed, got.CheckIn.ID, rec.CheckIn.ID, got.Review)
		}
		rev, err := s.ReviewCheckIn(ctx, principalOf(w.users["supA"]), rec.CheckIn.ID, models.ReviewReject, "not there", noDay, countsNowhere)
		if err != nil {
			t.Fatal(err)
		}
		got, err = s.Replay(ctx, uid, "twin")
		if err != nil {
			t.Fatal(err)
		}
		if got.Review == nil || got.Review.ID != rev.ID || got.Review.Decision != models.ReviewReject {
			t.Fatalf("after review: %+v, want review %d (reject)", got.Review, rev.ID)
		}
	})
}

// TestNextBatchReadsWhileOneWrites checks that on MySQL a batch starts as
// soon as the one before has done its reads: a single check-in of another
// cadre (not a full batch) commits while the first batch is held between
// its rounds. Before, it waited for the first batch to commit.
func TestNextBatchReadsWhileOneWrites(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w, writer := mysqlWriter(t, s, store.WriterConfig{})
		first := holdInBatch(t, writer, w.users["cadreA"].ID, "held")
		next := make(chan struct{})
		go func() {
			defer close(next)
			other := w.users["cadreB"].ID
			f := fix{"", "next", "09:00", 34.9, 10}
			if _, err := writer.Record(ctx, other, f.probe(), nil, pendingAs(other, f.probe())); err != nil {
				t.Error(err)
			}
		}()
		answered(t, next, "the batch after the held one")
		first.finish(t, "the held batch")
	})
}

// mysqlWriter skips the test on SQLite (one writer: no batch ever runs
// beside another), and otherwise builds the world and a writer with cfg
// that fails the test on a failed batch; the writer is closed at cleanup,
// after the test's deferred calls.
func mysqlWriter(t *testing.T, s *store.Store, cfg store.WriterConfig) (*world, *store.CheckInWriter) {
	t.Helper()
	if s.Driver() != store.DriverMySQL {
		t.Skip("SQLite has one writer")
	}
	w := buildWorld(t, s)
	cfg.Observe = storetest.NoFailedBatches(t)
	writer := s.NewCheckInWriter(noDay, cfg)
	t.Cleanup(writer.Close)
	return w, writer
}

// heldBatch is a check-in whose batch is held between its rounds
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

// holdInBatch records a check-in of uid (client id client) whose judging,
// inside its batch's transaction after the reads and before the writes,
// waits until it is released; it returns once the batch is held. At
// cleanup it is released and its answer awaited.
func holdInBatch(t *testing.T, writer *store.CheckInWriter, uid int64, client string) heldBatch {
	t.Helper()
	held, unblock, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		f := fix{"", client, "09:00", 34.8, 10}
		judge := pendingAs(uid, f.probe())
		if _, err := writer.Record(context.Background(), uid, f.probe(), nil, func(p store.Prior) (*store.NewCheckIn, error) {
			close(held)
			<-unblock
			return judge(p)
		}); err != nil {
			t.Error(err)
		}
	}()
	answered(t, held, "the batch to hold")
	h := heldBatch{release: sync.OnceFunc(func() { close(unblock) }), done: finished}
	t.Cleanup(func() { // before the writer's Close (registered earlier), so a failed test neither hangs nor reports after it ended
		h.release()
		<-finished
	})
	return h
}
