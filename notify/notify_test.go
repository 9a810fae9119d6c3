package notify

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

func rg(lo, hi int64) store.IDRange { return store.IDRange{Lo: lo, Hi: hi} }

// TestCursor: ids skipped over are watched as gaps, delivered once when
// they appear, and given up after the wait; an id seen before is not new.
func TestCursor(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var c cursor
	steps := []struct {
		id   int64
		new  bool
		gaps []store.IDRange
	}{
		{1, true, []store.IDRange{}},
		{4, true, []store.IDRange{rg(2, 3)}},  // 2 and 3 may still commit
		{3, true, []store.IDRange{rg(2, 2)}},  // 3 committed late: delivered
		{3, false, []store.IDRange{rg(2, 2)}}, // and only once
		{9, true, []store.IDRange{rg(2, 2), rg(5, 8)}},
		{6, true, []store.IDRange{rg(2, 2), rg(5, 5), rg(7, 8)}},
		{1, false, []store.IDRange{rg(2, 2), rg(5, 5), rg(7, 8)}},
	}
	for i, st := range steps {
		if got := c.see(st.id, t0); got != st.new {
			t.Errorf("step %d: see(%d) = %v, want %v", i, st.id, got, st.new)
		}
		if got := c.ranges(); !reflect.DeepEqual(got, st.gaps) {
			t.Errorf("step %d: gaps %v, want %v", i, got, st.gaps)
		}
	}
	c.see(12, t0.Add(time.Minute))
	c.expire(t0.Add(time.Second))
	if got := c.ranges(); !reflect.DeepEqual(got, []store.IDRange{rg(10, 11)}) {
		t.Errorf("after expiry: %v, want only the newest gap", got)
	}
}

// users creates a unit and two cadres on s and returns their principals.
func users(t *testing.T, s *store.Store) (*authz.Principal, *authz.Principal) {
	t.Helper()
	ctx := context.Background()
	sys := authz.System("test")
	if _, err := s.Bootstrap(ctx, sys, "410000", "root", "admin", "x", false); err != nil {
		t.Fatal(err)
	}
	admin, err := s.UserByUsername(ctx, sys, "admin")
	if err != nil {
		t.Fatal(err)
	}
	ap := &authz.Principal{UserID: admin.ID, Role: models.RoleAdmin, OrgUnitID: admin.OrgUnitID}
	var out []*authz.Principal
	for _, name := range []string{"li", "wang"} {
		role := models.RoleCadre
		u, err := s.CreateUser(ctx, ap, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &admin.OrgUnitID}, "x")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &authz.Principal{UserID: u.ID, Username: name, Role: role, OrgUnitID: u.OrgUnitID})
	}
	return out[0], out[1]
}

// next waits for the next notification on ch; the bound only keeps a
// broken delivery from hanging the test.
func next(t *testing.T, ch <-chan *models.Notification) *models.Notification {
	t.Helper()
	select {
	case n, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return n
	case <-time.After(30 * time.Second):
		t.Fatal("no notification delivered")
	}
	return nil
}

// TestDeliveryAcrossServers: a notification sent through one server
// reaches the subscription its user holds on another, and no one else's;
// closing a server ends its subscriptions.
func TestDeliveryAcrossServers(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		li, wang := users(t, s)
		a, b := New(s, time.Now, nil), New(s, time.Now, nil)
		b.PollInterval = 10 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go b.Run(ctx)
		liSub, err := b.Subscribe(ctx, li)
		if err != nil {
			t.Fatal(err)
		}
		wangSub, _ := b.Subscribe(ctx, wang)
		for _, kind := range []string{"SEMINAR_SPEAKER", "TASK_OVERDUE"} {
			if err := a.Notify(ctx, li.UserID, kind, "选中", "body"); err != nil {
				t.Fatal(err)
			}
			if n := next(t, liSub); n.Kind != kind || n.UserID != li.UserID {
				t.Errorf("delivered %+v, want %s for li", n, kind)
			}
		}
		select {
		case n := <-wangSub:
			t.Errorf("wang received li's notification %+v", n)
		default:
		}
		for _, bad := range []struct {
			user        int64
			kind, title string
			code        models.Code
		}{{li.UserID, "lower", "t", models.CodeInvalid}, {li.UserID, "OK", "", models.CodeInvalid}, {999999, "OK", "t", models.CodeNotFound}} {
			if err := a.Notify(ctx, bad.user, bad.kind, bad.title, ""); models.CodeOf(err) != bad.code {
				t.Errorf("Notify(%d, %q, %q): %v, want %s", bad.user, bad.kind, bad.title, err, bad.code)
			}
		}
		for range MaxSubscriptions - 1 {
			if _, err := b.Subscribe(ctx, wang); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.Subscribe(ctx, wang); models.CodeOf(err) != models.CodeRateLimited {
			t.Errorf("subscription %d of one user: %v, want RATE_LIMITED", MaxSubscriptions+1, err)
		}
		b.Close()
		if _, ok := <-wangSub; ok {
			t.Error("a subscription outlived its server's Close")
		}
		if _, err := b.Subscribe(ctx, li); models.CodeOf(err) != models.CodeUnavailable {
			t.Errorf("subscribing to a stopped server: %v, want UNAVAILABLE", err)
		}
	})
}

// TestSchedulerLease: of two servers, the one holding the lease runs the
// jobs; the other runs them once the lease expired or was given up.
func TestSchedulerLease(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		runs := map[string]int{}
		sched := func(holder string) *Scheduler {
			return &Scheduler{Store: s, Holder: holder, Interval: time.Minute, Jobs: []Job{
				{Name: "count", Run: func(context.Context) error { runs[holder]++; return nil }},
				{Name: "fail", Run: func(context.Context) error { return errors.New("boom") }},
			}}
		}
		a, b := sched("a"), sched("b")
		for i, step := range []struct {
			s       *Scheduler
			advance time.Duration
			ran     bool
		}{{a, 0, true}, {b, 0, false}, {a, time.Minute, true}, {b, time.Minute, false}, {b, 3 * time.Minute, true}, {a, 0, false}} {
			clock.Advance(step.advance)
			ran, err := step.s.RunOnce(ctx)
			if ran != step.ran {
				t.Fatalf("step %d (%s): ran=%v, want %v", i, step.s.Holder, ran, step.ran)
			}
			if ran && (err == nil || err.Error() != "boom") {
				t.Errorf("step %d: %v, want the failing job's error", i, err)
			}
		}
		if runs["a"] != 2 || runs["b"] != 1 {
			t.Errorf("runs %v, want a twice and b once", runs)
		}
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		b.Run(stopped) // one run, then it gives the lease up
		if ran, _ := a.RunOnce(ctx); !ran {
			t.Error("a lease given up was not taken at once")
		}
	})
}
