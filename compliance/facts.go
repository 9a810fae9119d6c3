package compliance

import (
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Facts is what the rules of one cadre are evaluated from. The caller reads
// them for the calendar year of the quarter evaluated (days, assignments
// and absences may reach beyond it; the rules look only inside their
// periods).
type Facts struct {
	Today presence.Date

	GrassrootsDept  bool // 基层组织建设部: R3's higher number
	SchoolWorkGroup bool // 学校工作领导小组: R4 applies

	Days        []Day // on-site day aggregates, at every region
	DayRule     presence.Policy
	Assignments []Assignment // history included
	Absences    []Absence    // approved absences only

	// Policies is the cadre's unit's policy on every date.
	Policies Timeline

	// Activities are the counting activities (R6, R7); nil: not known, and
	// R6 and R7 are not reported.
	Activities *ActivityCounts
	// Documents are the work summary and the annual report (R8); nil: not
	// known, and R8 is not reported.
	Documents *Documents
	// Talks are the seminar talks given (R9); nil: not known, and R9 is not
	// reported.
	Talks *Talks
}

// Day is a cadre's day at one region: its check-in aggregate, and whether
// an approved make-up request (补卡) counts it whatever its check-ins.
type Day struct {
	presence.DayStat
	MadeUp bool
}

// counts reports whether d is an on-site day under the day rule pp.
func (d Day) counts(pp presence.Policy) bool { return d.MadeUp || d.Counted(pp) }

// Assignment is a link of the cadre to a region for a period (R5): From and
// To inclusive, To zero while open-ended.
type Assignment struct {
	RegionID   int64
	RegionName string
	Purpose    models.AssignmentPurpose
	From, To   presence.Date
}

// On reports whether a is in force on d.
func (a Assignment) On(d presence.Date) bool {
	return !d.Before(a.From) && (a.To.IsZero() || !d.After(a.To))
}

// AbsenceKind says why a cadre was away with approval.
type AbsenceKind string

// The kinds of absence.
const (
	AbsenceLeave    AbsenceKind = "LEAVE"    // 请假
	AbsenceTraining AbsenceKind = "TRAINING" // 调训
	AbsenceIllness  AbsenceKind = "ILLNESS"  // 病假
	AbsenceOther    AbsenceKind = "OTHER"    // 其他（附理由）
)

// Absence is an approved absence, From and To inclusive.
type Absence struct {
	Kind     AbsenceKind
	From, To presence.Date
}

// ActivityCounts are a cadre's counting activities (activity.Service.Counts
// decides which count): per kind in the quarter evaluated, and lectures in
// its calendar year.
type ActivityCounts struct {
	Quarter      map[models.ActivityKind]int
	YearLectures int
}

// DocStatus is where a work summary or an annual report stands.
type DocStatus string

// Document statuses.
const (
	DocMissing   DocStatus = "MISSING"   // nothing submitted (a draft is nothing)
	DocSubmitted DocStatus = "SUBMITTED" // submitted, waiting for review
	DocReturned  DocStatus = "RETURNED"  // returned with a comment, to be resubmitted
	DocAccepted  DocStatus = "ACCEPTED"
)

// Document is the state of one R8 document: its latest status and the date
// of its first submission (zero when never submitted).
type Document struct {
	Status         DocStatus
	FirstSubmitted presence.Date
}

// Documents are R8's facts: the quarter's work summary and the year's
// written report to the secretaries' team.
type Documents struct {
	Summary      Document
	AnnualReport Document
}

// Talks are R9's facts: the dates of the seminar talks the cadre gave.
type Talks struct {
	Dates []presence.Date
}
