package checkin

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// oneWorker starts group commit with a single batch in flight on either
// backend, so that a held batch keeps every later group queued.
func oneWorker(t *testing.T, s *store.Store, observe func(BatchStats)) *fixture {
	t.Helper()
	f := newFixture(t, s)
	f.svc.StartGroupCommit(QueueConfig{Workers: 1, Observe: observe})
	t.Cleanup(f.svc.Close)
	return f
}

// checkInAsync records in for p with ctx on a goroutine; the channel gets
// its error once answered.
func checkInAsync(ctx context.Context, f *fixture, p *authz.Principal, in Input) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.CheckIn(ctx, p, in)
		done <- err
	}()
	return done
}

// answeredWith waits for one answer and fails t unless it has code.
func answeredWith(t *testing.T, done <-chan error, code models.Code, what string) {
	t.Helper()
	select {
	case err := <-done:
		if models.CodeOf(err) != code {
			t.Fatalf("%s: %v, want %s", what, err, code)
		}
	case <-time.After(time.Minute):
		t.Fatalf("%s: never answered", what)
	}
}

// settle records one more check-in of p through the queue and returns once
// it is stored: every group queued before it has been dealt with by then.
func settle(t *testing.T, f *fixture, p *authz.Principal, id string) {
	t.Helper()
	if _, err := f.svc.CheckIn(context.Background(), p, lankao(id, 9, f.clock.Now())); err != nil {
		t.Fatalf("check-in after the fault: %v", err)
	}
}

// notStored fails t if p has a check-in under clientID.
func notStored(t *testing.T, f *fixture, s *store.Store, p *authz.Principal, clientID string) {
	t.Helper()
	c, err := s.CheckInByClientID(context.Background(), f.reviewer, p.UserID, clientID)
	if models.CodeOf(err) != models.CodeNotFound {
		t.Errorf("%s: stored as check-in %v (err %v) after its request was answered UNAVAILABLE", clientID, c, err)
	}
}

// TestQueuedCheckInWithdrawnAtDeadline: while a batch is stalled, a
// check-in queued behind it is answered UNAVAILABLE as soon as its request
// ends — before the stalled batch is released — and is never stored later.
func TestQueuedCheckInWithdrawnAtDeadline(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		waiting := make(chan struct{})
		f.svc.queued = func(items []*item) {
			if items[0].in.ClientID == "queued" {
				close(waiting)
			}
		}
		f.svc.StartGroupCommit(QueueConfig{Workers: 1, Observe: noFailedBatches(t)})
		t.Cleanup(f.svc.Close)
		held := holdInBatch(t, f, f.cadre)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		queued := checkInAsync(ctx, f, f.other, lankao("queued", 1, f.clock.Now()))
		answered(t, waiting, "the check-in to queue")
		cancel()
		answeredWith(t, queued, models.CodeUnavailable, "a queued check-in whose request ended")
		held.finish(t, "the stalled batch")
		settle(t, f, f.other, "after")
		notStored(t, f, s, f.other, "queued")
	})
}

// TestBatchDeadlineIsItsRequests: a batch stalled inside its transaction
// past its request's deadline is answered UNAVAILABLE at the deadline,
// while still stalled, and cannot commit afterwards: the batch's deadline
// is its request's, not a fixed one of its own.
func TestBatchDeadlineIsItsRequests(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := oneWorker(t, s, nil)
		release := make(chan struct{})
		var once sync.Once
		f.svc.afterReads = func(items []*item) {
			if slices.ContainsFunc(items, func(it *item) bool { return it.in.ClientID == "late" }) {
				<-items[0].ctx.Done() // the database hangs past the request's deadline
				<-release
			}
		}
		t.Cleanup(func() { once.Do(func() { close(release) }) })
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		late := checkInAsync(ctx, f, f.cadre, lankao("late", 1, f.clock.Now()))
		answeredWith(t, late, models.CodeUnavailable, "a check-in whose batch outlived its deadline")
		once.Do(func() { close(release) })
		settle(t, f, f.cadre, "after")
		notStored(t, f, s, f.cadre, "late")
	})
}

// TestBatchDeadline: a batch's deadline is the earliest of its requests'
// deadlines, and maxBatchTime from now when none has one.
func TestBatchDeadline(t *testing.T) {
	now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	with := func(d time.Duration) *group {
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(d))
		t.Cleanup(cancel)
		return &group{ctx: ctx}
	}
	none := &group{ctx: context.Background()}
	for _, c := range []struct {
		name   string
		groups []*group
		want   time.Duration
	}{
		{"earliest of three", []*group{with(9 * time.Second), with(2 * time.Second), with(5 * time.Second)}, 2 * time.Second},
		{"one without a deadline", []*group{none, with(4 * time.Second)}, 4 * time.Second},
		{"none has one", []*group{none}, maxBatchTime},
		{"later than the cap", []*group{with(time.Hour)}, maxBatchTime},
	} {
		if got := batchDeadline(c.groups, now).Sub(now); got != c.want {
			t.Errorf("%s: deadline in %v, want %v", c.name, got, c.want)
		}
	}
}
