package compliance

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/presence"
)

// dates expands "2026-10-05" and "2026-10-05..2026-10-07" (inclusive).
func dates(t *testing.T, specs ...string) []presence.Date {
	t.Helper()
	parse := func(s string) presence.Date {
		d, err := presence.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var out []presence.Date
	for _, s := range specs {
		from, to, ok := strings.Cut(s, "..")
		if !ok {
			to = from
		}
		for d := parse(from); !d.After(parse(to)); d = d.AddDays(1) {
			out = append(out, d)
		}
	}
	return out
}

// onsite returns counted days (08:00 and 13:00 in Shanghai) at region.
func onsite(t *testing.T, region int64, specs ...string) []presence.DayStat {
	t.Helper()
	return days(t, region, true, specs...)
}

// visited returns days with a single check-in at region: not counted.
func visited(t *testing.T, region int64, specs ...string) []presence.DayStat {
	t.Helper()
	return days(t, region, false, specs...)
}

func days(t *testing.T, region int64, counted bool, specs ...string) []presence.DayStat {
	t.Helper()
	loc := presence.ShanghaiLocation()
	var out []presence.DayStat
	for _, d := range dates(t, specs...) {
		s := presence.DayStat{RegionID: region, Date: d}.Add(d.In(loc).Add(8 * time.Hour))
		if counted {
			s = s.Add(d.In(loc).Add(13 * time.Hour))
		}
		out = append(out, s)
	}
	return out
}

func TestEvaluateR2(t *testing.T) {
	pp := presence.DefaultPolicy()
	q4 := Quarter{2026, 4}
	tests := []struct {
		name       string
		days       []presence.DayStat
		q          Quarter
		today      string
		wantDays   int
		wantTrips  int
		met        bool
		achievable bool
		left       int
		gaps       []string
	}{
		{"met", onsite(t, 1, "2026-10-05..2026-10-07", "2026-11-10..2026-11-12",
			"2026-12-01", "2026-12-03", "2026-12-05", "2026-12-08"),
			q4, "2026-12-20", 10, 2, true, true, 12, nil},
		{"short of days and one trip", onsite(t, 1, "2026-10-05..2026-10-07", "2026-11-10", "2026-11-20", "2026-12-01"),
			q4, "2026-12-20", 6, 1, false, true, 12, []string{
				"R2: needs 4 more on-site days (6 of 10)",
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: still achievable; 12 days left in the quarter",
			}},
		{"one day short", onsite(t, 1, "2026-10-05..2026-10-07", "2026-11-10..2026-11-13", "2026-12-01", "2026-12-03"),
			q4, "2026-12-20", 9, 2, false, true, 12, []string{
				"R2: needs one more on-site day (9 of 10)",
				"R2: still achievable; 12 days left in the quarter",
			}},
		{"trip across the quarter start counts its Q4 days only", slices.Concat(
			onsite(t, 1, "2026-09-29..2026-10-02", "2026-11-01..2026-11-03"),
			onsite(t, 1, "2026-11-20", "2026-11-22", "2026-11-24", "2026-11-26", "2026-11-28")),
			q4, "2026-12-29", 10, 1, false, true, 3, []string{
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: still achievable; 3 days left in the quarter",
			}},
		{"the same trip seen from Q3, ended", onsite(t, 1, "2026-09-29..2026-10-02", "2026-11-01..2026-11-03"),
			Quarter{2026, 3}, "2026-12-29", 2, 0, false, false, 0, []string{
				"R2: needs 8 more on-site days (2 of 10)",
				"R2: needs 2 more trips of ≥ 3 consecutive days (0 of 2)",
				"R2: not met; the quarter has ended",
			}},
		{"other counties and uncounted days do not count", slices.Concat(
			onsite(t, 2, "2026-10-01..2026-10-31"),
			visited(t, 1, "2026-11-01..2026-11-30"),
			onsite(t, 1, "2026-12-01..2026-12-03")),
			q4, "2026-12-04", 3, 1, false, true, 28, []string{
				"R2: needs 7 more on-site days (3 of 10)",
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: still achievable; 28 days left in the quarter",
			}},
		{"two days left cannot hold a 3-day trip", onsite(t, 1, "2026-10-05..2026-10-07",
			"2026-11-01", "2026-11-03", "2026-11-05", "2026-11-07", "2026-11-09", "2026-11-11", "2026-11-13"),
			q4, "2026-12-30", 10, 1, false, false, 2, []string{
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: can no longer be met; 2 days left in the quarter",
			}},
		{"today completes the running trip", onsite(t, 1, "2026-12-01..2026-12-03",
			"2026-11-01", "2026-11-03", "2026-11-05", "2026-11-07", "2026-11-09", "2026-12-29..2026-12-30"),
			q4, "2026-12-31", 10, 1, false, true, 1, []string{
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: still achievable; 1 day left in the quarter",
			}},
		{"three days left, but they would merge into the running trip", onsite(t, 1, "2026-12-24..2026-12-28",
			"2026-10-01", "2026-10-03", "2026-10-05", "2026-10-07", "2026-10-09"),
			q4, "2026-12-29", 10, 1, false, false, 3, []string{
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: can no longer be met; 3 days left in the quarter",
			}},
		{"quarter not begun", nil, q4, "2026-09-01", 0, 0, false, true, 92, []string{
			"R2: needs 10 more on-site days (0 of 10)",
			"R2: needs 2 more trips of ≥ 3 consecutive days (0 of 2)",
			"R2: still achievable; 92 days left in the quarter",
		}},
		{"duplicates count once; too few days left", onsite(t, 1, "2026-10-05..2026-10-07", "2026-11-10..2026-11-11",
			"2026-11-10..2026-11-12"),
			q4, "2026-12-29", 6, 2, false, false, 3, []string{
				"R2: needs 4 more on-site days (6 of 10)",
				"R2: can no longer be met; 3 days left in the quarter",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			today := dates(t, tt.today)[0]
			trips := presence.Trips(tt.days, pp)
			got := EvaluateR2(tt.days, trips, 1, tt.q, DefaultPolicy(), pp, today)
			if got.Rule != "R2" || got.RegionID != 1 || got.Quarter != tt.q {
				t.Errorf("Rule, RegionID, Quarter: got %s, %d, %v; want R2, 1, %v", got.Rule, got.RegionID, got.Quarter, tt.q)
			}
			if got.Days != tt.wantDays || got.QualifyingTrips != tt.wantTrips {
				t.Errorf("Days, QualifyingTrips: got %d, %d; want %d, %d", got.Days, got.QualifyingTrips, tt.wantDays, tt.wantTrips)
			}
			if got.Met != tt.met || got.Achievable != tt.achievable || got.DaysLeftInQuarter != tt.left {
				t.Errorf("Met, Achievable, DaysLeft: got %v, %v, %d; want %v, %v, %d",
					got.Met, got.Achievable, got.DaysLeftInQuarter, tt.met, tt.achievable, tt.left)
			}
			if !slices.Equal(got.Gaps, tt.gaps) {
				t.Errorf("Gaps:\ngot  %q\nwant %q", got.Gaps, tt.gaps)
			}
		})
	}
}

// TestR2AchievableBruteForce checks the dynamic programme against trying
// every subset of the days left, late in a quarter and with a small policy.
func TestR2AchievableBruteForce(t *testing.T) {
	q := Quarter{2026, 4}
	last := q.LastDate()
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2026))
		p := Policy{MinDays: 3 + rng.IntN(12), MinTrips: rng.IntN(4), MinTripDays: 1 + rng.IntN(4)}
		left := rng.IntN(11)
		today := last.AddDays(1 - left)
		counted := map[presence.Date]bool{}
		for d := q.FirstDate(); d.Before(today); d = d.AddDays(1) {
			if d.Sub(q.FirstDate()) > 60 && rng.IntN(2) == 0 { // past days near the end only
				counted[d] = true
			}
		}
		want := false
		for mask := 0; mask < 1<<left && !want; mask++ {
			all := map[presence.Date]bool{}
			for d := range counted {
				all[d] = true
			}
			for i := range left {
				if mask&(1<<i) != 0 {
					all[today.AddDays(i)] = true
				}
			}
			want = meets(all, q, p)
		}
		if got := r2Achievable(counted, q, p, today); got != want {
			t.Fatalf("seed %d (policy %+v, %d days left): got %v, want %v", seed, p, left, got, want)
		}
	}
}

// meets reports whether the counted dates meet R2 in q, the obvious way.
func meets(counted map[presence.Date]bool, q Quarter, p Policy) bool {
	days, trips, run := 0, 0, 0
	for d := q.FirstDate(); !d.After(q.LastDate()); d = d.AddDays(1) {
		if counted[d] {
			days++
			run++
			continue
		}
		if run >= p.MinTripDays {
			trips++
		}
		run = 0
	}
	if run >= p.MinTripDays {
		trips++
	}
	return days >= p.MinDays && trips >= p.MinTrips
}
