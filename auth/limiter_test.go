package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
)

// newClock returns the tests' clock, standing at a fixed Monday morning.
func newClock() *testclock.Clock {
	return testclock.New(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
}

// step is one call in a limiter script.
type step struct {
	op      string        // "allow", "fail", "done", "reset" or "wait"
	key     string        // "u" when empty
	d       time.Duration // for "wait"
	wantErr string        // for "allow": "" means allowed, else a part of the RATE_LIMITED message
}

func allow(want string) step    { return step{op: "allow", wantErr: want} }
func fail() step                { return step{op: "fail"} }
func wait(d time.Duration) step { return step{op: "wait", d: d} }

// attempts returns n failed attempts: Allow then Fail.
func attempts(n int) []step {
	var s []step
	for range n {
		s = append(s, allow(""), fail())
	}
	return s
}

func TestLimiterScripts(t *testing.T) {
	const limited = "too many attempts"
	tests := []struct {
		name  string
		steps []step
	}{
		{"N failures then refused", append(attempts(3), allow(limited))},
		{"refusal says when to retry", append(attempts(3), wait(4*time.Minute), allow("retry after 360 seconds"))},
		{"retry-after rounds up", append(attempts(3), wait(10*time.Minute-1500*time.Millisecond), allow("retry after 2 seconds"))},
		{"refusals do not extend the window", append(attempts(3), allow(limited), wait(5*time.Minute), allow(limited), wait(5*time.Minute), allow(""))},
		{"window expiry lets in again", append(attempts(3), allow(limited), wait(10*time.Minute), allow(""), fail(), allow(""))},
		{"window starts at the first attempt", append(append(attempts(2), wait(9*time.Minute)), append(attempts(1), allow(limited), wait(time.Minute), allow(""))...)},
		{"failures below the limit", append(attempts(2), allow(""))},
		{"Reset clears", append(attempts(3), allow(limited), step{op: "reset"}, allow(""), fail(), allow(""), fail(), allow(""))},
		{"keys are independent", append(attempts(3), allow(limited), step{op: "allow", key: "other"})},
		{"Reset of another key changes nothing", append(attempts(3), step{op: "reset", key: "other"}, allow(limited))},
		{"attempts in progress count", []step{allow(""), allow(""), allow(""), allow(limited)}},
		{"Done releases an attempt in progress", []step{allow(""), allow(""), allow(""), {op: "done"}, allow(""), allow(limited)}},
		{"Done keeps failures", append(attempts(2), allow(""), step{op: "done"}, allow(""), fail(), allow(limited))},
		{"Done without Allow is harmless", []step{{op: "done"}, {op: "done"}, allow(""), allow(""), allow(""), allow(limited)}},
		{"Fail without Allow counts", []step{fail(), fail(), fail(), allow(limited)}},
		{"unreported reservations lapse with the window", []step{allow(""), allow(""), allow(""), allow(limited), wait(10 * time.Minute), allow("")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			l := NewLimiter(3, 10*time.Minute, clock.Now)
			for i, s := range tt.steps {
				key := s.key
				if key == "" {
					key = "u"
				}
				switch s.op {
				case "allow":
					err := l.Allow(key)
					if s.wantErr == "" && err != nil {
						t.Fatalf("step %d: Allow(%s) = %v, want nil", i, key, err)
					}
					if s.wantErr != "" && (!errors.Is(err, models.ErrRateLimited) || !strings.Contains(messageOf(err), s.wantErr)) {
						t.Fatalf("step %d: Allow(%s) = %v, want RATE_LIMITED %q", i, key, err, s.wantErr)
					}
				case "fail":
					l.Fail(key)
				case "done":
					l.Done(key)
				case "reset":
					l.Reset(key)
				case "wait":
					clock.Advance(s.d)
				default:
					t.Fatalf("step %d: unknown op %q", i, s.op)
				}
			}
		})
	}
}

func TestLimiterMemoryBound(t *testing.T) {
	clock := newClock()
	l := NewLimiter(1, time.Minute, clock.Now)
	l.maxKeys = 3
	for _, k := range []string{"a", "b", "c", "d"} {
		l.Fail(k)
		clock.Advance(time.Second)
	}
	if got, want := len(l.byKey), 3; got != want {
		t.Errorf("keys = %d, want %d", got, want)
	}
	if err := l.Allow("a"); err != nil {
		t.Errorf("Allow(evicted oldest key) = %v, want nil", err)
	}
	if err := l.Allow("d"); !errors.Is(err, models.ErrRateLimited) {
		t.Errorf("Allow(newest key) = %v, want RATE_LIMITED", err)
	}

	// Expired entries are dropped by any later call.
	clock.Advance(time.Hour)
	if err := l.Allow("e"); err != nil {
		t.Fatal(err)
	}
	if got, want := len(l.byKey), 1; got != want {
		t.Errorf("keys after the windows passed = %d, want %d", got, want)
	}
	if got, want := l.order.Len(), len(l.byKey); got != want {
		t.Errorf("order list has %d entries, map %d", got, want)
	}
	l.Done("e")
	if got, want := len(l.byKey), 0; got != want {
		t.Errorf("keys after Done of a clean key = %d, want %d", got, want)
	}
}

func TestLimiterConcurrentAttempts(t *testing.T) {
	// Many attempts at once for one key: exactly the limit gets through,
	// even though none has failed yet when the others ask.
	clock := newClock()
	l := NewLimiter(5, time.Minute, clock.Now)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if l.Allow("user:zhang") == nil {
				allowed.Add(1)
				l.Fail("user:zhang")
			}
		})
	}
	wg.Wait()
	if got, want := allowed.Load(), int64(5); got != want {
		t.Errorf("allowed = %d, want %d", got, want)
	}
}

