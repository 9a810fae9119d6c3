package presence

import (
	"slices"
	"testing"
	"time"
)

// day returns a DayStat for region r on date s ("2026-11-27"), counted or not.
func day(t *testing.T, r int64, s string, counted bool) DayStat {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	first := d.In(cst).Add(8 * time.Hour)
	st := DayStat{RegionID: r, Date: d}.Add(first)
	if counted {
		st = st.Add(first.Add(5 * time.Hour))
	}
	return st
}

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTrips(t *testing.T) {
	p := DefaultPolicy()
	type trip struct {
		r          int64
		start, end string
		days       int
	}
	tests := []struct {
		name string
		days []DayStat
		want []trip
	}{
		{"none", nil, nil},
		{"only uncounted", []DayStat{day(t, 1, "2026-11-27", false)}, nil},
		{"single day", []DayStat{day(t, 1, "2026-11-27", true)}, []trip{{1, "2026-11-27", "2026-11-27", 1}}},
		{"run across month end, unsorted", []DayStat{
			day(t, 1, "2026-12-01", true), day(t, 1, "2026-11-29", true),
			day(t, 1, "2026-11-30", true),
		}, []trip{{1, "2026-11-29", "2026-12-01", 3}}},
		{"uncounted day breaks the run", []DayStat{
			day(t, 1, "2026-11-27", true), day(t, 1, "2026-11-28", false), day(t, 1, "2026-11-29", true),
		}, []trip{{1, "2026-11-27", "2026-11-27", 1}, {1, "2026-11-29", "2026-11-29", 1}}},
		{"missing date breaks the run", []DayStat{
			day(t, 1, "2026-11-27", true), day(t, 1, "2026-11-29", true), day(t, 1, "2026-11-30", true),
		}, []trip{{1, "2026-11-27", "2026-11-27", 1}, {1, "2026-11-29", "2026-11-30", 2}}},
		{"other region neither breaks nor joins", []DayStat{
			day(t, 1, "2026-11-27", true), day(t, 2, "2026-11-28", true), day(t, 1, "2026-11-28", true),
			day(t, 2, "2026-11-29", true), day(t, 1, "2026-11-29", true),
		}, []trip{{1, "2026-11-27", "2026-11-29", 3}, {2, "2026-11-28", "2026-11-29", 2}}},
		{"same region-date twice", []DayStat{
			day(t, 1, "2026-11-27", true), day(t, 1, "2026-11-27", true), day(t, 1, "2026-11-28", true),
		}, []trip{{1, "2026-11-27", "2026-11-28", 2}}},
		{"year end", []DayStat{day(t, 3, "2026-12-31", true), day(t, 3, "2027-01-01", true)},
			[]trip{{3, "2026-12-31", "2027-01-01", 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []Trip
			for _, w := range tt.want {
				want = append(want, Trip{RegionID: w.r, Start: date(t, w.start), End: date(t, w.end), Days: w.days})
			}
			if got := Trips(tt.days, p); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestCountedDates(t *testing.T) {
	p := DefaultPolicy()
	days := []DayStat{
		day(t, 2, "2026-11-28", true),
		day(t, 1, "2026-11-28", true), // counted at two regions: once (R3)
		day(t, 1, "2026-11-27", true),
		day(t, 1, "2026-11-29", false),
	}
	got := CountedDates(days, p)
	want := []Date{date(t, "2026-11-27"), date(t, "2026-11-28")}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := CountedDates(nil, p); got != nil {
		t.Errorf("CountedDates(nil): got %v, want nil", got)
	}
}
