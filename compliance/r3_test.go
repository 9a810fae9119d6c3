package compliance

import (
	"slices"
	"testing"

	"github.com/henan-youth/onsite/presence"
)

func TestEvaluateR3(t *testing.T) {
	p := DefaultPolicy()
	fifty := dates(t, "2026-03-01..2026-04-19")     // 50 days
	fortyNine := dates(t, "2026-03-01..2026-04-18") // 49 days
	tests := []struct {
		name       string
		dates      []presence.Date
		dept       bool
		today      string
		wantDays   int
		required   int
		met        bool
		achievable bool
		left       int
		gaps       []string
	}{
		{"met", fifty, false, "2026-06-30", 50, 50, true, true, 185, nil},
		{"one short, plenty of time", fortyNine, false, "2026-06-30", 49, 50, false, true, 185, []string{
			"R3: needs one more on-site day this year (49 of 50)",
			"R3: still achievable; 185 days left in the year",
		}},
		{"Grassroots Organization Dept. needs 60", fifty, true, "2026-06-30", 50, 60, false, true, 185, []string{
			"R3: needs 10 more on-site days this year (50 of 60, Grassroots Organization Dept.)",
			"R3: still achievable; 185 days left in the year",
		}},
		{"too late in the year", fortyNine[:40], false, "2026-12-23", 40, 50, false, false, 9, []string{
			"R3: needs 10 more on-site days this year (40 of 50)",
			"R3: can no longer be met; 9 days left in the year",
		}},
		{"just in time from today", fortyNine[:40], false, "2026-12-22", 40, 50, false, true, 10, []string{
			"R3: needs 10 more on-site days this year (40 of 50)",
			"R3: still achievable; 10 days left in the year",
		}},
		{"today already counted is not free", slices.Concat(fortyNine[:39], dates(t, "2026-12-22")),
			false, "2026-12-22", 40, 50, false, false, 10, []string{
				"R3: needs 10 more on-site days this year (40 of 50)",
				"R3: can no longer be met; 10 days left in the year",
			}},
		{"other years and duplicates ignored", slices.Concat(
			dates(t, "2025-12-01..2025-12-31", "2027-01-01"), fortyNine, fortyNine[:5]),
			false, "2027-01-05", 49, 50, false, false, 0, []string{
				"R3: needs one more on-site day this year (49 of 50)",
				"R3: not met; the year has ended",
			}},
		{"year not begun", nil, false, "2025-12-31", 0, 50, false, true, 365, []string{
			"R3: needs 50 more on-site days this year (0 of 50)",
			"R3: still achievable; 365 days left in the year",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EvaluateR3(tt.dates, 2026, tt.dept, p, dates(t, tt.today)[0])
			if got.Rule != "R3" || got.Year != 2026 || got.GrassrootsDept != tt.dept {
				t.Errorf("Rule, Year, GrassrootsDept: got %s, %d, %v; want R3, 2026, %v", got.Rule, got.Year, got.GrassrootsDept, tt.dept)
			}
			if got.Days != tt.wantDays || got.Required != tt.required {
				t.Errorf("Days, Required: got %d, %d; want %d, %d", got.Days, got.Required, tt.wantDays, tt.required)
			}
			if got.Met != tt.met || got.Achievable != tt.achievable || got.DaysLeftInYear != tt.left {
				t.Errorf("Met, Achievable, DaysLeft: got %v, %v, %d; want %v, %v, %d",
					got.Met, got.Achievable, got.DaysLeftInYear, tt.met, tt.achievable, tt.left)
			}
			if !slices.Equal(got.Gaps, tt.gaps) {
				t.Errorf("Gaps:\ngot  %q\nwant %q", got.Gaps, tt.gaps)
			}
		})
	}
}

// TestR3CountsADayOnce: a day counted at a county and at a campus is one R3
// day (docs/rules.md R3, R4).
func TestR3CountsADayOnce(t *testing.T) {
	pp := presence.DefaultPolicy()
	days := slices.Concat(
		onsite(t, 1, "2026-11-01..2026-11-05"), // county
		onsite(t, 9, "2026-11-05..2026-11-06"), // campus, 5 November at both
		visited(t, 9, "2026-11-07"),            // not counted
	)
	got := EvaluateR3(presence.CountedDates(days, pp), 2026, false, DefaultPolicy(), dates(t, "2026-11-08")[0])
	if want := 6; got.Days != want {
		t.Errorf("Days: got %d, want %d", got.Days, want)
	}
}
