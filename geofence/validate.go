package geofence

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
)

// minRingArea is the smallest |area| in square degrees a ring may have: about
// 1e-4 m² at Henan's latitudes. Anything smaller is a degenerate ring.
const minRingArea = 1e-14

// ValidateGeometry checks mp the way ParseFeatureCollection checks imported
// features: at least one polygon, every polygon with an exterior ring, every
// ring closed, with at least 4 positions, finite coordinates within ±180/±90
// and non-zero area. It returns nil, or a CodeInvalid error naming the part
// and ring of the first problem.
func ValidateGeometry(mp orb.MultiPolygon) error {
	if err := validateMultiPolygon(mp); err != nil {
		return models.E(models.CodeInvalid, "%s", message(err))
	}
	return nil
}

func validateMultiPolygon(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("geometry has no polygons")
	}
	for i, poly := range mp {
		if len(poly) == 0 {
			return fmt.Errorf("part %d: polygon has no rings", i)
		}
		for j, ring := range poly {
			if err := validateRing(ring); err != nil {
				return fmt.Errorf("part %d ring %d: %v", i, j, err)
			}
		}
	}
	return nil
}

// validateRing returns why r is unusable, or nil.
func validateRing(r orb.Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("ring has %d positions, need at least 4", len(r))
	}
	for k, p := range r {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			return fmt.Errorf("position %d is not finite", k)
		}
		if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return fmt.Errorf("position %d [%v, %v] is out of range", k, p[0], p[1])
		}
	}
	if first, last := r[0], r[len(r)-1]; first != last {
		return fmt.Errorf("ring is not closed: first position [%v, %v], last [%v, %v]",
			first[0], first[1], last[0], last[1])
	}
	if math.Abs(ringArea(r)) < minRingArea {
		return fmt.Errorf("ring has zero area")
	}
	return nil
}

// ringArea returns the signed shoelace area of r in square degrees, computed
// relative to the first position to keep precision.
func ringArea(r orb.Ring) float64 {
	o := r[0]
	var s float64
	for i := 1; i+1 < len(r); i++ {
		ax, ay := r[i][0]-o[0], r[i][1]-o[1]
		bx, by := r[i+1][0]-o[0], r[i+1][1]-o[1]
		s += ax*by - bx*ay
	}
	return s / 2
}

// selfIntersections reports, for every ring of mp, each place where two of
// its segments cross, touch or overlap other than at the vertex two
// neighbouring segments share. Part, Ring, Location and Message are set.
//
// Segments are bucketed in a uniform grid with about one cell per segment and
// only pairs sharing a cell are compared, so a ring of n well-spread segments
// costs O(n), not O(n²).
func selfIntersections(mp orb.MultiPolygon) []Warning {
	var ws []Warning
	for i, poly := range mp {
		for j, ring := range poly {
			for _, h := range ringSelfIntersections(ring) {
				h.Part, h.Ring = i, j
				ws = append(ws, h)
			}
		}
	}
	return ws
}

// ringSelfIntersections checks one closed ring.
func ringSelfIntersections(ring orb.Ring) []Warning {
	pts := dedupConsecutive(ring)
	n := len(pts) - 1 // segments: pts[k]–pts[k+1]
	if n < 3 {
		return nil
	}
	segBound := func(k int) orb.Bound {
		return orb.Bound{Min: pts[k], Max: pts[k]}.Extend(pts[k+1])
	}
	g := newGrid(orb.MultiPoint(pts).Bound(), n, 1, 1, segBound)
	var ws []Warning
	for r := range g.ny {
		for c := range g.nx {
			ws = checkCell(g.cell(c, r), c, r, pts, &g, segBound, ws)
		}
	}
	return dedupLocations(ws)
}

// dedupLocations keeps the first warning at each location: where several
// segments meet at one point (a ring pinched at a vertex) that is one defect.
func dedupLocations(ws []Warning) []Warning {
	seen := make(map[orb.Point]bool, len(ws))
	out := ws[:0]
	for _, w := range ws {
		if !seen[w.Location] {
			seen[w.Location] = true
			out = append(out, w)
		}
	}
	return out
}

// checkCell compares the segment pairs of one cell. A pair is examined only in
// the cell holding the lower-left corner of the overlap of the two segments'
// bounding boxes, so each pair is reported at most once.
func checkCell(ids []int32, c, r int, pts []orb.Point, g *grid, segBound func(int) orb.Bound, ws []Warning) []Warning {
	n := len(pts) - 1
	for a := 0; a < len(ids); a++ {
		for b := a + 1; b < len(ids); b++ {
			i, j := int(min(ids[a], ids[b])), int(max(ids[a], ids[b]))
			bi, bj := segBound(i), segBound(j)
			if !bi.Intersects(bj) {
				continue
			}
			if g.col(max(bi.Min[0], bj.Min[0])) != c || g.row(max(bi.Min[1], bj.Min[1])) != r {
				continue
			}
			adjacent := j == i+1 || (i == 0 && j == n-1)
			if at, ok := segmentsMeet(pts, i, j, adjacent); ok {
				ws = append(ws, Warning{
					Location: at,
					Message:  fmt.Sprintf("ring crosses or touches itself (segments %d and %d)", i, j),
				})
			}
		}
	}
	return ws
}

// segmentsMeet reports whether segments i and j of pts meet, and where.
// Adjacent segments always share a vertex; for them only a fold-back (the
// second running back along the first) counts.
func segmentsMeet(pts []orb.Point, i, j int, adjacent bool) (orb.Point, bool) {
	a, b, c, d := pts[i], pts[i+1], pts[j], pts[j+1]
	if adjacent {
		if j != i+1 { // segment j is the last one and ends where segment i starts
			a, b, c, d = c, d, a, b
		}
		// Now b == c. Fold-back: d on the line ab, pointing back towards a.
		if orient(a, b, d) == 0 && (b[0]-a[0])*(d[0]-b[0])+(b[1]-a[1])*(d[1]-b[1]) < 0 {
			return b, true
		}
		return orb.Point{}, false
	}
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1*o2 < 0 && o3*o4 < 0 {
		t := o3 / (o3 - o4) // where ab crosses cd, as a fraction of ab
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
	}
	switch {
	case o1 == 0 && onSegment(a, b, c):
		return c, true
	case o2 == 0 && onSegment(a, b, d):
		return d, true
	case o3 == 0 && onSegment(c, d, a):
		return a, true
	case o4 == 0 && onSegment(c, d, b):
		return b, true
	}
	return orb.Point{}, false
}

// orient returns twice the signed area of triangle abc: positive when c is
// left of a→b, zero when collinear.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment reports whether p, known to be collinear with ab, lies on ab.
func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// dedupConsecutive returns r without repeated consecutive positions.
func dedupConsecutive(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for k, p := range r {
		if k == 0 || p != r[k-1] {
			out = append(out, p)
		}
	}
	return out
}