func TestLimiterConcurrentMixed(t *testing.T) {
	clock := newClock()
	l := NewLimiter(3, time.Minute, clock.Now)
	l.maxKeys = 50
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprintf("k%d", (g*31+i)%80)
				if l.Allow(key) == nil {
					switch i % 3 {
					case 0:
						l.Fail(key)
					case 1:
						l.Done(key)
					default:
						l.Reset(key)
					}
				}
				if i%100 == 0 {
					clock.Advance(10 * time.Second)
				}
			}
		})
	}
	wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if got, want := l.order.Len(), len(l.byKey); got != want || got > 50 {
		t.Errorf("order list has %d entries, map %d; want equal and <= 50", got, want)
	}
}

func TestNewLimiterPanics(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		window time.Duration
	}{
		{"zero limit", 0, time.Minute},
		{"zero window", 1, 0},
		{"negative window", 1, -time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%d, %v) did not panic", tt.limit, tt.window)
				}
			}()
			NewLimiter(tt.limit, tt.window, nil)
		})
	}
}

func TestLimiterKeys(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{UserKey("Zhang.Wei"), "user:zhang.wei"},
		{UserKey("  zhang.wei "), "user:zhang.wei"},
		{UserKey("李娜"), "user:李娜"},
		{AddrKey(netip.MustParseAddr("203.0.113.7")), "ip:203.0.113.7"},
		{AddrKey(netip.MustParseAddr("::ffff:203.0.113.7")), "ip:203.0.113.7"},
		{AddrKey(netip.MustParseAddr("2001:db8:1:2:3:4:5:6")), "ip:2001:db8:1:2::/64"},
		{AddrKey(netip.MustParseAddr("2001:db8:1:2:ffff::1")), "ip:2001:db8:1:2::/64"},
		{AddrKey(netip.MustParseAddr("fe80::1%eth0")), "ip:fe80::/64"},
		{AddrKey(netip.Addr{}), "ip:invalid"},
		{AccountKey(" Zhang.Wei", 3), "user:zhang.wei#3"},
		{PairKey(AccountKey("zhang.wei", 0), netip.MustParseAddr("203.0.113.7")), "user:zhang.wei#0|ip:203.0.113.7"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
