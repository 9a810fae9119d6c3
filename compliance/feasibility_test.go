package compliance

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// TestR2FeasibleBruteForce checks the dynamic programme against trying
// every subset of the free dates, on short random calendars with rotations
// and random policies, under both readings.
func TestR2FeasibleBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 3000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 19))
		n := 1 + rng.IntN(16)
		counted, free, region := make([]bool, n), make([]bool, n), make([]int64, n)
		r := int64(1)
		var freeAt []int
		for i := range n {
			if rng.IntN(6) == 0 {
				r++ // a rotation
			}
			region[i] = r
			if rng.IntN(8) == 0 {
				region[i] = 0 // no dispatch that date
				continue
			}
			switch rng.IntN(3) {
			case 0:
				counted[i] = true
			case 1:
				free[i] = true
				freeAt = append(freeAt, i)
			}
		}
		tripDays, strict := 1+rng.IntN(4), rng.IntN(2) == 0
		reqDays, reqTrips := rng.IntN(n+2), rng.IntN(4)
		want := false
		for mask := 0; mask < 1<<len(freeAt) && !want; mask++ {
			all := append([]bool(nil), counted...)
			for j, i := range freeAt {
				all[i] = mask&(1<<j) != 0
			}
			days, trips := measureR2(all, region, tripDays, strict)
			want = days >= reqDays && trips >= reqTrips
		}
		if got := r2Feasible(counted, free, region, reqDays, reqTrips, tripDays, strict); got != want {
			t.Fatalf("seed %d: counted %v free %v region %v, %d days and %d trips of %d (strict %v): got %v, want %v",
				seed, counted, free, region, reqDays, reqTrips, tripDays, strict, got, want)
		}
	}
}

// randomFacts is a cadre late in 2026Q4 (at most 10 days left), with a
// random policy, dispatch history (a rotation, a late start), campus
// links, leave, days at the counties and campuses, talks and a random
// exception mode.
func randomFacts(t *testing.T, rng *rand.Rand) Facts {
	q := Quarter{2026, 4}
	last := q.LastDate()
	f := facts(t, last.AddDays(1-rng.IntN(11)).String())
	f.SchoolWorkGroup = true
	p := DefaultPolicy()
	p.MinDays, p.MinTrips, p.MinTripDays = 1+rng.IntN(14), rng.IntN(4), 1+rng.IntN(4)
	p.Reading = []Reading{ReadingDefault, ReadingStrict}[rng.IntN(2)]
	p.Exceptions = []ExceptionMode{ProRata, NoReduction, FullExemption, ProRata}[rng.IntN(4)]
	p.YearDays = 40 + rng.IntN(30)
	p.CampusDaysPerQuarter = rng.IntN(5)
	p.TalksPerHalfYear = rng.IntN(4)
	f.Policies = FixedTimeline(p, "random")
	start := q.FirstDate().AddDays(rng.IntN(60))
	if rng.IntN(2) == 0 {
		f.Assignments = []Assignment{{RegionID: lankao, Purpose: models.PurposeDispatch, From: start}}
	}
	if rng.IntN(2) == 0 {
		end := last.AddDays(-rng.IntN(20))
		f.Assignments[0].To = end
		f.Assignments = append(f.Assignments, Assignment{RegionID: qixian, Purpose: models.PurposeDispatch, From: end.AddDays(1)})
	}
	f.Assignments = append(f.Assignments, Assignment{RegionID: zzu, RegionName: "郑州大学", Purpose: models.PurposeCampusCapital,
		From: q.FirstDate().AddDays(rng.IntN(92))})
	if rng.IntN(3) == 0 {
		from := last.AddDays(-rng.IntN(20))
		f.Absences = []Absence{{Kind: AbsenceTraining, From: from, To: from.AddDays(rng.IntN(6))}}
	}
	regions := []int64{lankao, qixian, zzu, 99}
	for d := date(t, "2026-01-01"); d.Before(f.Today); d = d.AddDays(1) {
		if rng.IntN(3) == 0 {
			f.Days = append(f.Days, countedDay(regions[rng.IntN(len(regions))], d))
		}
		if rng.IntN(20) == 0 {
			f.Talks = &Talks{Dates: append(talksOf(f), d)}
		}
	}
	if f.Talks == nil {
		f.Talks = &Talks{}
	}
	// R3 and R9 near their numbers, so that some cases are still open.
	c := newCadre(f)
	r3 := c.r3(2026)
	p.YearDays = min(r3.Days()+rng.IntN(12), 365)
	p.TalksPerHalfYear = min(len(f.Talks.Dates)+rng.IntN(3), 10)
	p.CampusDaysPerQuarter = min(find(t, c.r4(q), "R4", "郑州大学").Days()+rng.IntN(8), 90)
	f.Policies = FixedTimeline(p, "random")
	return f
}

