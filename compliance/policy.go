// Package compliance evaluates a cadre's presence against the dispatch rules
// of docs/rules.md (R2 quarterly days and trips at the assigned county, R3 yearly
// days at the grassroots, R4 quarterly campus days) and explains every gap
// with the rule id, so that a supervisor can trace a verdict back to the
// action plan (R12).
//
// It is pure: it takes days, trips and today's date from the caller and
// reads no clock and no database.
package compliance

import "github.com/henan-youth/onsite/models"

// Policy holds the numbers of the dispatch rules. Cities copy the province's
// rules with their own numbers ("参照执行"), so none is a constant.
type Policy struct {
	// R2: per quarter at the assigned county, at least MinDays on-site days
	// and at least MinTrips trips of at least MinTripDays consecutive days.
	MinDays     int
	MinTrips    int
	MinTripDays int

	// R3: per calendar year, on-site days at any grassroots region (one day
	// counted once): YearDays, or GrassrootsDeptYearDays for members of the
	// Grassroots Organization Dept. (基层组织建设部).
	YearDays               int
	GrassrootsDeptYearDays int

	// R4: per quarter, on-site days at each linked campus.
	CampusDaysPerQuarter int

	// R6: per quarter, forums with ordinary youths and with grassroots
	// League cadres, and one-on-one interviews of each.
	ForumsYouth, ForumsCadre         int
	InterviewsYouth, InterviewsCadre int

	// R7: per calendar year, theory lectures.
	LecturesPerYear int

	// MakeUpsPerQuarter caps the make-up requests (补卡) a supervisor may
	// approve for one cadre in one calendar quarter: a day that counts on a
	// countersignature rather than GPS is the exception. 0 allows none.
	MakeUpsPerQuarter int
}

// Required returns how many activities of kind a period asks for: R6's
// numbers per quarter, R7's lectures per year, none for OTHER.
func (p Policy) Required(kind models.ActivityKind) int {
	switch kind {
	case models.KindForumYouth:
		return p.ForumsYouth
	case models.KindForumCadre:
		return p.ForumsCadre
	case models.KindInterviewYouth:
		return p.InterviewsYouth
	case models.KindInterviewCadre:
		return p.InterviewsCadre
	case models.KindLecture:
		return p.LecturesPerYear
	}
	return 0
}

// DefaultPolicy returns the province's defaults: R2 10 days and 2 trips of
// 3 days, R3 50 / 60 days, R4 1 day per campus, R6 a forum of each kind and
// 10 interviews of each kind a quarter, R7 2 lectures a year, at most 2
// make-ups a quarter. It cannot fail.
func DefaultPolicy() Policy {
	return Policy{
		MinDays: 10, MinTrips: 2, MinTripDays: 3,
		YearDays: 50, GrassrootsDeptYearDays: 60,
		CampusDaysPerQuarter: 1,
		ForumsYouth:          1, ForumsCadre: 1, InterviewsYouth: 10, InterviewsCadre: 10,
		LecturesPerYear:   2,
		MakeUpsPerQuarter: 2,
	}
}

// shortestQuarter and shortestYear bound what a policy may ask for.
const (
	shortestQuarter = 90
	shortestYear    = 365
)

// Validate reports whether p is usable. It returns nil, or a models.Error
// with code INVALID naming the first offending number: negative counts, a
// trip shorter than one day, or a rule no quarter or year is long enough to
// meet.
func (p Policy) Validate() error {
	switch {
	case p.MinDays < 0 || p.MinDays > shortestQuarter:
		return invalid("R2 MinDays must be in [0, %d], got %d", shortestQuarter, p.MinDays)
	case p.MinTrips < 0:
		return invalid("R2 MinTrips must not be negative, got %d", p.MinTrips)
	case p.MinTripDays < 1:
		return invalid("R2 MinTripDays must be at least 1, got %d", p.MinTripDays)
	case p.MinTrips > 0 && p.MinTrips*(p.MinTripDays+1)-1 > shortestQuarter:
		// Trips must be separated by at least one day, or they merge.
		return invalid("R2 %d trips of %d days do not fit in a %d-day quarter",
			p.MinTrips, p.MinTripDays, shortestQuarter)
	case p.YearDays < 0 || p.YearDays > shortestYear:
		return invalid("R3 YearDays must be in [0, %d], got %d", shortestYear, p.YearDays)
	case p.GrassrootsDeptYearDays < 0 || p.GrassrootsDeptYearDays > shortestYear:
		return invalid("R3 GrassrootsDeptYearDays must be in [0, %d], got %d", shortestYear, p.GrassrootsDeptYearDays)
	case p.CampusDaysPerQuarter < 0 || p.CampusDaysPerQuarter > shortestQuarter:
		return invalid("R4 CampusDaysPerQuarter must be in [0, %d], got %d", shortestQuarter, p.CampusDaysPerQuarter)
	case p.ForumsYouth < 0 || p.ForumsCadre < 0 || p.InterviewsYouth < 0 || p.InterviewsCadre < 0:
		return invalid("R6 numbers must not be negative")
	case p.LecturesPerYear < 0:
		return invalid("R7 LecturesPerYear must not be negative, got %d", p.LecturesPerYear)
	case p.MakeUpsPerQuarter < 0 || p.MakeUpsPerQuarter > shortestQuarter:
		return invalid("MakeUpsPerQuarter must be in [0, %d], got %d", shortestQuarter, p.MakeUpsPerQuarter)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return models.E(models.CodeInvalid, "compliance policy: "+format, args...)
}
