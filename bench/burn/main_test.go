//go:build linux

package main

import "testing"

// TestScheduleTogether: with -together every processor draws the same gaps
// (so the whole machine stalls at once); without it each draws its own.
func TestScheduleTogether(t *testing.T) {
	for _, together := range []bool{true, false} {
		a, b := schedule(42, 0, together), schedule(42, 1, together)
		same := true
		for range 8 {
			if a.ExpFloat64() != b.ExpFloat64() {
				same = false
			}
		}
		if same != together {
			t.Errorf("together=%v: processors 0 and 1 drew the same gaps: %v", together, same)
		}
	}
}
