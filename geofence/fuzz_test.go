package geofence

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/henan-youth/onsite/models"
)

// fuzzRegions adds to the synthetic map a comb below A whose vertical edges
// and vertices share x coordinates with A's, to exercise the ray-casting
// special cases:
//
//	  0 +-------A-------+
//	-10 +\    /\    /\  /+
//	    | \  /  \  /  \/ |      teeth at x = 20, 60, 80
//	-40 |  \/    \/      |
//	-60 |     +--+       |      notch x 40..60
//	    |  C  |  |       |
//	-100+-----+  +-------+
//	    0    40  60     100
func fuzzRegions() []Region {
	f := testFrame
	comb := f.ring(0, -100, 40, -100, 40, -60, 60, -60, 60, -100, 100, -100,
		100, -10, 80, -40, 60, -10, 40, -40, 20, -10, 0, -10)
	return append(syntheticRegions(), Region{Kind: models.RegionCounty, Code: "C", Datum: GCJ02, Geometry: orb.MultiPolygon{{comb}}})
}

var fuzzDatums = [...]Datum{GCJ02, WGS84, BD09, "bogus"}

func FuzzLocate(f *testing.F) {
	for _, s := range []struct{ x, y, acc float64 }{
		{20, 20, 5}, {0, 0, 0}, {0, 50, 0}, {100, 50, 0}, {100, 100, 3}, {50, 50, 3}, {40, 50, 0}, {40, 40, 0},
		{235, 85, 5}, {110, 50, 15}, {-10, 50, 15}, {40, -60, 0}, {60, -30, 1}, {20, -10, 0}, {50, -80, 10},
		{40, -50, 0}, {100, -10, 0}, {50, -5, 4}, {math.NaN(), 0, 1}, {0, 0, -1}, {1e300, 0, 1}, {0, 0, math.Inf(1)},
	} {
		f.Add(s.x, s.y, s.acc, uint8(0))
	}
	f.Add(20.0, 20.0, 5.0, uint8(1))
	f.Add(100.0, 50.0, 0.0, uint8(2))
	f.Add(20.0, 20.0, 5.0, uint8(3))
	regions := fuzzRegions()
	x := NewIndex(regions)
	f.Fuzz(func(t *testing.T, mx, my, acc float64, d uint8) {
		p := testFrame.pt(mx, my)
		datum := fuzzDatums[int(d)%len(fuzzDatums)]
		res, err := x.Locate(p, datum, acc)
		valid := checkPoint(p) == nil && datum.Valid() && acc >= 0 && !math.IsInf(acc, 1)
		if !valid {
			if models.CodeOf(err) != models.CodeInvalid {
				t.Fatalf("Locate(%v, %s, %v) error = %v, want INVALID", p, datum, acc, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Locate(%v, %s, %v): %v", p, datum, acc, err)
		}
		q := convert(p, datum, GCJ02)
		checkAgainstScan(t, res, regions, q, acc)
	})
}

// checkAgainstScan compares a Result with orb's containment and a scan of
// every edge of every region, and checks the verdict rule and the order.
func checkAgainstScan(t *testing.T, res Result, regions []Region, q orb.Point, acc float64) {
	t.Helper()
	listed := map[string]Candidate{}
	for i, c := range res.Candidates {
		listed[c.Code] = c
		if i > 0 && c.Verdict.rank() < res.Candidates[i-1].Verdict.rank() {
			t.Errorf("candidates out of order: %+v", res.Candidates)
		}
		if c.Verdict != verdict(c.Contains, c.EdgeDistanceM, acc) {
			t.Errorf("%s: verdict %s for contains %v, %.9f m, accuracy %v", c.Code, c.Verdict, c.Contains, c.EdgeDistanceM, acc)
		}
	}
	for _, r := range regions {
		if !r.Datum.Valid() || len(r.Geometry) == 0 {
			continue
		}
		in := planar.MultiPolygonContains(r.Geometry, q)
		d := bruteEdgeDistance(r.Geometry, q)
		c, ok := listed[r.Code]
		switch {
		case ok && c.Contains != in:
			t.Errorf("%s at %v: Contains = %v, planar.MultiPolygonContains = %v", r.Code, q, c.Contains, in)
		case ok && math.Abs(c.EdgeDistanceM-d) > 1e-9*max(1, d):
			t.Errorf("%s at %v: EdgeDistanceM = %.9f, scan = %.9f", r.Code, q, c.EdgeDistanceM, d)
		case !ok && (in || d <= acc+CandidateMarginM-1e-9):
			t.Errorf("%s at %v: not listed, but contains = %v, distance %.9f m (accuracy %v)", r.Code, q, in, d, acc)
		}
	}
}

func FuzzParseFeatureCollection(f *testing.F) {
	ok := feature(`"code":"ok","name":"好"`, polygon(square(113, 34, 0.1)))
	for _, s := range []string{
		collection(ok),
		collection(ok, feature(`"adcode":410102,"center":[113.05,34.05],"datum":"GCJ-02"`,
			multiPolygon("["+square(113.2, 34, 0.1)+","+square(113.22, 34.02, 0.02)+"]", "["+square(114, 34, 0.1)+"]"))),
		collection(feature(`"code":"bow"`, polygon("[[113,34],[113.2,34.2],[113.2,34],[113,34.3],[113,34]]"))),
		collection(feature(`"code":"spike"`, polygon("[[0,0],[2,0],[1,0],[1,1],[0,1],[0,0]]"))),
		collection(feature(`"code":"u"`, polygon("[[113,34],[113.1,34],[113.1,34.1]]"))),
		collection(feature(`"code":"z"`, polygon("[[113,34],[113.1,34.1],[113.2,34.2],[113,34]]"))),
		collection(feature(`"code":"p"`, `{"type":"Point","coordinates":[113,34]}`)),
		collection(ok, ok),
		collection(),
		`{"type":"FeatureCollection","datum":"BD-09 (Baidu)","features":[` + ok + `]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null}]}`,
		`[]`, `null`, ``, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},"geometry":{"type":"Polygon","coordinates":[[[1,2,3],[4,5],[6,7],[1,2]]]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		regions, _, err := ParseFeatureCollection(data, models.RegionCounty, GCJ02)
		if err != nil {
			if models.CodeOf(err) != models.CodeInvalid {
				t.Fatalf("error code = %s (%v), want INVALID", models.CodeOf(err), err)
			}
			return
		}
		codes := map[string]bool{}
		for _, r := range regions {
			if codes[r.Code] || r.Code == "" || !r.Datum.Valid() {
				t.Fatalf("region %+v: empty or repeated code, or bad datum", r)
			}
			codes[r.Code] = true
			if err := ValidateGeometry(r.Geometry); err != nil {
				t.Fatalf("region %s: accepted geometry fails ValidateGeometry: %v", r.Code, err)
			}
		}
		// A vertex of a region is at distance 0 from it, so it is a candidate.
		x := NewIndex(regions)
		for _, r := range regions {
			v := r.Geometry[0][0][0]
			res, err := x.Locate(v, r.Datum, 0)
			if err != nil {
				t.Fatalf("Locate(vertex %v): %v", v, err)
			}
			found := false
			for _, c := range res.Candidates {
				found = found || (c.Code == r.Code && c.EdgeDistanceM == 0 && c.Verdict == Boundary)
			}
			if !found {
				t.Fatalf("Locate(vertex %v of %s) = %+v, want %s BOUNDARY at 0 m", v, r.Code, res.Candidates, r.Code)
			}
		}
	})
}

// The fuzz invariants on a 2.5 m lattice over the synthetic map, which hits
// every vertex and runs along every edge.
func TestLocateSyntheticLattice(t *testing.T) {
	regions := fuzzRegions()
	x := NewIndex(regions)
	for mx := -30.0; mx <= 270; mx += 2.5 {
		for my := -130.0; my <= 130; my += 2.5 {
			p := testFrame.pt(mx, my)
			res, err := x.Locate(p, GCJ02, 4)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstScan(t, res, regions, p, 4)
		}
	}
}
