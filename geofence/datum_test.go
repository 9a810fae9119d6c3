package geofence

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
)

func TestParseDatum(t *testing.T) {
	tests := []struct {
		in      string
		want    Datum
		wantErr bool
	}{
		{"WGS84", WGS84, false},
		{"WGS-84", WGS84, false},
		{"wgs84", WGS84, false},
		{"GCJ02", GCJ02, false},
		{"GCJ-02", GCJ02, false},
		{"gcj02", GCJ02, false},
		{" gcj_02 ", GCJ02, false},
		{"BD09", BD09, false},
		{"BD-09", BD09, false},
		{"bd09", BD09, false},
		{"", "", true},
		{"CGCS2000", "", true},
		{"GCJ-02 (Amap)", "", true}, // descriptions are stripped by the importer, not here
	}
	for _, tt := range tests {
		got, err := ParseDatum(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseDatum(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, models.ErrInvalid) {
			t.Errorf("ParseDatum(%q) error %v is not INVALID", tt.in, err)
		}
	}
}

// Reference values from the widely used coordtransform implementation.
func TestConvertKnownValues(t *testing.T) {
	tests := []struct {
		in       orb.Point
		from, to Datum
		want     orb.Point
	}{
		{orb.Point{116.404, 39.915}, WGS84, GCJ02, orb.Point{116.41024449916938, 39.91640428150164}},
		{orb.Point{116.404, 39.915}, GCJ02, BD09, orb.Point{116.41036949371029, 39.92133699351021}},
		{orb.Point{116.404, 39.915}, GCJ02, GCJ02, orb.Point{116.404, 39.915}},
	}
	for _, tt := range tests {
		got, err := Convert(tt.in, tt.from, tt.to)
		if err != nil {
			t.Fatalf("Convert(%v, %s, %s): %v", tt.in, tt.from, tt.to, err)
		}
		if math.Abs(got[0]-tt.want[0]) > 1e-9 || math.Abs(got[1]-tt.want[1]) > 1e-9 {
			t.Errorf("Convert(%v, %s, %s) = %v, want %v", tt.in, tt.from, tt.to, got, tt.want)
		}
	}
}

// henanGrid returns points every 0.2° across Henan's bounding box.
func henanGrid() []orb.Point {
	var pts []orb.Point
	for lon := henanBox.Min[0]; lon <= henanBox.Max[0]; lon += 0.2 {
		for lat := henanBox.Min[1]; lat <= henanBox.Max[1]; lat += 0.2 {
			pts = append(pts, orb.Point{lon, lat})
		}
	}
	return pts
}

func TestConvertRoundTrip(t *testing.T) {
	datums := []Datum{WGS84, GCJ02, BD09}
	for _, from := range datums {
		for _, to := range datums {
			worst := 0.0
			for _, p := range henanGrid() {
				q, err := Convert(p, from, to)
				if err != nil {
					t.Fatal(err)
				}
				back, err := Convert(q, to, from)
				if err != nil {
					t.Fatal(err)
				}
				worst = max(worst, haversineM(p, back))
			}
			if worst > 0.5 {
				t.Errorf("%s→%s→%s: worst round-trip error %.3g m, want <= 0.5 m", from, to, from, worst)
			}
			t.Logf("%s→%s→%s: worst round-trip error %.2g m", from, to, from, worst)
		}
	}
}

func TestGCJOffsetInHenan(t *testing.T) {
	lo, hi := math.Inf(1), 0.0
	for _, p := range henanGrid() {
		g, err := Convert(p, WGS84, GCJ02)
		if err != nil {
			t.Fatal(err)
		}
		d := haversineM(p, g)
		lo, hi = min(lo, d), max(hi, d)
		if d < 300 || d > 700 {
			t.Errorf("WGS84→GCJ02 offset at %v = %.0f m, want 300–700 m", p, d)
		}
	}
	t.Logf("WGS84→GCJ02 offset across Henan: %.0f–%.0f m", lo, hi)
}

func TestConvertOutsideChina(t *testing.T) {
	for _, p := range []orb.Point{{2.35, 48.85}, {-74, 40.7}, {151.2, -33.9}, {72.0, 30}, {120, 56}} {
		for _, d := range []struct{ from, to Datum }{{WGS84, GCJ02}, {GCJ02, WGS84}, {WGS84, BD09}, {BD09, WGS84}} {
			got, err := Convert(p, d.from, d.to)
			if err != nil || got != p {
				t.Errorf("Convert(%v, %s, %s) = %v, %v; want %v unchanged", p, d.from, d.to, got, err, p)
			}
		}
	}
}

func TestConvertInvalid(t *testing.T) {
	tests := []struct {
		name     string
		p        orb.Point
		from, to Datum
	}{
		{"unknown from", orb.Point{113, 34}, "ETRS89", WGS84},
		{"unknown to", orb.Point{113, 34}, WGS84, ""},
		{"NaN lon", orb.Point{math.NaN(), 34}, WGS84, GCJ02},
		{"infinite lat", orb.Point{113, math.Inf(1)}, WGS84, GCJ02},
		{"lat above 90", orb.Point{113, 90.5}, WGS84, GCJ02},
		{"lon below -180", orb.Point{-180.1, 34}, WGS84, GCJ02},
	}
	for _, tt := range tests {
		_, err := Convert(tt.p, tt.from, tt.to)
		if got := models.CodeOf(err); got != models.CodeInvalid {
			t.Errorf("%s: Convert error code = %s (%v), want INVALID", tt.name, got, err)
		}
	}
}
