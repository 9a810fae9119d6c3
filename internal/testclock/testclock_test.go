package testclock

import (
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c := New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	if got, want := c.Advance(90*time.Minute), start.Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("Advance(90m) = %v, want %v", got, want)
	}
	c.Set(start.Add(-time.Hour))
	if got, want := c.Now(), start.Add(-time.Hour); !got.Equal(want) {
		t.Errorf("after Set, Now() = %v, want %v", got, want)
	}
}

// TestClockConcurrent advances the clock from many goroutines (run with
// -race): every step counts once.
func TestClockConcurrent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			c.Advance(time.Second)
			c.Now()
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(50*time.Second); !got.Equal(want) {
		t.Errorf("after 50 concurrent Advance(1s): %v, want %v", got, want)
	}
}
