package anomaly

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func at(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, cst) }

func date(day int) string { return fmt.Sprintf("2026-03-%02d", day) }

func rules() Rules {
	r := DefaultRules()
	r.Location = cst
	return r
}

// kinds returns the kinds Detect raised for c, each with its count.
func kinds(c Cadre) string {
	var out []string
	for _, a := range Detect(c, rules()) {
		out = append(out, fmt.Sprintf("%s=%d", a.Kind, a.Count))
	}
	return strings.Join(out, ",")
}

func TestDetectors(t *testing.T) {
	fix := func(id int64, day int, lat float64, verdict string, edge float64) Fix {
		return Fix{CheckInID: id, Date: date(day), WGSLat: lat, WGSLon: 114.8, AccuracyM: 20, Verdict: verdict, EdgeDistanceM: edge}
	}
	span := func(day int, d time.Duration) Day {
		return Day{Date: date(day), First: at(day, 8, 0), Last: at(day, 8, 0).Add(d), Counted: true}
	}
	act := func(id int64, day, h, m int) Activity { return Activity{ID: id, OccurredAt: at(day, h, m)} }
	for _, tc := range []struct {
		name string
		c    Cadre
		want string
	}{
		{"nothing", Cadre{}, ""},
		{"same fix on one day only", Cadre{Fixes: []Fix{fix(1, 1, 34.8, "INSIDE", 5000), fix(2, 1, 34.8, "INSIDE", 5000)}}, ""},
		{"same fix on two days", Cadre{Fixes: []Fix{fix(1, 1, 34.8, "INSIDE", 5000), fix(2, 2, 34.8, "INSIDE", 5000),
			fix(3, 3, 34.81, "INSIDE", 5000)}}, "IDENTICAL_FIXES=1"},
		{"near the edge, 5 of 6", Cadre{Fixes: []Fix{fix(1, 1, 34.1, "INSIDE", 100), fix(2, 1, 34.2, "INSIDE", 200),
			fix(3, 2, 34.3, "INSIDE", 300), fix(4, 2, 34.4, "INSIDE", 250), fix(5, 3, 34.5, "INSIDE", 310), fix(6, 3, 34.6, "INSIDE", 5000)}},
			"NEAR_BOUNDARY=5"},
		{"near the edge, 4: too few", Cadre{Fixes: []Fix{fix(1, 1, 34.1, "INSIDE", 100), fix(2, 1, 34.2, "INSIDE", 200),
			fix(3, 2, 34.3, "INSIDE", 300), fix(4, 2, 34.4, "INSIDE", 250)}}, ""},
		{"three devices", Cadre{Devices: []Device{{DeviceID: "a"}, {DeviceID: "b"}, {DeviceID: "c"}}}, "DEVICE_CHANGES=3"},
		{"two devices", Cadre{Devices: []Device{{DeviceID: "a"}, {DeviceID: "b"}}}, ""},
		{"4 h days, 3 of 4", Cadre{Days: []Day{span(1, 4*time.Hour), span(2, 4*time.Hour+3*time.Minute), span(3, 4*time.Hour+10*time.Minute),
			span(4, 7*time.Hour)}}, "EXACT_FOUR_HOURS=3"},
		{"4 h days, 3 of 7", Cadre{Days: []Day{span(1, 4*time.Hour), span(2, 4*time.Hour), span(3, 4*time.Hour),
			span(4, 7*time.Hour), span(5, 7*time.Hour), span(6, 7*time.Hour), span(7, 7*time.Hour)}}, ""},
		{"4 h 11 min is not exact", Cadre{Days: []Day{span(1, 4*time.Hour+11*time.Minute), span(2, 4*time.Hour+11*time.Minute),
			span(3, 4*time.Hour+11*time.Minute)}}, ""},
		{"burst at 21:00", Cadre{Activities: []Activity{act(1, 1, 21, 0), act(2, 1, 21, 10), act(3, 1, 21, 25), act(4, 1, 10, 0)}}, "END_OF_DAY_BURSTS=1"},
		{"spread over the evening", Cadre{Activities: []Activity{act(1, 1, 20, 0), act(2, 1, 21, 0), act(3, 1, 22, 0)}}, ""},
		{"burst in the afternoon", Cadre{Activities: []Activity{act(1, 1, 15, 0), act(2, 1, 15, 10), act(3, 1, 15, 20)}}, ""},
	} {
		if got := kinds(tc.c); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReused(t *testing.T) {
	h := func(v uint64) *uint64 { return &v }
	photos := []Photo{
		{UserID: 1, ActivityID: 10, SHA256: "aa", PHash: h(0xF0F0F0F0F0F0F0F0)},
		{UserID: 2, ActivityID: 20, SHA256: "aa", PHash: h(0xF0F0F0F0F0F0F0F0)}, // the same file in another cadre's activity
		{UserID: 3, ActivityID: 30, SHA256: "bb", PHash: h(0x0123456789ABCDEF)}, // near-identical to the next: 3 bits apart
		{UserID: 3, ActivityID: 31, SHA256: "cc", PHash: h(0x0123456789ABCDE8)}, //
		{UserID: 4, ActivityID: 40, SHA256: "dd", PHash: h(0x0123456789AB0000)}, // too far (over 4 bits) from either
		{UserID: 5, ActivityID: 50, SHA256: "ee", PHash: nil},                   // not hashed
		{UserID: 5, ActivityID: 50, SHA256: "ff", PHash: h(0xF0F0F0F0F0F0F0F1)}, // near "aa", 1 bit
	}
	var got []string
	for _, a := range Reused(photos, rules()) {
		got = append(got, fmt.Sprintf("%d:%d/%v", a.UserID, a.Count, a.Value))
	}
	want := "1:1/3 2:1/3 3:2/2 5:1/3"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	same := []Photo{{UserID: 1, ActivityID: 10, SHA256: "aa"}, {UserID: 1, ActivityID: 10, SHA256: "aa"}}
	if a := Reused(same, rules()); len(a) != 0 {
		t.Errorf("a photo twice in one activity: %v", a)
	}
}

func TestMakeUpsAboveNorm(t *testing.T) {
	unitOf := map[int64]int64{1: 7, 2: 7, 3: 7, 4: 7, 5: 8}
	counts := map[int64]int{1: 1, 2: 1, 3: 2, 4: 6, 5: 2}
	var got []string
	for _, a := range MakeUpsAboveNorm(counts, unitOf, rules()) {
		got = append(got, fmt.Sprintf("%d:%d>%g", a.UserID, a.Count, a.Limit))
	}
	if want := "4:6>3"; strings.Join(got, " ") != want { // unit 7's median is 1.5; cadre 5 is alone with 2, under the minimum
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestRank(t *testing.T) {
	r := rules()
	anoms := []Anomaly{{Kind: EndOfDayBursts, UserID: 1, Count: 1}, {Kind: ReusedPhotos, UserID: 2, Count: 9},
		{Kind: IdenticalFixes, UserID: 3, Count: 1}, {Kind: NearBoundary, UserID: 3, Count: 2}}
	var got []string
	for _, k := range Rank(anoms, map[int64]int{1: 1, 4: 0}, r) {
		got = append(got, fmt.Sprintf("%d:%g", k.UserID, k.Score))
	}
	if want := "2:15 3:7 1:4"; strings.Join(got, " ") != want { // reuse capped at 5 × 3; 3 + 2×2; 1 + 3 for the discrepancy
		t.Errorf("got %v, want %s", got, want)
	}
}
