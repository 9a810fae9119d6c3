package main

import (
	"strings"
	"testing"
	"time"
)

func TestHiccupsAdd(t *testing.T) {
	const msec = time.Millisecond // not ms: that is the package's formatter
	for _, tc := range []struct {
		name   string
		late   []time.Duration
		want   hiccups
		output string
	}{
		{"none", nil, hiccups{steal: -1}, "max 0.0ms, 0 over 10ms (0.0ms late in all), 0 over 50ms"},
		{"small, one early", []time.Duration{-msec / 10, msec / 10, 2 * msec}, hiccups{samples: 3, max: 2 * msec, steal: -1}, "max 2.0ms, 0 over 10ms"},
		{"one pause", []time.Duration{msec, 120 * msec, 10 * msec, 11 * msec}, hiccups{samples: 4, max: 120 * msec, over10: 2, over50: 1, lateOver: 131 * msec, steal: -1},
			"max 120.0ms, 2 over 10ms (131.0ms late in all), 1 over 50ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hiccups{steal: -1}
			for _, d := range tc.late {
				got.add(d)
			}
			if got != tc.want {
				t.Fatalf("after adding %v: %+v, want %+v", tc.late, got, tc.want)
			}
			if s := got.String(); !strings.Contains(s, tc.output) || strings.Contains(s, "steal") {
				t.Fatalf("String = %q, want it to contain %q and no steal (unknown)", s, tc.output)
			}
		})
	}
}

func TestParseSteal(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       float64
	}{
		{"linux", "cpu  4705 150 1120 16250 520 0 30 250 0 0\ncpu0 2352 75 560 8125 260 0 15 125 0 0\n", 2.5},
		{"no steal column", "cpu  4705 150 1120 16250 520 0 30\n", -1},
		{"not a number", "cpu  4705 150 1120 16250 520 0 30 x 0 0\n", -1},
		{"no cpu line", "intr 1 2 3\n", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseSteal(strings.NewReader(tc.stat)); got != tc.want {
				t.Fatalf("parseSteal = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHiccupMeterSamples checks that the meter wakes and counts while it
// runs; it asserts nothing about how late (that is the machine's).
func TestHiccupMeterSamples(t *testing.T) {
	m := startHiccups()
	time.Sleep(30 * time.Millisecond)
	h := m.stop()
	if h.samples == 0 || h.wall < 30*time.Millisecond {
		t.Fatalf("meter over 30ms: %d samples, wall %v", h.samples, h.wall)
	}
	if h.over10 > h.samples || h.over50 > h.over10 {
		t.Fatalf("inconsistent counts: %+v", h)
	}
}

// TestPrintHiccupsUnmeasured checks that a phase without a meter (no
// samples) prints no hiccup line rather than a row of zeros.
func TestPrintHiccupsUnmeasured(t *testing.T) {
	var b strings.Builder
	printHiccups(&b, hiccups{})
	if b.Len() != 0 {
		t.Fatalf("unmeasured phase printed %q", b.String())
	}
	printHiccups(&b, hiccups{samples: 1, steal: -1})
	if !strings.HasPrefix(b.String(), "machine hiccups") {
		t.Fatalf("measured phase printed %q", b.String())
	}
}
