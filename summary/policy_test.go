package summary

import (
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

// TestDueDateAndLate: due 10 days after the period's last day, a
// submission on the due date (Asia/Shanghai) is on time, one a minute after
// its midnight is late, whatever UTC says.
func TestDueDateAndLate(t *testing.T) {
	pol := DefaultPolicy()
	cst := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		per  Period
		at   time.Time
		due  string
		late bool
	}{
		{Period{2026, 4}, time.Date(2027, 1, 10, 23, 59, 0, 0, cst), "2027-01-10", false},
		{Period{2026, 4}, time.Date(2027, 1, 11, 0, 1, 0, 0, cst), "2027-01-10", true},
		{Period{2026, 4}, time.Date(2027, 1, 10, 16, 1, 0, 0, time.UTC), "2027-01-10", true}, // 00:01 on the 11th in Shanghai
		{Period{2026, 1}, time.Date(2026, 3, 20, 9, 0, 0, 0, cst), "2026-04-10", false},      // early is on time
		{Period{2026, 2}, time.Date(2026, 7, 11, 9, 0, 0, 0, cst), "2026-07-10", true},
		{Period{Year: 2026}, time.Date(2027, 1, 10, 12, 0, 0, 0, cst), "2027-01-10", false},
		{Period{Year: 2026}, time.Date(2027, 2, 1, 12, 0, 0, 0, cst), "2027-01-10", true},
	} {
		if got := pol.DueDate(tc.per).String(); got != tc.due {
			t.Errorf("%s: due %s, want %s", tc.per, got, tc.due)
		}
		if got := pol.Late(tc.per, tc.at); got != tc.late {
			t.Errorf("%s submitted %s: late=%v, want %v", tc.per, tc.at, got, tc.late)
		}
	}
}

// TestPeriodOf: quarters 1–4 for a summary, none for a report, years
// 2000–2100.
func TestPeriodOf(t *testing.T) {
	for _, tc := range []struct {
		kind          models.SummaryKind
		year, quarter int
		want          string
	}{
		{models.SummaryQuarterly, 2026, 4, "2026Q4"},
		{models.SummaryQuarterly, 2026, 0, "INVALID"},
		{models.SummaryQuarterly, 2026, 5, "INVALID"},
		{models.SummaryAnnual, 2026, 3, "2026"}, // a report has no quarter: it is ignored
		{models.SummaryAnnual, 1999, 0, "INVALID"},
	} {
		p, err := PeriodOf(tc.kind, tc.year, tc.quarter)
		got := p.String()
		if err != nil {
			got = string(models.CodeOf(err))
		}
		if got != tc.want {
			t.Errorf("%s %d/%d: got %s, want %s", tc.kind, tc.year, tc.quarter, got, tc.want)
		}
	}
}

// TestReminderKind: due soon from 3 days before the due date to the due
// date, overdue for 30 days after, nothing otherwise.
func TestReminderKind(t *testing.T) {
	s := &Service{Policy: DefaultPolicy()}
	per := Period{2026, 4} // due 2027-01-10
	for _, tc := range []struct {
		today string
		want  string
	}{
		{"2026-12-31", ""}, {"2027-01-06", ""}, {"2027-01-07", models.NotifySummaryDue}, {"2027-01-10", models.NotifySummaryDue},
		{"2027-01-11", models.NotifySummaryOverdue}, {"2027-02-09", models.NotifySummaryOverdue}, {"2027-02-10", ""},
	} {
		d, _ := time.Parse(time.DateOnly, tc.today)
		kind, ok := s.reminderKind(per, dateOf(d))
		if !ok {
			kind = ""
		}
		if kind != tc.want {
			t.Errorf("%s: %q, want %q", tc.today, kind, tc.want)
		}
	}
}
