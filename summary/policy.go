package summary

import (
	"time"

	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Policy holds R8's numbers. The plan sets no due date for a summary or a
// report; the product's default is ten days after the period ends.
type Policy struct {
	// DueDays is how many days after its period's last day a summary is
	// due: it is on time when submitted on or before that date.
	DueDays int
	// RemindDays is how many days before the due date the "due soon"
	// reminder is sent (0: on the due date itself only).
	RemindDays int
	// Location is the zone whose calendar dates due dates are.
	Location *time.Location
}

// DefaultPolicy is the province's default: due 10 days after the period,
// reminded 3 days before, dates in Asia/Shanghai.
func DefaultPolicy() Policy {
	return Policy{DueDays: 10, RemindDays: 3, Location: presence.ShanghaiLocation()}
}

// Period is a summary's period: a quarter (Quarter 1–4) or a year
// (Quarter 0).
type Period struct {
	Year    int
	Quarter int
}

// PeriodOf returns the period of a summary of kind for year and quarter;
// INVALID for a year outside 2000–2100, or a quarter outside 1–4 for a
// quarterly summary (an annual report has none).
func PeriodOf(kind models.SummaryKind, year, quarter int) (Period, error) {
	if year < 2000 || year > 2100 {
		return Period{}, models.E(models.CodeInvalid, "year must be between 2000 and 2100")
	}
	if kind == models.SummaryAnnual {
		return Period{Year: year}, nil
	}
	if quarter < 1 || quarter > 4 {
		return Period{}, models.E(models.CodeInvalid, "quarter must be 1–4")
	}
	return Period{Year: year, Quarter: quarter}, nil
}

// Kind returns the kind of summary written for the period.
func (p Period) Kind() models.SummaryKind {
	if p.Quarter == 0 {
		return models.SummaryAnnual
	}
	return models.SummaryQuarterly
}

// First returns the period's first day.
func (p Period) First() presence.Date {
	if p.Quarter == 0 {
		return presence.Date{Year: p.Year, Month: time.January, Day: 1}
	}
	return compliance.Quarter{Year: p.Year, Q: p.Quarter}.FirstDate()
}

// Last returns the period's last day.
func (p Period) Last() presence.Date {
	if p.Quarter == 0 {
		return presence.Date{Year: p.Year, Month: time.December, Day: 31}
	}
	return compliance.Quarter{Year: p.Year, Q: p.Quarter}.LastDate()
}

// String names the period: "2026Q4" or "2026".
func (p Period) String() string { return models.PeriodName(p.Year, p.Quarter) }

// Quarters returns the quarters the period covers.
func (p Period) Quarters() []compliance.Quarter {
	if p.Quarter != 0 {
		return []compliance.Quarter{{Year: p.Year, Q: p.Quarter}}
	}
	return []compliance.Quarter{{Year: p.Year, Q: 1}, {Year: p.Year, Q: 2}, {Year: p.Year, Q: 3}, {Year: p.Year, Q: 4}}
}

// Previous returns the period of the same kind before p.
func (p Period) Previous() Period {
	switch p.Quarter {
	case 0:
		return Period{Year: p.Year - 1}
	case 1:
		return Period{Year: p.Year - 1, Quarter: 4}
	}
	return Period{Year: p.Year, Quarter: p.Quarter - 1}
}

// DueDate returns the last day a summary of the period is on time.
func (pol Policy) DueDate(p Period) presence.Date { return p.Last().AddDays(pol.DueDays) }

// Late reports whether a submission at t of a summary of the period is
// late: its calendar date is after the due date.
func (pol Policy) Late(p Period, t time.Time) bool {
	return presence.DateOf(t, pol.Location).After(pol.DueDate(p))
}
