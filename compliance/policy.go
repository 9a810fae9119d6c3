// Package compliance evaluates a cadre's record against the rules of
// docs/rules.md — R2 quarterly days and trips at the county of the
// assignment valid on each date, R3 yearly days at the grassroots, R4
// quarterly days at each linked campus, R6 and R7 youth work, R8 work
// summaries and the annual report, R9 seminar talks — and says for each
// its status (MET, ON_TRACK, AT_RISK, MISSED, EXEMPT), its numbers, the
// policy version it used, and a sentence in Chinese and in English, so
// that a supervisor can sign it and trace it back to the action plan (R12).
//
// It also holds the policy itself: every threshold as a named key
// (keys.go), and the versioned policy documents of org units resolved into
// the values in force on a date (resolve.go).
//
// It is pure: it takes facts and today's date from the caller and reads no
// clock and no database.
package compliance

import (
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// PlanStart is the first day of the action plan (二 “从2022年3月开始”): no
// rule applies before it, a period that began earlier is measured from it,
// and the province's first policy version takes effect on it.
var PlanStart = presence.Date{Year: 2022, Month: 3, Day: 1}

// Reading is how R2's "不少于2次，每次不少于3天" is read.
type Reading string

// The readings of R2.
const (
	// ReadingDefault: every counted day at the county counts toward the
	// days, and MinTrips of the visits must last MinTripDays days.
	ReadingDefault Reading = "DEFAULT"
	// ReadingStrict: every visit must last MinTripDays days; days of
	// shorter visits do not count toward the days.
	ReadingStrict Reading = "STRICT"
)

// ExceptionMode is what approved absences and assignments that start or
// end inside a period do to the period's requirements.
type ExceptionMode string

// The exception modes.
const (
	// ProRata reduces each number by the share of the period the rule
	// applied on (docs/rules.md, "Exceptions").
	ProRata ExceptionMode = "PRO_RATA"
	// NoReduction keeps the full numbers.
	NoReduction ExceptionMode = "NONE"
	// FullExemption exempts the rule for a period with any such day.
	FullExemption ExceptionMode = "FULL"
)

// Policy holds the numbers of the rules. Cities copy the province's rules
// with their own numbers ("参照执行"), so none is a constant: each is a key
// of a versioned policy document (keys.go).
type Policy struct {
	// R2: per quarter at the county of the dispatch assignment valid on
	// each date, at least MinDays on-site days and at least MinTrips visits
	// of at least MinTripDays consecutive days, read as Reading says.
	MinDays     int
	MinTrips    int
	MinTripDays int
	Reading     Reading

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

	// R8: a quarter's work summary is due SummaryDueDays after the
	// quarter's last day, the annual report ReportDueDays after 31
	// December.
	SummaryDueDays int
	ReportDueDays  int

	// R9: per half year, seminar talks.
	TalksPerHalfYear int

	// Exceptions: what absences and partial assignments do.
	Exceptions ExceptionMode

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

// DefaultPolicy returns the province's defaults (docs/rules.md): R2 10 days
// and 2 visits of 3 days, the default reading; R3 50 / 60 days; R4 1 day
// per campus; R6 a forum of each kind and 10 interviews of each kind a
// quarter; R7 2 lectures a year; R8 due 10 days after the period; R9 1 talk
// a half year; absences and partial assignments pro rata. It cannot fail.
func DefaultPolicy() Policy {
	p := Policy{}
	for _, k := range keys {
		if err := k.set(&p, k.Default); err != nil {
			panic("compliance: the default of " + k.Name + " does not parse: " + err.Error())
		}
	}
	return p
}

// Validate reports whether p is usable. It returns nil, or a models.Error
// with code INVALID naming the first value outside its key's range. Every
// combination of in-range values is usable: the ranges keep R2's visits
// inside the shortest quarter.
func (p Policy) Validate() error {
	for _, k := range keys {
		if err := k.Check(k.get(&p)); err != nil {
			return err
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return models.E(models.CodeInvalid, "compliance policy: "+format, args...)
}
