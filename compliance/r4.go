package compliance

import (
	"fmt"

	"github.com/henan-youth/onsite/presence"
)

// Campus is a university linked to a member of the school-work leading
// group (R4): at least one in the city the member is dispatched to and at
// least one in the provincial capital.
type Campus struct {
	RegionID int64
	Name     string // for the explanation, e.g. "郑州大学"
}

// CampusDays is the R4 count at one linked campus.
type CampusDays struct {
	Campus
	Days int  // counted on-site days at the campus in the quarter
	Met  bool // Days ≥ CampusDaysPerQuarter
}

// R4Result is the R4 verdict for one cadre and one quarter
// (每季度至少分别到校工作1天).
type R4Result struct {
	Rule    string // always "R4"
	Quarter Quarter

	Campuses []CampusDays // one per linked campus, in the order given
	Required int          // CampusDaysPerQuarter

	// Met reports whether every linked campus has its days; false when no
	// campus is linked at all.
	Met bool

	// Achievable reports whether each campus short of days could still get
	// them on the days left in the quarter; true when already met.
	Achievable bool

	// DaysLeftInQuarter counts today to the quarter's last day inclusive.
	DaysLeftInQuarter int

	// Gaps explains, citing R4, each campus short of days; nil when Met.
	Gaps []string
}

// EvaluateR4 evaluates R4 for quarter q as of today: every campus in
// campuses needs p.CampusDaysPerQuarter days counted under pp inside q. Each
// campus is judged on its own days, so two campuses may be visited on the
// same date (each still needs its own MinCheckInsPerDay and MinDaySpan).
// Campus days also count toward R3; pass them to EvaluateR3 with the county
// days. EvaluateR4 does not validate its policies and cannot fail.
func EvaluateR4(days []presence.DayStat, campuses []Campus, q Quarter, p Policy,
	pp presence.Policy, today presence.Date) R4Result {
	r := R4Result{
		Rule: "R4", Quarter: q, Required: p.CampusDaysPerQuarter,
		DaysLeftInQuarter: daysLeft(q.FirstDate(), q.LastDate(), today),
		Met:               len(campuses) > 0,
		Achievable:        true,
	}
	if len(campuses) == 0 {
		r.Achievable = r.DaysLeftInQuarter > 0
		r.Gaps = []string{"R4: no campus linked; link one in the dispatch city and one in the provincial capital"}
		return r
	}
	for _, c := range campuses {
		counted := countedDates(days, pp, func(d presence.DayStat) bool {
			return d.RegionID == c.RegionID && q.Contains(d.Date)
		})
		cd := CampusDays{Campus: c, Days: len(counted), Met: len(counted) >= p.CampusDaysPerQuarter}
		r.Campuses = append(r.Campuses, cd)
		if cd.Met {
			continue
		}
		r.Met = false
		free := 0
		for d := latest(today, q.FirstDate()); !d.After(q.LastDate()); d = d.AddDays(1) {
			if !counted[d] {
				free++
			}
		}
		if cd.Days+free < p.CampusDaysPerQuarter {
			r.Achievable = false
		}
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("campus %d", c.RegionID)
		}
		r.Gaps = append(r.Gaps, fmt.Sprintf("R4: needs %s at %s this quarter (%d of %d)",
			more(p.CampusDaysPerQuarter-cd.Days, "on-site day", "on-site days"), name, cd.Days, p.CampusDaysPerQuarter))
	}
	if !r.Met {
		r.Gaps = append(r.Gaps, outlook("R4", r.Achievable, r.DaysLeftInQuarter, "quarter"))
	}
	return r
}
