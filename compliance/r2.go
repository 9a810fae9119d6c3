package compliance

import (
	"fmt"

	"github.com/henan-youth/onsite/presence"
)

// R2Result is the R2 verdict for one cadre, one county and one quarter
// (每季度到县工作不少于10天、不少于2次，每次不少于3天).
type R2Result struct {
	Rule     string // always "R2"
	Quarter  Quarter
	RegionID int64 // the assigned county

	Days            int // counted on-site days at the county in the quarter
	QualifyingTrips int // trips of at least MinTripDays days inside the quarter

	// The policy numbers the verdict was computed with.
	MinDays, MinTrips, MinTripDays int

	Met bool

	// Achievable reports whether R2 can still be met with on-site days from
	// today to the end of the quarter; true when already met.
	Achievable bool

	// DaysLeftInQuarter counts today to the quarter's last day inclusive
	// (every day of the quarter if it has not begun, 0 once it has ended).
	DaysLeftInQuarter int

	// Gaps explains, citing R2, what is missing and whether it can still be
	// made up; nil when Met.
	Gaps []string
}

// EvaluateR2 evaluates R2 for the county regionID in quarter q as of today.
//
// Only days counted under pp (presence.DayStat.Counted) at regionID whose
// date falls in q count, each date once. Trips are those at regionID, as
// presence.Trips builds them from the same days, clipped to q: a trip that
// spans a quarter boundary counts only its days inside q, because R2 is
// measured per quarter ("每季度…每次不少于3天"). A trip from 30 March to
// 2 April is two days in Q1 and two in Q2 and qualifies in neither.
//
// Rotation (R5) is the caller's business: pass the days that fall in the
// validity period of the assignment to regionID.
//
// EvaluateR2 does not validate its policies; validate them when loading.
// It cannot fail.
func EvaluateR2(days []presence.DayStat, trips []presence.Trip, regionID int64, q Quarter,
	p Policy, pp presence.Policy, today presence.Date) R2Result {
	counted := countedDates(days, pp, func(d presence.DayStat) bool {
		return d.RegionID == regionID && q.Contains(d.Date)
	})
	r := R2Result{
		Rule: "R2", Quarter: q, RegionID: regionID,
		Days:    len(counted),
		MinDays: p.MinDays, MinTrips: p.MinTrips, MinTripDays: p.MinTripDays,
		DaysLeftInQuarter: daysLeft(q.FirstDate(), q.LastDate(), today),
	}
	first, last := q.FirstDate(), q.LastDate()
	for _, t := range trips {
		if t.RegionID != regionID {
			continue
		}
		start, end := latest(t.Start, first), earliest(t.End, last)
		if !start.After(end) && end.Sub(start)+1 >= p.MinTripDays {
			r.QualifyingTrips++
		}
	}
	r.Met = r.Days >= p.MinDays && r.QualifyingTrips >= p.MinTrips
	r.Achievable = r.Met || (r.DaysLeftInQuarter > 0 && r2Achievable(counted, q, p, today))
	if r.Met {
		return r
	}
	if n := p.MinDays - r.Days; n > 0 {
		r.Gaps = append(r.Gaps, fmt.Sprintf("R2: needs %s (%d of %d)", more(n, "on-site day", "on-site days"), r.Days, p.MinDays))
	}
	if n := p.MinTrips - r.QualifyingTrips; n > 0 {
		r.Gaps = append(r.Gaps, fmt.Sprintf("R2: needs %s of ≥ %d consecutive days (%d of %d)",
			more(n, "trip", "trips"), p.MinTripDays, r.QualifyingTrips, p.MinTrips))
	}
	r.Gaps = append(r.Gaps, outlook("R2", r.Achievable, r.DaysLeftInQuarter, "quarter"))
	return r
}

// r2Achievable reports whether some choice of further on-site days, on dates
// from today to the quarter's end that are not yet counted, meets R2. Days
// before today are settled. It walks the quarter once, keeping for each
// (length of the current run, capped at MinTripDays; qualifying trips so
// far, capped at MinTrips) the most days reachable: a dynamic programme over
// at most 92 days and a handful of states.
func r2Achievable(counted map[presence.Date]bool, q Quarter, p Policy, today presence.Date) bool {
	runCap, tripCap := p.MinTripDays, p.MinTrips
	width := tripCap + 1
	const unreachable = -1
	best := make([]int, (runCap+1)*width) // best[run*width+trips] = most days
	next := make([]int, len(best))
	for i := range best {
		best[i] = unreachable
	}
	best[0] = 0
	for d := q.FirstDate(); !d.After(q.LastDate()); d = d.AddDays(1) {
		mustCount := counted[d]                   // counted days stay counted
		canCount := mustCount || !d.Before(today) // past days are settled
		for i := range next {
			next[i] = unreachable
		}
		for i, days := range best {
			if days == unreachable {
				continue
			}
			run, trips := i/width, i%width
			if !mustCount { // not on site that day: the run breaks
				next[trips] = max(next[trips], days)
			}
			if canCount { // on site: the run grows, and qualifies on reaching runCap
				r, t := min(run+1, runCap), trips
				if run+1 == runCap {
					t = min(trips+1, tripCap)
				}
				next[r*width+t] = max(next[r*width+t], days+1)
			}
		}
		best, next = next, best
	}
	for run := 0; run <= runCap; run++ {
		if best[run*width+tripCap] >= p.MinDays {
			return true
		}
	}
	return false
}

// countedDates returns the distinct dates of the days that keep selects and
// that count under pp.
func countedDates(days []presence.DayStat, pp presence.Policy, keep func(presence.DayStat) bool) map[presence.Date]bool {
	dates := make(map[presence.Date]bool)
	for _, d := range days {
		if keep(d) && d.Counted(pp) {
			dates[d.Date] = true
		}
	}
	return dates
}

// outlook is the last gap line: whether the rule can still be met, and the
// days left in the period.
func outlook(rule string, achievable bool, left int, period string) string {
	switch {
	case left == 0:
		return fmt.Sprintf("%s: not met; the %s has ended", rule, period)
	case achievable:
		return fmt.Sprintf("%s: still achievable; %s left in the %s", rule, plural(left, "day", "days"), period)
	default:
		return fmt.Sprintf("%s: can no longer be met; %s left in the %s", rule, plural(left, "day", "days"), period)
	}
}

// more returns "one more trip" or "3 more trips".
func more(n int, one, many string) string {
	if n == 1 {
		return "one more " + one
	}
	return fmt.Sprintf("%d more %s", n, many)
}

// plural returns "1 day" or "12 days".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func latest(a, b presence.Date) presence.Date {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b presence.Date) presence.Date {
	if a.Before(b) {
		return a
	}
	return b
}
