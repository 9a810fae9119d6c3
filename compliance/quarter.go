package compliance

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Quarter is a calendar quarter: Q 1 is January–March, 4 is October–December.
// Quarters are the period of R2, R4, R6, R8 and R10. The zero Quarter is not
// valid.
type Quarter struct {
	Year int
	Q    int
}

// QuarterOf returns the quarter t falls in, in loc (pass
// presence.Policy.Location: 2026-03-31 16:30 UTC is 2026-04-01 00:30 in
// Asia/Shanghai, so 2026Q2). It panics if loc is nil, as time.Time.In does.
func QuarterOf(t time.Time, loc *time.Location) Quarter {
	return QuarterOfDate(presence.DateOf(t, loc))
}

// QuarterOfDate returns the quarter d falls in.
func QuarterOfDate(d presence.Date) Quarter {
	return Quarter{Year: d.Year, Q: (int(d.Month)-1)/3 + 1}
}

// ParseQuarter parses "2026Q4" (a lower-case q is accepted). It returns the
// zero Quarter and a models.Error with code INVALID for anything else.
func ParseQuarter(s string) (Quarter, error) {
	bad := models.E(models.CodeInvalid, "invalid quarter %q: want YYYYQn, e.g. 2026Q4", s)
	y, n, ok := strings.Cut(strings.ToUpper(s), "Q")
	if !ok || len(y) != 4 || len(n) != 1 || strings.Trim(y+n, "0123456789") != "" {
		return Quarter{}, bad
	}
	year, _ := strconv.Atoi(y) // only digits: cannot fail
	q := Quarter{year, int(n[0] - '0')}
	if !q.Valid() {
		return Quarter{}, bad
	}
	return q, nil
}

// String returns the quarter as "2026Q4".
func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Valid reports whether q has a year in 1..9999 and Q in 1..4.
func (q Quarter) Valid() bool { return q.Year >= 1 && q.Year <= 9999 && q.Q >= 1 && q.Q <= 4 }

// FirstDate returns the quarter's first day (1 January, 1 April, …).
func (q Quarter) FirstDate() presence.Date {
	return presence.Date{Year: q.Year, Month: time.Month(3*(q.Q-1) + 1), Day: 1}
}

// LastDate returns the quarter's last day (31 March, 30 June, …).
func (q Quarter) LastDate() presence.Date { return q.Next().FirstDate().AddDays(-1) }

// Start returns the instant the quarter begins in loc. It panics if loc is nil.
func (q Quarter) Start(loc *time.Location) time.Time { return q.FirstDate().In(loc) }

// End returns the instant the next quarter begins in loc: the quarter is
// [Start, End). It panics if loc is nil.
func (q Quarter) End(loc *time.Location) time.Time { return q.Next().Start(loc) }

// Contains reports whether d falls in q.
func (q Quarter) Contains(d presence.Date) bool { return QuarterOfDate(d) == q }

// Days returns the number of calendar days in q: 90, 91 or 92.
func (q Quarter) Days() int { return q.LastDate().Sub(q.FirstDate()) + 1 }

// Next returns the quarter after q.
func (q Quarter) Next() Quarter {
	if q.Q >= 4 {
		return Quarter{q.Year + 1, 1}
	}
	return Quarter{q.Year, q.Q + 1}
}

// Prev returns the quarter before q.
func (q Quarter) Prev() Quarter {
	if q.Q <= 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}

// daysLeft returns the days from today (counted, since a check-in today may
// still complete it) to last inclusive, all of [first, last] if today is
// before first, and 0 once last has passed.
func daysLeft(first, last, today presence.Date) int {
	if today.Before(first) {
		today = first
	}
	return max(last.Sub(today)+1, 0)
}
