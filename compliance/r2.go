package compliance

import "fmt"

// r2 is R2 for quarter q (每季度到县工作不少于10天、不少于2次，每次不少于3天).
//
// A date counts at the county of the DISPATCH assignment in force on that
// date (R5): after a rotation the days before it count at the old county
// and the days after at the new one, and a day at a county before its
// assignment began counts toward R3 only. A visit is a maximal run of
// consecutive counted dates at one county inside the quarter: a rotation
// ends it, and so do the quarter's edges (a visit from 30 March to 2 April
// is two days in each quarter). Under the DEFAULT reading every counted
// date counts toward the days; under STRICT only the dates of visits of at
// least MinTripDays do.
func (c *cadre) r2(q Quarter) Result {
	p := quarterPeriod(q)
	eff, begun := c.policyFor(p)
	r := newResult("R2", p, eff, c.Today)
	zh, en := p.label(c.Today)
	if !begun {
		return r.exempt("行动方案自 2022 年 3 月起施行，该期不考核", "the action plan applies from March 2022")
	}
	pol := eff.Policy
	n := p.days()
	region := make([]int64, n)
	for i := range n {
		if a, ok := c.dispatchOn(p.date(i)); ok {
			region[i] = a.RegionID
			r.RegionID = a.RegionID
		}
	}
	s := c.scope(p, pol.Exceptions, func(i int) bool { return region[i] != 0 })
	r.CoveredDays = s.covered
	if why, whyEN, ok := s.exemption(zh, en); ok {
		return r.exempt(why, whyEN)
	}
	counted := make([]bool, n)
	free := make([]bool, n) // dates on which a further on-site day may still count
	for i := range n {
		d := p.date(i)
		if region[i] == 0 {
			continue
		}
		var madeUp bool
		counted[i], madeUp = c.counts(region[i], d)
		if madeUp {
			r.MadeUpDays++
		}
		free[i] = !counted[i] && s.on[i] && !d.Before(c.Today)
	}
	strict := pol.Reading == ReadingStrict
	days, trips := measureR2(counted, region, pol.MinTripDays, strict)
	reqDays, reqTrips := s.require(pol.MinDays), s.require(pol.MinTrips)
	if s.mode == ProRata && s.covered < s.total {
		// A reduced requirement never asks for more than the dates in
		// scope can hold: days on them, visits of MinTripDays within them.
		reqDays, reqTrips = min(reqDays, s.covered), min(reqTrips, visitsThatFit(s.on, region, pol.MinTripDays))
	}
	t := pol.MinTripDays
	r.Numbers = []Number{
		count("days", "到县工作天数", "on-site days", "天", days, reqDays, pol.MinDays,
			func(n int) string { return fmt.Sprintf("到县工作 %d 天", n) },
			func(n int) string { return more(n, "on-site day", "on-site days") }),
		count("trips", fmt.Sprintf("不少于 %d 天的下沉", t), fmt.Sprintf("trips of at least %d days", t), "次", trips, reqTrips, pol.MinTrips,
			func(n int) string { return fmt.Sprintf("%d 次不少于 %d 天的下沉", n, t) },
			func(n int) string {
				return more(n, fmt.Sprintf("trip of ≥ %d consecutive days", t), fmt.Sprintf("trips of ≥ %d consecutive days", t))
			}),
	}
	achievable := r2Feasible(counted, free, region, reqDays, reqTrips, t, strict)
	noteZH, noteEN := "", ""
	if strict {
		noteZH, noteEN = fmt.Sprintf("（每次下沉均须不少于 %d 天）", t), fmt.Sprintf(" (strict reading: only trips of at least %d days count)", t)
	}
	return c.finish(&r, p, s, achievable, noteZH, noteEN)
}

// measureR2 returns R2's days and qualifying visits: counted[i] says
// whether the period's i-th date counts at region[i], its county. Visits
// are maximal runs of counted dates at one county; a visit qualifies with
// at least t dates. strict counts only the dates of qualifying visits.
func measureR2(counted []bool, region []int64, t int, strict bool) (days, trips int) {
	run := 0
	end := func() {
		if run >= t {
			trips++
		}
		if run >= t || !strict {
			days += run
		}
		run = 0
	}
	for i := range counted {
		if i > 0 && (!counted[i] || region[i] != region[i-1]) {
			end()
		}
		if counted[i] {
			run++
		}
	}
	end()
	return days, trips
}

// visitsThatFit returns how many visits of t dates, a date apart, fit in
// the runs of dates in scope at one county.
func visitsThatFit(on []bool, region []int64, t int) int {
	fit, run := 0, 0
	for i := range on {
		if i > 0 && (!on[i] || region[i] != region[i-1]) {
			fit, run = fit+(run+1)/(t+1), 0
		}
		if on[i] {
			run++
		}
	}
	return fit + (run+1)/(t+1)
}

// r2Feasible reports whether some set of the free dates, added to the
// counted ones, gives at least reqDays days and reqTrips qualifying visits
// as measureR2 counts them. It walks the dates once, keeping for each
// (length of the current visit, capped at t; qualifying visits so far,
// capped at reqTrips) the most days reachable: a dynamic programme over at
// most 92 dates and a few dozen states, exact because measureR2's counts
// depend on the past only through those two numbers.
func r2Feasible(counted, free []bool, region []int64, reqDays, reqTrips, t int, strict bool) bool {
	width := reqTrips + 1
	const unreachable = -1
	best := make([]int, (t+1)*width) // best[run*width+trips] = most days
	next := make([]int, len(best))
	for i := range best {
		best[i] = unreachable
	}
	best[0] = 0
	for i := range counted {
		if i > 0 && region[i] != region[i-1] { // another county: the visit ends
			for j := width; j < len(best); j++ {
				best[j%width] = max(best[j%width], best[j])
				best[j] = unreachable
			}
		}
		for j := range next {
			next[j] = unreachable
		}
		for j, days := range best {
			if days == unreachable {
				continue
			}
			run, trips := j/width, j%width
			if !counted[i] { // not on site that date: the visit ends
				next[trips] = max(next[trips], days)
			}
			if counted[i] || free[i] { // on site: the visit grows
				nr, nt, nd := min(run+1, t), trips, days
				switch {
				case run+1 == t: // it qualifies now: under STRICT all its dates count
					nt = min(trips+1, reqTrips)
					if strict {
						nd += t
					} else {
						nd++
					}
				case run >= t || !strict:
					nd++
				}
				next[nr*width+nt] = max(next[nr*width+nt], nd)
			}
		}
		best, next = next, best
	}
	for run := 0; run <= t; run++ {
		if best[run*width+reqTrips] >= reqDays {
			return true
		}
	}
	return false
}
