package geofence

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestHenanLoads(t *testing.T) {
	rs, ws := henanRegions(t)
	if got, want := len(rs), 157; got != want {
		t.Fatalf("regions = %d, want %d", got, want)
	}
	// The one known defect: a bow-tie on the shared 南召县/方城县 border, two
	// crossing segment pairs in each of the two rings.
	wantCodes := []string{"411321", "411321", "411322", "411322"}
	if len(ws) != len(wantCodes) {
		t.Fatalf("warnings = %d (%v), want %d", len(ws), ws, len(wantCodes))
	}
	near := orb.Point{112.665, 33.321}
	for i, w := range ws {
		if w.Code != wantCodes[i] || w.Part != 0 || w.Ring != 0 {
			t.Errorf("warning %d = %v, want code %s part 0 ring 0", i, w, wantCodes[i])
		}
		if d := haversineM(w.Location, near); d > 500 {
			t.Errorf("warning %d at %v is %.0f m from %v, want within 500 m", i, w.Location, d, near)
		}
	}
	byCode := map[string]Region{}
	for _, r := range rs {
		byCode[r.Code] = r
	}
	checks := []struct{ code, official, name, parent string }{
		{"410102", "410102", "中原区", "410100"},
		{"410306", "410308", "孟津区", "410300"},
		{"410381", "410307", "偃师区", "410300"},
		{"419001", "419001", "济源市", "419001"},
	}
	for _, c := range checks {
		r := byCode[c.code]
		if r.OfficialCode != c.official || r.Name != c.name || r.ParentCode != c.parent || r.Datum != GCJ02 || r.Center == nil {
			t.Errorf("region %s = {%s %s %s %s center %v}, want {%s %s %s GCJ02 center set}",
				c.code, r.OfficialCode, r.Name, r.ParentCode, r.Datum, r.Center, c.official, c.name, c.parent)
		}
	}
}

// Every county's own label point (the source's "center", GCJ-02) lies INSIDE
// that county with a 10 m fix, and in no other county. All 157 do in the
// bundled data: none lies outside its polygon, and the one nearest an edge
// (卫东区 410403) is about 84 m from it, so no exception is needed.
func TestHenanCentersInside(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	for _, r := range rs {
		res, err := x.Locate(*r.Center, GCJ02, 10)
		if err != nil {
			t.Fatalf("Locate(%s center): %v", r.Name, err)
		}
		best, ok := soleInside(res)
		if !ok || best.Code != r.Code || containing(res) != 1 {
			t.Errorf("Locate(%s %s center %v) = %+v, want %s the one INSIDE and containing candidate",
				r.Code, r.Name, *r.Center, res.Candidates, r.Code)
		}
		for _, c := range res.Candidates[1:] {
			if c.Verdict != Outside {
				t.Errorf("Locate(%s center): extra candidate %s %s, want only OUTSIDE extras", r.Name, c.Code, c.Verdict)
			}
		}
	}
}

// The same place sent as WGS-84 and as GCJ-02 lands in the same county.
func TestHenanDatumsAgree(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	for _, r := range rs {
		w, err := Convert(*r.Center, GCJ02, WGS84)
		if err != nil {
			t.Fatalf("Convert: %v", err)
		}
		b, err := Convert(*r.Center, GCJ02, BD09)
		if err != nil {
			t.Fatalf("Convert: %v", err)
		}
		for _, q := range []struct {
			p orb.Point
			d Datum
		}{{*r.Center, GCJ02}, {w, WGS84}, {b, BD09}} {
			res, err := x.Locate(q.p, q.d, 10)
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			best, ok := soleInside(res)
			if !ok || best.Code != r.Code {
				t.Errorf("Locate(%s center as %s %v) = %+v, want %s INSIDE", r.Name, q.d, q.p, res.Candidates, r.Code)
			}
		}
	}
}

func TestHenanOutsidePoints(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	for _, p := range []orb.Point{{109.5, 34}, {117.5, 34}, {113, 30.5}, {113, 37}} {
		res, err := x.Locate(p, WGS84, 30)
		if err != nil {
			t.Fatalf("Locate(%v): %v", p, err)
		}
		if got := len(res.Candidates); got != 0 {
			t.Errorf("Locate(%v) = %d candidates (%v), want none", p, got, res.Candidates)
		}
	}
}

// Locate agrees with a brute-force scan (orb's containment, every edge's
// distance) on random points across the province and on points scattered
// within 60 m of random vertices, where borders make the answers hard.
func TestHenanAgainstBruteForce(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	pts := randomPoints(300, henanBox, 1)
	rng := rand.New(rand.NewPCG(2, 3))
	f := newFrame(113, 34)
	for range 300 {
		r := rs[rng.IntN(len(rs))].Geometry[0][0]
		v := r[rng.IntN(len(r))]
		pts = append(pts, orb.Point{v[0] + (rng.Float64()*120-60)/f.kx, v[1] + (rng.Float64()*120-60)/f.ky})
	}
	const acc = 25.0
	for _, p := range pts {
		res, err := x.Locate(p, GCJ02, acc)
		if err != nil {
			t.Fatalf("Locate(%v): %v", p, err)
		}
		got := map[string]Candidate{}
		for _, c := range res.Candidates {
			got[c.Code] = c
		}
		for _, r := range rs {
			in := planar.MultiPolygonContains(r.Geometry, p)
			d := bruteEdgeDistance(r.Geometry, p)
			c, listed := got[r.Code]
			wantListed := in || d <= acc+CandidateMarginM
			if listed != wantListed {
				t.Errorf("Locate(%v): %s listed = %v, want %v (contains %v, distance %.3f m)", p, r.Code, listed, wantListed, in, d)
				continue
			}
			if !listed {
				continue
			}
			if c.Contains != in || math.Abs(c.EdgeDistanceM-d) > 1e-6 || c.Verdict != verdict(in, d, acc) {
				t.Errorf("Locate(%v) %s = {contains %v, %.6f m, %s}, want {%v, %.6f m, %s}",
					p, r.Code, c.Contains, c.EdgeDistanceM, c.Verdict, in, d, verdict(in, d, acc))
			}
		}
	}
}

// Gaps and overlaps across city borders: a point may lie in two counties or
// in none. Locate must then list every county concerned. Probe the neighbourhood of 2,000 random vertices
// and check the rule on every case found.
func TestHenanBorderAmbiguity(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	rng := rand.New(rand.NewPCG(4, 5))
	f := newFrame(113, 34)
	var overlaps, gaps int
	for range 2000 {
		r := rs[rng.IntN(len(rs))].Geometry[0][0]
		v := r[rng.IntN(len(r))]
		p := orb.Point{v[0] + (rng.Float64()*20-10)/f.kx, v[1] + (rng.Float64()*20-10)/f.ky}
		res, err := x.Locate(p, GCJ02, 5)
		if err != nil {
			t.Fatal(err)
		}
		switch containing(res) {
		case 0:
			gaps++
		case 1:
		default:
			overlaps++
		}
	}
	t.Logf("near-vertex probes: %d in two or more counties, %d in none (province edge or gaps)", overlaps, gaps)
	if overlaps == 0 {
		t.Errorf("no overlap found near city borders; the data README says there are some")
	}
}
