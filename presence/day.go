package presence

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/henan-youth/onsite/models"
)

// DayStat summarises one cadre's accepted check-ins inside one region on one
// calendar day. It is what the store keeps per (cadre, region, date) and
// updates in the same transaction as each accepted check-in.
type DayStat struct {
	RegionID int64
	Date     Date
	Accepted int       // accepted check-ins that day
	First    time.Time // earliest accepted check-in (WhenOccurred); zero if none
	Last     time.Time // latest accepted check-in; zero if none
	// MadeUp: an approved make-up request (补卡) counts the day whatever
	// its check-ins; Add keeps it.
	MadeUp bool
}

// Add returns d updated with one more accepted check-in dated at. The result
// does not depend on the order check-ins arrive in, so an offline batch
// synced late gives the same DayStat as live check-ins would have (compare
// First and Last with time.Time.Equal). Add does not check that at falls on
// d.Date; callers key DayStats by (region, DateOf(at, Policy.Location)).
func (d DayStat) Add(at time.Time) DayStat {
	if d.Accepted == 0 || at.Before(d.First) {
		d.First = at
	}
	if d.Accepted == 0 || at.After(d.Last) {
		d.Last = at
	}
	d.Accepted++
	return d
}

// Counted reports whether d is an on-site day under p: made up, or at
// least p.MinCheckInsPerDay accepted check-ins whose first and last are at
// least p.MinDaySpan apart (docs/rules.md, "What counts as an on-site
// day"). A DayStat with no check-ins is counted only when made up.
func (d DayStat) Counted(p Policy) bool {
	return d.MadeUp || d.CountedByCheckIns(p)
}

// CountedByCheckIns reports whether d's check-ins alone make it an on-site
// day under p, whether or not it is made up.
func (d DayStat) CountedByCheckIns(p Policy) bool {
	return d.Accepted > 0 && d.Accepted >= p.MinCheckInsPerDay && d.Last.Sub(d.First) >= p.MinDaySpan
}

// StatOf reads a stored day as presence sees it. A row whose date does not
// parse (never written by Row) has the zero Date.
func StatOf(d models.PresenceDay) DayStat {
	date, _ := ParseDate(d.Date)
	return DayStat{RegionID: d.RegionID, Date: date, Accepted: d.Accepted, First: d.FirstAt, Last: d.LastAt, MadeUp: d.MadeUp}
}

// Row is the stored form of d, a day of userID, with the day rule of p
// applied. A day without check-ins (made up) is dated at its first
// instant in p.Location, since every stored day has times; Add replaces
// them with the first check-in's.
func (d DayStat) Row(userID int64, p Policy) models.PresenceDay {
	first, last := d.First, d.Last
	if d.Accepted == 0 {
		first = d.Date.In(p.Location)
		last = first
	}
	return models.PresenceDay{UserID: userID, Date: d.Date.String(), RegionID: d.RegionID, Accepted: d.Accepted,
		FirstAt: first.UTC(), LastAt: last.UTC(), Counted: d.Counted(p), MadeUp: d.MadeUp}
}

// Empty reports whether d has neither a check-in nor a make-up: no row
// stands for it.
func (d DayStat) Empty() bool { return d.Accepted == 0 && !d.MadeUp }

// AcceptedFix is one accepted check-in: the region it lies inside and the
// time it is dated by (WhenOccurred).
type AcceptedFix struct {
	RegionID int64
	At       time.Time
}

// BuildDays recomputes every DayStat from raw accepted fixes, as DayStat.Add
// would have built them one by one: the day of a fix is its date in
// p.Location. It returns the DayStats sorted by (Date, RegionID), or nil for
// no fixes. It panics if p.Location is nil; validate p first.
func BuildDays(fixes []AcceptedFix, p Policy) []DayStat {
	type key struct {
		region int64
		date   Date
	}
	byKey := make(map[key]DayStat)
	for _, f := range fixes {
		k := key{f.RegionID, DateOf(f.At, p.Location)}
		d, ok := byKey[k]
		if !ok {
			d = DayStat{RegionID: k.region, Date: k.date}
		}
		byKey[k] = d.Add(f.At)
	}
	if len(byKey) == 0 {
		return nil
	}
	days := make([]DayStat, 0, len(byKey))
	for _, d := range byKey {
		days = append(days, d)
	}
	slices.SortFunc(days, compareDays)
	return days
}

// compareDays orders DayStats by (Date, RegionID).
func compareDays(a, b DayStat) int {
	if c := a.Date.Compare(b.Date); c != 0 {
		return c
	}
	return cmp.Compare(a.RegionID, b.RegionID)
}

// DayStatus is what the phone shows about today after a check-in.
type DayStatus struct {
	Counted bool

	// Needed is how many more accepted check-ins the day needs; 0 once counted.
	Needed int

	// NotBefore is the earliest time a further check-in would complete the
	// span (First + MinDaySpan); zero when the span is already met or there
	// is no check-in yet to measure it from.
	NotBefore time.Time

	// Possible reports whether the day can still be counted by check-ins on
	// the same calendar date: false when NotBefore is past the day's end.
	// It is true for counted days.
	Possible bool
}

// Status returns the status of d under p. It panics if p.Location is nil.
func Status(d DayStat, p Policy) DayStatus {
	if d.Counted(p) {
		return DayStatus{Counted: true, Possible: true}
	}
	s := DayStatus{Needed: max(p.MinCheckInsPerDay-d.Accepted, 0), Possible: true}
	if d.Accepted > 0 && d.Last.Sub(d.First) < p.MinDaySpan {
		s.NotBefore = d.First.Add(p.MinDaySpan)
		s.Needed = max(s.Needed, 1)
		if !d.Date.IsZero() && !s.NotBefore.Before(d.Date.AddDays(1).In(p.Location)) {
			s.Possible = false
		}
	}
	if s.Needed == 0 { // only an invalid policy (MinCheckInsPerDay < 1) gets here
		s.Needed = 1
	}
	return s
}

// Message returns the status as a sentence for the cadre, with times shown in
// loc (pass Policy.Location): "counted", "needs one more check-in after
// 14:05", "needs 2 more check-ins", or "cannot be counted today: …". The
// time is rounded up to the minute, so a check-in at the time shown always
// completes the span. A nil loc shows NotBefore in its own location.
func (s DayStatus) Message(loc *time.Location) string {
	if s.Counted {
		return "counted"
	}
	at := s.NotBefore
	if loc != nil {
		at = at.In(loc)
	}
	if t := at.Truncate(time.Minute); t.Before(at) {
		at = t.Add(time.Minute)
	}
	hhmm := at.Format("15:04")
	switch {
	case !s.Possible:
		return fmt.Sprintf("cannot be counted today: the next check-in would have to be after %s tomorrow", hhmm)
	case s.NotBefore.IsZero():
		return "needs " + checkIns(s.Needed)
	case s.Needed == 1:
		return "needs one more check-in after " + hhmm
	default:
		return fmt.Sprintf("needs %s, the last after %s", checkIns(s.Needed), hhmm)
	}
}

func checkIns(n int) string {
	if n == 1 {
		return "one more check-in"
	}
	return fmt.Sprintf("%d more check-ins", n)
}
