package geofence

import (
	"math"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/henan-youth/onsite/models"
)

// The synthetic map, in metres east and north of 113°E 34°N (GCJ-02):
//
//	y
//	100 +-----------------------+-------------+            +------+
//	    | A                     | B           |            | A    |
//	    |                       |             |            | (2nd |
//	 60 |        +------+       |             |            | part)|
//	    |        | hole |       |             |         70 +------+
//	 40 |        +------+       |             |
//	    |                       |             |
//	  0 +-----------------------+-------------+
//	    0        40     60     100           160          220    250  x
//
// A is a MultiPolygon: a 100 m square with a 20 m hole, and an exclave. B
// shares A's edge x = 100 exactly (same coordinates).
var testFrame = newFrame(113, 34)

func syntheticRegions() []Region {
	f := testFrame
	hole := f.ring(40, 40, 40, 60, 60, 60, 60, 40) // clockwise
	return []Region{
		{Kind: models.RegionCounty, Code: "A", Name: "甲", Datum: GCJ02, Geometry: orb.MultiPolygon{
			{f.rect(0, 0, 100, 100), hole},
			{f.rect(220, 70, 250, 100)},
		}},
		{Kind: models.RegionCounty, Code: "B", Name: "乙", Datum: GCJ02, Geometry: orb.MultiPolygon{
			{f.rect(100, 0, 160, 100)},
		}},
	}
}

type wantCandidate struct {
	code     string
	contains bool
	verdict  Verdict
	distM    float64
}

