package compliance

import (
	"fmt"
	"time"

	"github.com/henan-youth/onsite/presence"
)

// period is the span a rule is measured over: a quarter (R2, R4, R6, the R8
// summary), a half year (R9) or a calendar year (R3, R7, the R8 report).
type period struct {
	name        string // "2026Q4", "2026H2", "2026"
	zh, en      string // how a sentence names it when it is not the current one
	here        string // how a sentence names it while today is inside it: 本季度
	hereEN      string // this quarter
	kindEN      string // quarter, half year, year
	first, last presence.Date
	dates       []presence.Date // first to last
}

// withDates returns p with its dates listed, one step per day rather than
// a time conversion per date: every rule walks them.
func (p period) withDates() period {
	p.dates = make([]presence.Date, 0, 366)
	for d := p.first; !d.After(p.last); d = nextDate(d) {
		p.dates = append(p.dates, d)
	}
	return p
}

// nextDate returns the day after d, d a valid date.
func nextDate(d presence.Date) presence.Date {
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[d.Month-1]
	if d.Month == time.February && d.Year%4 == 0 && (d.Year%100 != 0 || d.Year%400 == 0) {
		days = 29
	}
	switch {
	case d.Day < days:
		d.Day++
	case d.Month < time.December:
		d.Month, d.Day = d.Month+1, 1
	default:
		d.Year, d.Month, d.Day = d.Year+1, time.January, 1
	}
	return d
}

func quarterPeriod(q Quarter) period {
	return period{name: q.String(), zh: fmt.Sprintf("%d年第%d季度", q.Year, q.Q), en: "in " + q.String(),
		here: "本季度", hereEN: "this quarter", kindEN: "quarter", first: q.FirstDate(), last: q.LastDate()}.withDates()
}

func halfPeriod(year, half int) period {
	p := period{name: fmt.Sprintf("%dH%d", year, half), en: fmt.Sprintf("in %dH%d", year, half), here: "本半年", hereEN: "this half year", kindEN: "half year",
		first: presence.Date{Year: year, Month: 1, Day: 1}, last: presence.Date{Year: year, Month: 6, Day: 30}, zh: fmt.Sprintf("%d年上半年", year)}
	if half == 2 {
		p.first, p.last, p.zh = presence.Date{Year: year, Month: 7, Day: 1}, presence.Date{Year: year, Month: 12, Day: 31}, fmt.Sprintf("%d年下半年", year)
	}
	return p.withDates()
}

func yearPeriod(year int) period {
	return period{name: fmt.Sprint(year), zh: fmt.Sprintf("%d年", year), en: fmt.Sprintf("in %d", year),
		here: "本年度", hereEN: "this year", kindEN: "year", first: presence.Date{Year: year, Month: 1, Day: 1}, last: presence.Date{Year: year, Month: 12, Day: 31}}.withDates()
}

// days returns the number of dates in p.
func (p period) days() int { return len(p.dates) }

// date returns p's i-th date, from 0.
func (p period) date(i int) presence.Date { return p.dates[i] }

// contains reports whether d falls in p.
func (p period) contains(d presence.Date) bool { return !d.Before(p.first) && !d.After(p.last) }

// label returns how a sentence written on today names p, in Chinese and
// in English.
func (p period) label(today presence.Date) (zh, en string) {
	if p.contains(today) {
		return p.here, p.hereEN
	}
	return p.zh, p.en
}

// left returns the days from today (counted: a check-in today may still
// complete it) to p's last day, all of p before it begins, 0 once it ended.
func (p period) left(today presence.Date) int { return daysLeft(p.first, p.last, today) }
