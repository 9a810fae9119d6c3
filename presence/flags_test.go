package presence

import (
	"math"
	"strings"
	"testing"
	"time"
)

// oneDegreeM is one degree of latitude on the mean sphere, in metres.
const oneDegreeM = earthRadiusM * math.Pi / 180

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64 // metres
		tol                    float64
	}{
		{"same point", 34.75, 113.62, 34.75, 113.62, 0, 0},
		{"one degree of latitude", 34, 113, 35, 113, oneDegreeM, 1e-6},
		{"quarter meridian", 0, 113, 90, 113, oneDegreeM * 90, 1e-6},
		{"antipodes", 0, 0, 0, 180, oneDegreeM * 180, 1e-6},
		// Zhengzhou to Luoyang railway stations, about 113 km.
		{"Zhengzhou-Luoyang", 34.7457, 113.6581, 34.6849, 112.4368, 112_000, 1_500},
	}
	for _, tt := range tests {
		got := Distance(tt.lat1, tt.lon1, tt.lat2, tt.lon2)
		if math.Abs(got-tt.want) > tt.tol {
			t.Errorf("%s: got %.3f m, want %.3f ± %v m", tt.name, got, tt.want, tt.tol)
		}
	}
	if got := Distance(math.NaN(), 0, 0, 0); !math.IsNaN(got) {
		t.Errorf("NaN input: got %v, want NaN", got)
	}
}