func TestLocateSynthetic(t *testing.T) {
	x := NewIndex(syntheticRegions())
	tests := []struct {
		name string
		x, y float64 // metres
		acc  float64
		want []wantCandidate
	}{
		{"deep inside", 20, 20, 5, []wantCandidate{{"A", true, Inside, 20}}},
		{"inside, circle crosses edge", 20, 20, 25, []wantCandidate{{"A", true, Boundary, 20}}},
		{"inside, circle just inside", 20, 20, 19.99, []wantCandidate{{"A", true, Inside, 20}}},
		{"far outside", -50, 50, 5, nil},
		{"outside within margin", -10, 50, 5, []wantCandidate{{"A", false, Outside, 10}}},
		{"outside, circle crosses edge", -10, 50, 15, []wantCandidate{{"A", false, Boundary, 10}}},
		{"on a vertex", 0, 0, 0, []wantCandidate{{"A", true, Boundary, 0}}},
		{"on an edge", 0, 50, 0, []wantCandidate{{"A", true, Boundary, 0}}},
		{"on the bottom edge", 30, 0, 10, []wantCandidate{{"A", true, Boundary, 0}}},
		{"on the shared edge", 100, 50, 0, []wantCandidate{{"A", true, Boundary, 0}, {"B", true, Boundary, 0}}},
		{"on the shared corner", 100, 100, 3, []wantCandidate{{"A", true, Boundary, 0}, {"B", true, Boundary, 0}}},
		{"in the hole", 50, 50, 3, []wantCandidate{{"A", false, Outside, 10}}},
		{"in the hole, circle reaches ring", 50, 50, 12, []wantCandidate{{"A", false, Boundary, 10}}},
		{"on the hole's edge", 40, 50, 0, []wantCandidate{{"A", false, Boundary, 0}}},
		{"beside the hole", 30, 50, 5, []wantCandidate{{"A", true, Inside, 10}}},
		{"in the exclave", 235, 85, 5, []wantCandidate{{"A", true, Inside, 15}}},
		{"between B and the exclave", 190, 85, 5, nil},
		{"in B near A", 110, 50, 5, []wantCandidate{{"B", true, Inside, 10}, {"A", false, Outside, 10}}},
		{"in B, circle crosses into A", 110, 50, 15, []wantCandidate{{"A", false, Boundary, 10}, {"B", true, Boundary, 10}}},
	}
	for _, tt := range tests {
		p := testFrame.pt(tt.x, tt.y)
		res, err := x.Locate(p, GCJ02, tt.acc)
		if err != nil {
			t.Fatalf("%s: Locate: %v", tt.name, err)
		}
		if len(res.Candidates) != len(tt.want) {
			t.Errorf("%s: got %d candidates %+v, want %d", tt.name, len(res.Candidates), res.Candidates, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			c := res.Candidates[i]
			if c.Code != w.code || c.Region.Code != w.code || c.Contains != w.contains || c.Verdict != w.verdict ||
				math.Abs(c.EdgeDistanceM-w.distM) > 0.01 {
				t.Errorf("%s: candidate %d = {%s %v %s %.3f m}, want {%s %v %s %.3f m}",
					tt.name, i, c.Code, c.Contains, c.Verdict, c.EdgeDistanceM, w.code, w.contains, w.verdict, w.distM)
			}
			if orb := planar.MultiPolygonContains(c.Region.Geometry, p); orb != c.Contains {
				t.Errorf("%s: %s Contains = %v, planar.MultiPolygonContains = %v", tt.name, c.Code, c.Contains, orb)
			}
		}
	}
}

func TestLocateInvalid(t *testing.T) {
	x := NewIndex(syntheticRegions())
	tests := []struct {
		name  string
		p     orb.Point
		datum Datum
		acc   float64
	}{
		{"NaN latitude", orb.Point{113, math.NaN()}, GCJ02, 10},
		{"NaN longitude", orb.Point{math.NaN(), 34}, GCJ02, 10},
		{"latitude above 90", orb.Point{113, 90.0001}, GCJ02, 10},
		{"latitude below -90", orb.Point{113, -91}, GCJ02, 10},
		{"longitude above 180", orb.Point{180.5, 34}, GCJ02, 10},
		{"infinite longitude", orb.Point{math.Inf(-1), 34}, GCJ02, 10},
		{"negative accuracy", orb.Point{113, 34}, GCJ02, -1},
		{"NaN accuracy", orb.Point{113, 34}, GCJ02, math.NaN()},
		{"infinite accuracy", orb.Point{113, 34}, GCJ02, math.Inf(1)},
		{"unknown datum", orb.Point{113, 34}, "CGCS2000", 10},
		{"empty datum", orb.Point{113, 34}, "", 10},
	}
	for _, tt := range tests {
		_, err := x.Locate(tt.p, tt.datum, tt.acc)
		if got := models.CodeOf(err); got != models.CodeInvalid {
			t.Errorf("%s: error code = %s (%v), want INVALID", tt.name, got, err)
		}
	}
}

// Regions in different datums are each tested in their own datum.
func TestLocateMixedDatums(t *testing.T) {
	f := testFrame
	square := orb.MultiPolygon{{f.rect(0, 0, 100, 100)}}
	toWGS := func(mp orb.MultiPolygon) orb.MultiPolygon {
		out := orb.MultiPolygon{{make(orb.Ring, len(mp[0][0]))}}
		for i, p := range mp[0][0] {
			out[0][0][i] = gcjToWGS(p)
		}
		return out
	}
	x := NewIndex([]Region{
		{Kind: models.RegionCampus, Code: "gcj", Datum: GCJ02, Geometry: square},
		{Kind: models.RegionCampus, Code: "wgs", Datum: WGS84, Geometry: toWGS(square)},
		{Kind: models.RegionCampus, Code: "broken", Datum: "", Geometry: square}, // never located
		{Kind: models.RegionCampus, Code: "empty", Datum: GCJ02},                 // never located
	})
	if got, want := x.Len(), 4; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	centre := f.pt(50, 50)
	for _, q := range []struct {
		p orb.Point
		d Datum
	}{{centre, GCJ02}, {gcjToWGS(centre), WGS84}, {gcjToBD(centre), BD09}} {
		res, err := x.Locate(q.p, q.d, 10)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range res.Candidates {
			codes = append(codes, c.Code)
			// The converted square is not quite square: the GCJ-02 offset
			// changes by a few decimetres over 100 m.
			if c.Verdict != Inside || math.Abs(c.EdgeDistanceM-50) > 0.5 {
				t.Errorf("Locate(%s) %s = %s %.3f m, want INSIDE 50±0.5 m", q.d, c.Code, c.Verdict, c.EdgeDistanceM)
			}
		}
		if len(codes) != 2 || codes[0] != "gcj" || codes[1] != "wgs" {
			t.Errorf("Locate(%s) codes = %v, want [gcj wgs]", q.d, codes)
		}
	}
}

func TestLocateEmptyIndex(t *testing.T) {
	res, err := NewIndex(nil).Locate(orb.Point{113, 34}, WGS84, 5)
	if err != nil || len(res.Candidates) != 0 {
		t.Errorf("Locate on empty index = %v, %v; want no candidates, nil", res.Candidates, err)
	}
}

// Many goroutines share one Index and get the answers a single goroutine gets.
func TestLocateConcurrent(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	pts := randomPoints(500, henanBox, 12)
	want := make([]Result, len(pts))
	for i, p := range pts {
		want[i], _ = x.Locate(p, GCJ02, 30)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for i, p := range pts {
				got, _ := x.Locate(p, GCJ02, 30)
				if len(got.Candidates) != len(want[i].Candidates) {
					errs <- "candidate count differs"
					return
				}
				for k := range got.Candidates {
					if got.Candidates[k] != want[i].Candidates[k] {
						errs <- "candidate differs"
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
