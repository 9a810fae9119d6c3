package compliance

import (
	"fmt"

	"github.com/henan-youth/onsite/presence"
)

// R3Result is the R3 verdict for one cadre and one calendar year
// (累计每年到基层工作不少于50天；基层组织建设部同志不少于60天).
type R3Result struct {
	Rule           string // always "R3"
	Year           int
	GrassrootsDept bool // the cadre belongs to the Grassroots Organization Dept.

	Days     int // distinct on-site dates in the year
	Required int // YearDays, or GrassrootsDeptYearDays

	Met bool

	// Achievable reports whether the remaining days of the year, each
	// counted, would meet R3; true when already met.
	Achievable bool

	// DaysLeftInYear counts today to 31 December inclusive (the whole year if
	// it has not begun, 0 once it has ended).
	DaysLeftInYear int

	// Gaps explains, citing R3, what is missing; nil when Met.
	Gaps []string
}

// EvaluateR3 evaluates R3 for year as of today. dates are the cadre's
// counted on-site dates at every grassroots region, counties and campuses
// together (presence.CountedDates, which counts a date once however many
// regions qualify; R4 campus days are included here by the caller). Dates
// outside year are ignored and duplicates count once. EvaluateR3 does not
// validate p and cannot fail.
func EvaluateR3(dates []presence.Date, year int, grassrootsDept bool, p Policy, today presence.Date) R3Result {
	first := presence.Date{Year: year, Month: 1, Day: 1}
	last := presence.Date{Year: year, Month: 12, Day: 31}
	r := R3Result{
		Rule: "R3", Year: year, GrassrootsDept: grassrootsDept,
		Required:       p.YearDays,
		DaysLeftInYear: daysLeft(first, last, today),
	}
	if grassrootsDept {
		r.Required = p.GrassrootsDeptYearDays
	}
	seen := make(map[presence.Date]bool)
	ahead := 0 // counted dates from today on, which are not free to add
	for _, d := range dates {
		if d.Year != year || seen[d] {
			continue
		}
		seen[d] = true
		if !d.Before(today) {
			ahead++
		}
	}
	r.Days = len(seen)
	r.Met = r.Days >= r.Required
	r.Achievable = r.Met || r.Days+r.DaysLeftInYear-min(ahead, r.DaysLeftInYear) >= r.Required
	if r.Met {
		return r
	}
	who := ""
	if grassrootsDept {
		who = ", Grassroots Organization Dept."
	}
	r.Gaps = []string{
		fmt.Sprintf("R3: needs %s this year (%d of %d%s)",
			more(r.Required-r.Days, "on-site day", "on-site days"), r.Days, r.Required, who),
		outlook("R3", r.Achievable, r.DaysLeftInYear, "year"),
	}
	return r
}