func talksOf(f Facts) []presence.Date {
	if f.Talks == nil {
		return nil
	}
	return f.Talks.Dates
}

// TestAtRiskAgreesWithBruteForce: on random small cases, a day rule's
// verdict is AT_RISK exactly when no schedule of the remaining dates — any
// set of them spent on site where the rule counts them — meets the rule.
// The schedules are tried through Evaluate itself, which measures days
// without the feasibility search.
func TestAtRiskAgreesWithBruteForce(t *testing.T) {
	q := Quarter{2026, 4}
	type rule struct {
		name string
		// where returns the region a day on d would count at for the
		// rule (0: none; for R9, a talk).
		where func(f Facts, d presence.Date) int64
		eval  func(t *testing.T, f Facts) Result
	}
	dispatchRegion := func(f Facts, d presence.Date) int64 {
		for _, a := range f.Assignments {
			if a.Purpose == models.PurposeDispatch && a.On(d) {
				return a.RegionID
			}
		}
		return 0
	}
	rules := []rule{
		{"R2", dispatchRegion, func(t *testing.T, f Facts) Result { return newCadre(f).r2(q) }},
		{"R3", func(Facts, presence.Date) int64 { return 99 }, func(t *testing.T, f Facts) Result { return newCadre(f).r3(2026) }},
		{"R4", func(f Facts, d presence.Date) int64 {
			if f.Assignments[len(f.Assignments)-1].On(d) {
				return zzu
			}
			return 0
		}, func(t *testing.T, f Facts) Result { return find(t, newCadre(f).r4(q), "R4", "郑州大学") }},
		{"R9", dispatchRegion, func(t *testing.T, f Facts) Result { return newCadre(f).r9(2026, 2) }},
	}
	seen := map[string]map[Status]int{}
	for seed := uint64(1); seed <= 400; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2026))
		f := randomFacts(t, rng)
		for _, r := range rules {
			got := r.eval(t, f)
			if seen[r.name] == nil {
				seen[r.name] = map[Status]int{}
			}
			seen[r.name][got.Status]++
			if got.Status == StatusMet || got.Status == StatusExempt || got.Status == StatusMissed {
				continue
			}
			var free []presence.Date
			c := newCadre(f)
			for d := f.Today; !d.After(q.LastDate()); d = d.AddDays(1) {
				region := r.where(f, d)
				if region == 0 || c.absent(d) {
					continue
				}
				if counted, _ := c.counts(region, d); counted && r.name != "R9" {
					continue
				}
				if r.name == "R3" && anyCounted(c, d) {
					continue
				}
				free = append(free, d)
			}
			canMeet := false
			for mask := 0; mask < 1<<len(free) && !canMeet; mask++ {
				g := f
				g.Days = append([]Day(nil), f.Days...)
				g.Talks = &Talks{Dates: append([]presence.Date(nil), talksOf(f)...)}
				for j, d := range free {
					if mask&(1<<j) == 0 {
						continue
					}
					if r.name == "R9" {
						g.Talks.Dates = append(g.Talks.Dates, d)
					} else {
						g.Days = append(g.Days, countedDay(r.where(f, d), d))
					}
				}
				canMeet = r.eval(t, g).Status == StatusMet
			}
			if want := map[bool]Status{true: StatusOnTrack, false: StatusAtRisk}[canMeet]; got.Status != want {
				t.Fatalf("seed %d %s: got %s, want %s (%d free dates %v): %s", seed, r.name, got.Status, want, len(free), free, got.Message)
			}
		}
	}
	t.Logf("statuses reached: %v", seen)
	for name, by := range seen {
		if by[StatusAtRisk] == 0 || by[StatusOnTrack] == 0 {
			t.Errorf("%s: the cases reach %v; want both ON_TRACK and AT_RISK", name, fmt.Sprint(by))
		}
	}
}

func anyCounted(c *cadre, d presence.Date) bool {
	for k := range c.gps {
		if k.date == d {
			return true
		}
	}
	for k := range c.madeUp {
		if k.date == d {
			return true
		}
	}
	return false
}
