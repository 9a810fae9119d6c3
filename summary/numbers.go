package summary

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Numbers are a period's numbers as a cadre's summary shows them: for a
// quarterly summary its quarter, for an annual report each quarter of the
// year begun so far. A submission stores them as its snapshot (JSON); the
// same numbers computed now are the live ones.
type Numbers struct {
	TakenAt  time.Time        `json:"takenAt"`
	Quarters []QuarterNumbers `json:"quarters"`
}

// QuarterNumbers are one quarter's: presence at the dispatch county (R2),
// on-site days anywhere, youth work by kind (R6) and lectures over the year
// (R7), and the cadre's follow-up cases.
type QuarterNumbers struct {
	Quarter           string        `json:"quarter"`
	County            string        `json:"county"`     // the dispatch county's name; "" without one
	OnSiteDays        int           `json:"onSiteDays"` // counted dates at any county or campus
	CountyDays        int           `json:"countyDays"` // counted dates at the dispatch county (R2)
	Trips             int           `json:"trips"`      // trips at the dispatch county
	QualifyingTrips   int           `json:"qualifyingTrips"`
	R2Met             *bool         `json:"r2Met"` // nil without a dispatch county
	R2Gaps            []string      `json:"r2Gaps"`
	Activities        []KindNumbers `json:"activities"`
	Lectures          KindNumbers   `json:"lectures"` // the calendar year up to the quarter's end
	OpenFollowUps     int           `json:"openFollowUps"`
	ResolvedFollowUps int           `json:"resolvedFollowUps"`
}

// KindNumbers are one kind of activity's numbers.
type KindNumbers struct {
	Kind     models.ActivityKind `json:"kind"`
	Recorded int                 `json:"recorded"`
	Counting int                 `json:"counting"`
	Required int                 `json:"required"`
}

// Change is one number that differs between a snapshot and now.
type Change struct {
	Quarter string
	Field   string // e.g. "countyDays", "activities.INTERVIEW_YOUTH.counting"
	Was     string
	Now     string
}

// numbers computes the numbers of userID's period as p sees them now.
// Quarters of an annual report that have not begun are left out.
func (s *Service) numbers(ctx context.Context, p *authz.Principal, userID int64, per Period) (*Numbers, error) {
	now := s.Now()
	today := presence.DateOf(now, s.Policy.Location)
	out := &Numbers{TakenAt: now.UTC().Truncate(time.Millisecond), Quarters: []QuarterNumbers{}}
	for _, q := range per.Quarters() {
		if per.Quarter == 0 && q.Q > 1 && today.Before(q.FirstDate()) {
			break
		}
		qn, err := s.quarterNumbers(ctx, p, userID, q)
		if err != nil {
			return nil, err
		}
		out.Quarters = append(out.Quarters, *qn)
	}
	return out, nil
}

func (s *Service) quarterNumbers(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter) (*QuarterNumbers, error) {
	pres, err := s.CheckIns.Quarter(ctx, p, userID, q.Year, q.Q)
	if err != nil {
		return nil, err
	}
	work, err := s.Activities.Summary(ctx, p, s.Rules, userID, q.Year, q.Q)
	if err != nil {
		return nil, err
	}
	out := &QuarterNumbers{Quarter: q.String(), R2Gaps: []string{}, Activities: []KindNumbers{},
		OpenFollowUps:     work.FollowUps[models.FollowUpOpen] + work.FollowUps[models.FollowUpInProgress],
		ResolvedFollowUps: work.FollowUps[models.FollowUpResolved] + work.FollowUps[models.FollowUpReferred]}
	dates := map[string]bool{}
	for _, d := range pres.Days {
		if d.Counted {
			dates[d.Date] = true
		}
	}
	out.OnSiteDays = len(dates)
	if pres.CountyID != nil {
		if r := s.CheckIns.Regions.Get(*pres.CountyID); r != nil {
			out.County = r.Name
		}
		for _, t := range pres.Trips {
			if t.RegionID == *pres.CountyID {
				out.Trips++
			}
		}
	}
	r2, err := s.Verdicts.R2(ctx, p, userID, q.Year, q.Q)
	if err != nil {
		return nil, err
	}
	if r2.Status != compliance.StatusExempt { // exempt: no county to count
		met := r2.Met()
		out.CountyDays, out.QualifyingTrips, out.R2Met = r2.Days(), r2.QualifyingTrips(), &met
		out.R2Gaps = append(out.R2Gaps, r2.Gaps...)
	}
	for _, k := range work.Kinds {
		out.Activities = append(out.Activities, KindNumbers{Kind: k.Kind, Recorded: k.Recorded, Counting: k.Counting, Required: k.Required})
	}
	l := work.Lectures
	out.Lectures = KindNumbers{Kind: l.Kind, Recorded: l.Recorded, Counting: l.Counting, Required: l.Required}
	return out, nil
}

