package presence

import (
	"cmp"
	"fmt"
	"time"

	"github.com/henan-youth/onsite/models"
)

// Date is a civil calendar date with no zone: the on-site day a check-in
// counts on once DateOf has placed it in Policy.Location. The zero Date is
// not a valid date. Dates compare with ==, Compare, Before and After.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in loc. It panics if loc is nil,
// as time.Time.In does.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses "2026-11-27". It returns the zero Date and a models.Error
// with code INVALID for anything else, including impossible dates such as
// "2026-02-30".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, models.E(models.CodeInvalid, "invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// String returns the date as "2026-11-27".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day of the proleptic Gregorian
// calendar between years 1 and 9999; false otherwise.
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && DateOf(d.utc(), time.UTC) == d
}

// Compare returns -1 if d is before e, +1 if after, and 0 if they are equal.
func (d Date) Compare(e Date) int {
	if c := cmp.Compare(d.Year, e.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, e.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, e.Day)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns the date n days after d (before, if n is negative).
// An invalid d is normalised first, as time.Date does ("2026-02-30" + 0 is
// "2026-03-02").
func (d Date) AddDays(n int) Date {
	return DateOf(d.utc().AddDate(0, 0, n), time.UTC)
}

// Sub returns the number of days from e to d: d.Sub(d.AddDays(n)) == -n.
// Invalid dates are normalised first, as in AddDays.
func (d Date) Sub(e Date) int {
	return int((d.utc().Unix() - e.utc().Unix()) / 86400)
}

// In returns the instant the day d begins in loc (midnight, or the first
// instant after a daylight-saving gap). It panics if loc is nil.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// utc is midnight UTC of d; day arithmetic in UTC is exact.
func (d Date) utc() time.Time { return d.In(time.UTC) }
