package auth

import (
	"testing"
	"time"

	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
)

// TestBackoffScript runs one key through free failures, doubling delays up
// to the maximum, a forgotten stretch and a reset; other keys are
// untouched.
func TestBackoffScript(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	b := NewBackoff(2, time.Second, 4*time.Second, time.Hour, clock.Now)
	type step struct {
		advance time.Duration
		op      string // allow, fail, reset
		key     string
		want    models.Code // for allow
	}
	for i, s := range []step{
		{0, "allow", "a", ""}, {0, "fail", "a", ""},
		{0, "allow", "a", ""}, {0, "fail", "a", ""}, // two free failures
		{0, "allow", "a", models.CodeRateLimited}, // now 1 s
		{0, "allow", "b", ""},                     // another key
		{999 * time.Millisecond, "allow", "a", models.CodeRateLimited},
		{time.Millisecond, "allow", "a", ""}, // reserved: the next waits too
		{0, "allow", "a", models.CodeRateLimited},
		{0, "fail", "a", ""}, // 3 failures: 2 s
		{1999 * time.Millisecond, "allow", "a", models.CodeRateLimited},
		{time.Millisecond, "allow", "a", ""}, {0, "fail", "a", ""}, // 4: 4 s
		{4 * time.Second, "allow", "a", ""}, {0, "fail", "a", ""}, // 5: still 4 s, the maximum
		{3999 * time.Millisecond, "allow", "a", models.CodeRateLimited},
		{time.Millisecond, "allow", "a", ""},
		{0, "reset", "a", ""},
		{0, "allow", "a", ""}, {0, "fail", "a", ""}, {0, "allow", "a", ""}, {0, "fail", "a", ""},
		{0, "allow", "a", models.CodeRateLimited},
		{time.Hour, "allow", "a", ""}, // forgotten an hour after the last failure
		{0, "allow", "a", ""},
	} {
		clock.Advance(s.advance)
		switch s.op {
		case "allow":
			err := b.Allow(s.key)
			got := models.Code("")
			if err != nil {
				got = models.CodeOf(err)
			}
			if got != s.want {
				t.Fatalf("step %d: Allow(%s) = %q, want %q", i, s.key, got, s.want)
			}
		case "fail":
			b.Fail(s.key)
		case "reset":
			b.Reset(s.key)
		}
	}
}

func TestBackoffMemoryBound(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	b := NewBackoff(1, time.Second, time.Minute, time.Hour, clock.Now)
	b.maxKeys = 10
	for i := range 25 {
		b.Fail(string(rune('a' + i)))
	}
	if n := len(b.m); n > 10 {
		t.Errorf("%d keys kept, want at most 10", n)
	}
}