// encode writes n as a snapshot: JSON, fields in a fixed order.
func encode(n *Numbers) (string, error) {
	b, err := json.Marshal(n)
	if err != nil {
		return "", models.Wrap(models.CodeInternal, err, "encoding the snapshot")
	}
	return string(b), nil
}

// Snapshot decodes a version's snapshot; INTERNAL when it does not decode.
func Snapshot(v *models.SummaryVersion) (*Numbers, error) {
	var n Numbers
	if err := json.Unmarshal([]byte(v.Snapshot), &n); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "stored snapshot does not decode")
	}
	return &n, nil
}

// Diff lists the numbers that differ between was and now, quarter by
// quarter; the dates they were taken and R2's gap sentences (which name the
// days left) are not compared. A quarter present in only one of them
// differs in its on-site days.
func Diff(was, now *Numbers) []Change {
	var out []Change
	old := map[string]QuarterNumbers{}
	for _, q := range was.Quarters {
		old[q.Quarter] = q
	}
	for _, n := range now.Quarters {
		o, ok := old[n.Quarter]
		if !ok {
			o = QuarterNumbers{Quarter: n.Quarter}
		}
		out = append(out, diffQuarter(o, n)...)
	}
	return out
}

func diffQuarter(o, n QuarterNumbers) []Change {
	var out []Change
	add := func(field, was, now string) {
		if was != now {
			out = append(out, Change{Quarter: n.Quarter, Field: field, Was: was, Now: now})
		}
	}
	num := strconv.Itoa
	add("county", o.County, n.County)
	add("onSiteDays", num(o.OnSiteDays), num(n.OnSiteDays))
	add("countyDays", num(o.CountyDays), num(n.CountyDays))
	add("trips", num(o.Trips), num(n.Trips))
	add("qualifyingTrips", num(o.QualifyingTrips), num(n.QualifyingTrips))
	add("r2Met", optBool(o.R2Met), optBool(n.R2Met))
	kinds := map[models.ActivityKind]KindNumbers{}
	for _, k := range o.Activities {
		kinds[k.Kind] = k
	}
	for _, k := range n.Activities {
		ok := kinds[k.Kind]
		add(fmt.Sprintf("activities.%s.recorded", k.Kind), num(ok.Recorded), num(k.Recorded))
		add(fmt.Sprintf("activities.%s.counting", k.Kind), num(ok.Counting), num(k.Counting))
	}
	add("lectures.recorded", num(o.Lectures.Recorded), num(n.Lectures.Recorded))
	add("lectures.counting", num(o.Lectures.Counting), num(n.Lectures.Counting))
	add("openFollowUps", num(o.OpenFollowUps), num(n.OpenFollowUps))
	add("resolvedFollowUps", num(o.ResolvedFollowUps), num(n.ResolvedFollowUps))
	return out
}

func optBool(b *bool) string {
	if b == nil {
		return "none"
	}
	return strconv.FormatBool(*b)
}
