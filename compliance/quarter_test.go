package compliance

import (
	"errors"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

func TestQuarterOf(t *testing.T) {
	cst := presence.ShanghaiLocation()
	tests := []struct {
		name string
		t    time.Time
		loc  *time.Location
		want Quarter
	}{
		{"last half hour of Q1 in Shanghai", time.Date(2026, 3, 31, 23, 30, 0, 0, cst), cst, Quarter{2026, 1}},
		{"16:30 UTC on 31 March is 1 April in Shanghai", time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC), cst, Quarter{2026, 2}},
		{"the same instant read in UTC", time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC), time.UTC, Quarter{2026, 1}},
		{"first instant of Q2", time.Date(2026, 4, 1, 0, 0, 0, 0, cst), cst, Quarter{2026, 2}},
		{"new year in Shanghai first", time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), cst, Quarter{2027, 1}},
		{"last instant of Q3", time.Date(2026, 9, 30, 23, 59, 59, 999999999, cst), cst, Quarter{2026, 3}},
		{"Q4", time.Date(2026, 11, 27, 10, 0, 0, 0, cst), cst, Quarter{2026, 4}},
	}
	for _, tt := range tests {
		if got := QuarterOf(tt.t, tt.loc); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestQuarterBounds(t *testing.T) {
	cst := presence.ShanghaiLocation()
	tests := []struct {
		q           Quarter
		first, last string
		days        int
		startUTC    string
	}{
		{Quarter{2026, 1}, "2026-01-01", "2026-03-31", 90, "2025-12-31T16:00:00Z"},
		{Quarter{2028, 1}, "2028-01-01", "2028-03-31", 91, "2027-12-31T16:00:00Z"},
		{Quarter{2026, 2}, "2026-04-01", "2026-06-30", 91, "2026-03-31T16:00:00Z"},
		{Quarter{2026, 3}, "2026-07-01", "2026-09-30", 92, "2026-06-30T16:00:00Z"},
		{Quarter{2026, 4}, "2026-10-01", "2026-12-31", 92, "2026-09-30T16:00:00Z"},
	}
	for _, tt := range tests {
		if got := tt.q.FirstDate().String(); got != tt.first {
			t.Errorf("%v.FirstDate: got %s, want %s", tt.q, got, tt.first)
		}
		if got := tt.q.LastDate().String(); got != tt.last {
			t.Errorf("%v.LastDate: got %s, want %s", tt.q, got, tt.last)
		}
		if got := tt.q.Days(); got != tt.days {
			t.Errorf("%v.Days: got %d, want %d", tt.q, got, tt.days)
		}
		if got := tt.q.Start(cst).UTC().Format(time.RFC3339); got != tt.startUTC {
			t.Errorf("%v.Start: got %s, want %s", tt.q, got, tt.startUTC)
		}
		if got, want := tt.q.End(cst), tt.q.Next().Start(cst); !got.Equal(want) {
			t.Errorf("%v.End: got %v, want %v", tt.q, got, want)
		}
		if got, want := tt.q.End(cst).Sub(tt.q.Start(cst)), time.Duration(tt.days)*24*time.Hour; got != want {
			t.Errorf("%v: End-Start got %v, want %v", tt.q, got, want)
		}
		if got := tt.q.Next().Prev(); got != tt.q {
			t.Errorf("%v.Next().Prev(): got %v, want %v", tt.q, got, tt.q)
		}
	}
	if got, want := (Quarter{2026, 4}).Next(), (Quarter{2027, 1}); got != want {
		t.Errorf("Next across year: got %v, want %v", got, want)
	}
	if got, want := (Quarter{2026, 1}).Prev(), (Quarter{2025, 4}); got != want {
		t.Errorf("Prev across year: got %v, want %v", got, want)
	}
}

func TestQuarterContains(t *testing.T) {
	q := Quarter{2026, 1}
	tests := []struct {
		d    presence.Date
		want bool
	}{
		{presence.Date{Year: 2025, Month: 12, Day: 31}, false},
		{presence.Date{Year: 2026, Month: 1, Day: 1}, true},
		{presence.Date{Year: 2026, Month: 3, Day: 31}, true},
		{presence.Date{Year: 2026, Month: 4, Day: 1}, false},
		{presence.Date{Year: 2027, Month: 2, Day: 1}, false},
	}
	for _, tt := range tests {
		if got := q.Contains(tt.d); got != tt.want {
			t.Errorf("%v.Contains(%v): got %v, want %v", q, tt.d, got, tt.want)
		}
	}
}

func TestParseQuarter(t *testing.T) {
	tests := []struct {
		in   string
		want Quarter
		ok   bool
	}{
		{"2026Q4", Quarter{2026, 4}, true},
		{"2026q1", Quarter{2026, 1}, true},
		{"2026Q5", Quarter{}, false},
		{"2026Q0", Quarter{}, false},
		{"2026-Q4", Quarter{}, false},
		{"26Q4", Quarter{}, false},
		{"2026Q", Quarter{}, false},
		{"Q4", Quarter{}, false},
		{"+026Q4", Quarter{}, false},
		{"", Quarter{}, false},
	}
	for _, tt := range tests {
		got, err := ParseQuarter(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseQuarter(%q): got %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, models.ErrInvalid) {
			t.Errorf("ParseQuarter(%q): got error %v, want code %s", tt.in, err, models.CodeInvalid)
		}
	}
	if got, want := (Quarter{2026, 4}).String(), "2026Q4"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
}

func TestDaysLeft(t *testing.T) {
	q := Quarter{2026, 4}
	tests := []struct {
		today string
		want  int
	}{
		{"2026-09-30", 92},
		{"2026-10-01", 92},
		{"2026-12-20", 12},
		{"2026-12-31", 1},
		{"2027-01-01", 0},
	}
	for _, tt := range tests {
		today, err := presence.ParseDate(tt.today)
		if err != nil {
			t.Fatal(err)
		}
		if got := daysLeft(q.FirstDate(), q.LastDate(), today); got != tt.want {
			t.Errorf("daysLeft(%s): got %d, want %d", tt.today, got, tt.want)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Policy)
		ok     bool
	}{
		{"default", func(*Policy) {}, true},
		{"no trips required", func(p *Policy) { p.MinTrips = 0 }, true},
		{"negative days", func(p *Policy) { p.MinDays = -1 }, false},
		{"more days than a quarter", func(p *Policy) { p.MinDays = 91 }, false},
		{"negative trips", func(p *Policy) { p.MinTrips = -1 }, false},
		{"zero-day trips", func(p *Policy) { p.MinTripDays = 0 }, false},
		{"more trips than the range", func(p *Policy) { p.MinTrips = 5 }, false},
		{"the longest trips the range allows", func(p *Policy) { p.MinTrips, p.MinTripDays = 4, 15 }, true},
		{"trips longer than the range", func(p *Policy) { p.MinTripDays = 16 }, false},
		{"an unknown reading", func(p *Policy) { p.Reading = "LOOSE" }, false},
		{"an unknown exception mode", func(p *Policy) { p.Exceptions = "" }, false},
		{"negative talks", func(p *Policy) { p.TalksPerHalfYear = -1 }, false},
		{"year days", func(p *Policy) { p.YearDays = 366 }, false},
		{"dept year days", func(p *Policy) { p.GrassrootsDeptYearDays = -1 }, false},
		{"campus days", func(p *Policy) { p.CampusDaysPerQuarter = -1 }, false},
	}
	for _, tt := range tests {
		p := DefaultPolicy()
		tt.mutate(&p)
		err := p.Validate()
		if got := err == nil; got != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, models.ErrInvalid) {
			t.Errorf("%s: got error %v, want code %s", tt.name, err, models.CodeInvalid)
		}
	}
}

// TestNextDate: nextDate agrees with AddDays(1) across month, leap-day and
// year ends.
func TestNextDate(t *testing.T) {
	for d := (presence.Date{Year: 1999, Month: 12, Day: 1}); d.Year < 2102; d = d.AddDays(1) {
		if got, want := nextDate(d), d.AddDays(1); got != want {
			t.Fatalf("nextDate(%s) = %s, want %s", d, got, want)
		}
		if d.Year == 2001 {
			d = presence.Date{Year: 2099, Month: 1, Day: 1}
		}
	}
}
