package geofence

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
)

// CandidateMarginM is how far beyond the accuracy radius Locate still lists a
// region, as an OUTSIDE candidate: a reviewer looking at a check-in 40 m
// outside a county with a 30 m fix wants to see that county named.
const CandidateMarginM = 20.0

// Verdict says how a check-in's accuracy circle lies relative to a region.
type Verdict string

// The verdicts, in the order Result lists them.
const (
	// Inside: the region contains the point and the whole accuracy circle
	// (EdgeDistanceM > accuracy).
	Inside Verdict = "INSIDE"
	// Boundary: the accuracy circle touches or crosses the region's edge
	// (EdgeDistanceM <= accuracy), whichever side the point is on.
	Boundary Verdict = "BOUNDARY"
	// Outside: the point and its accuracy circle are outside the region, but
	// its edge is within accuracy + CandidateMarginM.
	Outside Verdict = "OUTSIDE"
)

func (v Verdict) rank() int {
	switch v {
	case Inside:
		return 0
	case Boundary:
		return 1
	}
	return 2
}

// Candidate is one region near a located point.
type Candidate struct {
	Region        *Region // the Index's copy; do not modify
	Code          string  // Region.Code
	Contains      bool    // the point itself lies in the region (a point on an exterior edge does)
	EdgeDistanceM float64 // metres from the point to the region's nearest edge, holes included
	Verdict       Verdict

	index int // position of Region in the Index, the last tie-breaker
}

// Result is the answer of Index.Locate.
type Result struct {
	Point     orb.Point // the point as given
	Datum     Datum     // its datum
	WGS84     orb.Point // the point in WGS-84 (converted once, with the conversions for the regions' datums)
	AccuracyM float64   // its accuracy radius in metres
	// Candidates are every region that contains the point or whose edge is
	// within AccuracyM + CandidateMarginM of it, ordered INSIDE, BOUNDARY,
	// OUTSIDE, then by Kind, Code and position in the index.
	Candidates []Candidate
}

// Index answers which regions a point lies in. Build it with NewIndex; it is
// immutable afterwards and safe for concurrent use.
type Index struct {
	regions []Region
	groups  []datumGroup
}

// datumGroup holds the regions of one datum, so that a query point is
// converted once per datum, not once per region.
type datumGroup struct {
	datum  Datum
	shapes []shape
	boxes  boxIndex // over the shapes' bounding boxes
}

// NewIndex indexes a copy of regions (the slice is copied; the geometries are
// shared and must not be modified afterwards). It does not validate: a region
// whose Datum is not valid or whose Geometry has no positions is kept in the
// index but never located. It never fails.
func NewIndex(regions []Region) *Index {
	x := &Index{regions: slices.Clone(regions)}
	var datums []Datum
	byDatum := map[Datum][]shape{}
	for i := range x.regions {
		r := &x.regions[i]
		if !r.Datum.Valid() {
			continue
		}
		s, ok := newShape(i, r.Geometry)
		if !ok {
			continue
		}
		if _, seen := byDatum[r.Datum]; !seen {
			datums = append(datums, r.Datum)
		}
		byDatum[r.Datum] = append(byDatum[r.Datum], s)
	}
	slices.Sort(datums)
	for _, d := range datums {
		shapes := byDatum[d]
		bounds := make([]orb.Bound, len(shapes))
		for i := range shapes {
			bounds[i] = shapes[i].bound
		}
		x.groups = append(x.groups, datumGroup{datum: d, shapes: shapes, boxes: newBoxIndex(bounds)})
	}
	return x
}

// Len returns the number of regions given to NewIndex.
func (x *Index) Len() int { return len(x.regions) }

// Locate finds the regions at p, a [lon, lat] position in datum with an
// accuracy radius of accuracyM metres (the phone's reported horizontal
// accuracy; 0 for an exact point). p is converted once to WGS-84 (the
// Result's WGS84) and once to each other datum of the indexed regions; candidate regions are found through a grid over their
// bounding boxes and tested exactly: containment with the semantics of
// planar.MultiPolygonContains, and the distance to the nearest edge as
// described in the package documentation. Locate allocates only the
// Candidates slice, and none when there are no candidates.
//
// It returns a CodeInvalid error if p is not finite or out of range, datum is
// unknown, or accuracyM is negative, NaN or infinite.
func (x *Index) Locate(p orb.Point, datum Datum, accuracyM float64) (Result, error) {
	if err := checkPoint(p); err != nil {
		return Result{}, err
	}
	if !datum.Valid() {
		return Result{}, models.E(models.CodeInvalid, "unknown datum %q", datum)
	}
	if !(accuracyM >= 0) || math.IsInf(accuracyM, 1) {
		return Result{}, models.E(models.CodeInvalid, "accuracy %v m must be a finite number >= 0", accuracyM)
	}
	res := Result{Point: p, Datum: datum, AccuracyM: accuracyM, WGS84: p}
	if datum != WGS84 {
		res.WGS84 = convert(p, datum, WGS84)
	}
	for i := range x.groups {
		g := &x.groups[i]
		q := res.WGS84
		if g.datum != WGS84 {
			q = convert(p, datum, g.datum)
		}
		res.Candidates = x.locateIn(g, q, accuracyM, res.Candidates)
	}
	sortCandidates(res.Candidates)
	return res, nil
}

// locateIn appends the candidates of one datum group for q, already in that
// group's datum.
func (x *Index) locateIn(g *datumGroup, q orb.Point, acc float64, out []Candidate) []Candidate {
	limit := acc + CandidateMarginM
	kx, ky := metresPerDegree(q[1])
	// Widen by a millionth so rounding cannot drop an edge at exactly limit.
	dLon, dLat := limit/kx*(1+1e-6), limit/ky*(1+1e-6)
	box := orb.Bound{Min: orb.Point{q[0] - dLon, q[1] - dLat}, Max: orb.Point{q[0] + dLon, q[1] + dLat}}
	var buf [16]int32
	for _, si := range g.boxes.search(box, buf[:0]) {
		s := &g.shapes[si]
		in := s.contains(q)
		lim := limit
		if in {
			lim = math.Inf(1) // the exact distance is wanted however deep
		}
		d := s.nearest(q, kx, ky, lim)
		if !in && d > limit {
			continue
		}
		if out == nil {
			out = make([]Candidate, 0, 4)
		}
		r := &x.regions[s.region]
		out = append(out, Candidate{
			Region: r, Code: r.Code, Contains: in, EdgeDistanceM: d, Verdict: verdict(in, d, acc), index: s.region,
		})
	}
	return out
}

// verdict applies the accuracy rule.
func verdict(contains bool, dist, acc float64) Verdict {
	switch {
	case dist <= acc:
		return Boundary
	case contains:
		return Inside
	}
	return Outside
}

// sortCandidates puts cs in Result order. Lists are short, so insertion sort.
func sortCandidates(cs []Candidate) {
	less := func(a, b *Candidate) bool {
		if ra, rb := a.Verdict.rank(), b.Verdict.rank(); ra != rb {
			return ra < rb
		}
		if a.Region.Kind != b.Region.Kind {
			return a.Region.Kind < b.Region.Kind
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.index < b.index
	}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && less(&cs[j], &cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}