func TestEvaluateFlags(t *testing.T) {
	p := DefaultPolicy()
	server := at(t, "2026-11-27 10:00")
	// base is a clean live fix; each case changes what it tests.
	base := func() Facts {
		return Facts{AccuracyM: 20, Lat: 35, Lon: 113, DeviceTime: server, ServerTime: server, DeviceMatches: true}
	}
	prev := func(lat float64, ago time.Duration, acc float64) *PrevFix {
		return &PrevFix{Lat: lat, Lon: 113, AccuracyM: acc, DeviceTime: server.Add(-ago)}
	}
	type want struct {
		code         Flag
		value, limit float64
		unit         string
	}
	tests := []struct {
		name   string
		mutate func(*Facts)
		want   []want
	}{
		{"clean", func(*Facts) {}, nil},
		{"mock location", func(f *Facts) { f.MockLocation = true },
			[]want{{FlagMockLocation, 1, 0, ""}}},
		{"accuracy at the limit", func(f *Facts) { f.AccuracyM = 100 }, nil},
		{"low accuracy", func(f *Facts) { f.AccuracyM = 100.5 },
			[]want{{FlagLowAccuracy, 100.5, 100, "m"}}},
		{"NaN accuracy", func(f *Facts) { f.AccuracyM = math.NaN() },
			[]want{{FlagLowAccuracy, math.NaN(), 100, "m"}}},
		{"zero accuracy", func(f *Facts) { f.AccuracyM = 0 },
			[]want{{FlagZeroAccuracy, 1, 0, ""}}},
		{"accuracy of a centimetre", func(f *Facts) { f.AccuracyM = 0.01 }, nil},
		{"one degree in 30 min is plausible", func(f *Facts) { f.Previous = prev(34, 30*time.Minute, 20) }, nil},
		{"one degree in 20 min is impossible", func(f *Facts) { f.Previous = prev(34, 20*time.Minute, 20) },
			[]want{{FlagImpossibleTravel, oneDegreeM / 1000 * 3, 250, "km/h"}}},
		{"previous later by device time", func(f *Facts) {
			f.Previous = prev(34, -20*time.Minute, 20)
		}, []want{{FlagImpossibleTravel, oneDegreeM / 1000 * 3, 250, "km/h"}}},
		{"same device time far apart", func(f *Facts) { f.Previous = prev(34, 0, 20) },
			[]want{{FlagImpossibleTravel, oneDegreeM / 1000 * 3600, 250, "km/h"}}},
		{"jitter under 1 km in one second", func(f *Facts) { f.Previous = prev(35.005, time.Second, 20) }, nil},
		{"overlapping accuracy circles", func(f *Facts) { f.Previous = prev(35.02, time.Second, 2210) }, nil},
		{"just beyond the circles", func(f *Facts) { f.Previous = prev(35.02, 10*time.Second, 2150) },
			[]want{{FlagImpossibleTravel, 0.02 * oneDegreeM / 1000 * 360, 250, "km/h"}}},
		{"live clock 5 min behind", func(f *Facts) { f.DeviceTime = server.Add(-5 * time.Minute) }, nil},
		{"live clock 6 min behind", func(f *Facts) { f.DeviceTime = server.Add(-6 * time.Minute) },
			[]want{{FlagClockSkew, 360, 300, "s"}}},
		{"live clock 6 min ahead", func(f *Facts) { f.DeviceTime = server.Add(6 * time.Minute) },
			[]want{{FlagClockSkew, 360, 300, "s"}, {FlagFutureTime, 360, 120, "s"}}},
		{"offline 6 min behind", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(-6*time.Minute) }, nil},
		{"offline 24 h behind", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(-24*time.Hour) }, nil},
		{"offline 50 h behind", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(-50*time.Hour) },
			[]want{{FlagLateSync, 50, 24, "h"}}},
		{"offline 72 h behind", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(-72*time.Hour) },
			[]want{{FlagLateSync, 72, 24, "h"}}},
		{"offline 73 h behind", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(-73*time.Hour) },
			[]want{{FlagLateSync, 73, 24, "h"}, {FlagStaleSync, 73, 72, "h"}}},
		{"offline 63 days behind", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(-63*24*time.Hour) },
			[]want{{FlagLateSync, 63 * 24, 24, "h"}, {FlagStaleSync, 63 * 24, 72, "h"}}},
		{"live 50 h behind is skew, not late", func(f *Facts) { f.DeviceTime = server.Add(-50 * time.Hour) },
			[]want{{FlagClockSkew, 50 * 3600, 300, "s"}}},
		{"offline 2 min ahead", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(2*time.Minute) }, nil},
		{"offline 3 min ahead", func(f *Facts) { f.Offline, f.DeviceTime = true, server.Add(3*time.Minute) },
			[]want{{FlagFutureTime, 180, 120, "s"}}},
		{"device mismatch", func(f *Facts) { f.DeviceMatches = false },
			[]want{{FlagDeviceMismatch, 1, 0, ""}}},
		{"repeated fix", func(f *Facts) { f.RepeatedFix = true },
			[]want{{FlagRepeatedFix, 1, 0, ""}}},
		{"not assigned", func(f *Facts) { f.InsideUnassignedRegion, f.UnassignedRegion = true, "兰考县" },
			[]want{{FlagNotAssigned, 1, 0, ""}}},
		{"everything, in order", func(f *Facts) {
			*f = Facts{MockLocation: true, AccuracyM: 150, Lat: 35, Lon: 113,
				DeviceTime: server.Add(3 * time.Minute), ServerTime: server, Offline: true,
				Previous: prev(34, 20*time.Minute, 20), RepeatedFix: true, InsideUnassignedRegion: true}
		}, []want{
			{FlagMockLocation, 1, 0, ""}, {FlagLowAccuracy, 150, 100, "m"},
			{FlagImpossibleTravel, oneDegreeM / 1000 / (23.0 / 60), 250, "km/h"},
			{FlagFutureTime, 180, 120, "s"}, {FlagDeviceMismatch, 1, 0, ""},
			{FlagRepeatedFix, 1, 0, ""}, {FlagNotAssigned, 1, 0, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.mutate(&f)
			got := EvaluateFlags(f, p)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Code != w.code || g.Unit != w.unit || !near(g.Value, w.value) || !near(g.Limit, w.limit) {
					t.Errorf("flag %d: got {%s %v %v %q}, want {%s %v %v %q}",
						i, g.Code, g.Value, g.Limit, g.Unit, w.code, w.value, w.limit, w.unit)
				}
				if g.Detail == "" {
					t.Errorf("flag %d: got empty Detail, want a sentence", i)
				}
			}
		})
	}
}

func TestEvaluateFlagsDetail(t *testing.T) {
	server := at(t, "2026-11-27 10:00")
	f := Facts{AccuracyM: 20, Lat: 35, Lon: 113, DeviceTime: server, ServerTime: server, DeviceMatches: true,
		Previous:               &PrevFix{Lat: 34, Lon: 113, AccuracyM: 20, DeviceTime: server.Add(-20 * time.Minute)},
		InsideUnassignedRegion: true, UnassignedRegion: "兰考县"}
	got := EvaluateFlags(f, DefaultPolicy())
	for i, want := range []string{"334 km/h", "limit 250 km/h", "111.2 km in 20m0s"} {
		if !strings.Contains(got[0].Detail, want) {
			t.Errorf("IMPOSSIBLE_TRAVEL detail %d: got %q, want it to contain %q", i, got[0].Detail, want)
		}
	}
	if want := "兰考县"; !strings.Contains(got[1].Detail, want) {
		t.Errorf("NOT_ASSIGNED detail: got %q, want it to contain %q", got[1].Detail, want)
	}
}

// near compares floats to 1e-9 relative, treating NaN as equal to NaN.
func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b))
}
