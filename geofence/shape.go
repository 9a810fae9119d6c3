package geofence

import (
	"math"

	"github.com/paulmach/orb"
)

// cellsPerEdge sets the density of a shape's edge grid: about two cells per
// edge keeps the lists short (one or two edges in a boundary cell) while a
// column scan stays at a few dozen cells for Henan's 45–714-vertex counties.
const cellsPerEdge = 2

// shape is the indexed geometry of one region: every ring's edges, bucketed in
// a uniform grid over the region's bounding box.
type shape struct {
	region int // index into Index.regions
	bound  orb.Bound
	edges  []edge
	grid   grid
	polys  []polyRings
	rings  int

	// cellRings holds a bit set of words() words per grid cell: for a cell
	// that lists no edge, bit i is set when ring i contains the cell (no edge
	// crosses it, so all its points agree).
	cellRings []uint64
	// tree answers nearest-edge queries.
	tree edgeTree
}

// edge is one segment of a ring, with the lowest grid row it is listed in.
type edge struct {
	a, b  orb.Point
	ring  int32
	rowLo int32
}

// polyRings locates a polygon's rings: ring first is the exterior, the next
// n-1 rings are its holes.
type polyRings struct {
	first, n int
}

// newShape indexes mp. It returns ok false if mp has no positions.
func newShape(region int, mp orb.MultiPolygon) (shape, bool) {
	s := shape{region: region}
	for _, poly := range mp {
		pr := polyRings{first: s.rings}
		for _, r := range poly {
			if len(r) == 0 {
				continue
			}
			s.addRing(r)
			pr.n++
		}
		if pr.n > 0 {
			s.polys = append(s.polys, pr)
		}
	}
	if len(s.edges) == 0 {
		return s, false
	}
	s.bound = orb.Bound{Min: s.edges[0].a, Max: s.edges[0].a}
	for _, e := range s.edges {
		s.bound = s.bound.Extend(e.a).Extend(e.b)
	}
	xScale := math.Cos(s.bound.Center()[1] * math.Pi / 180)
	s.grid = newGrid(s.bound, len(s.edges), cellsPerEdge, xScale, func(i int) orb.Bound {
		return orb.Bound{Min: s.edges[i].a, Max: s.edges[i].a}.Extend(s.edges[i].b)
	})
	for i := range s.edges {
		e := &s.edges[i]
		e.rowLo = int32(s.grid.row(min(e.a[1], e.b[1])))
	}
	s.tree = newEdgeTree(s.edges)
	s.cellRings = s.emptyCellRings()
	return s, true
}

// emptyCellRings computes cellRings: for each cell that lists no edge, the
// rings containing its centre, found by a full column scan.
func (s *shape) emptyCellRings() []uint64 {
	g := &s.grid
	w := s.words()
	rings := make([]uint64, g.nx*g.ny*w)
	on := make([]uint64, w)
	for r := range g.ny {
		for c := range g.nx {
			if len(g.cell(c, r)) > 0 {
				continue
			}
			centre := orb.Point{(g.cellX(c) + g.cellX(c+1)) / 2, (g.cellY(r) + g.cellY(r+1)) / 2}
			k := (r*g.nx + c) * w
			s.scanColumn(centre, c, r, false, rings[k:k+w], on)
		}
	}
	return rings
}

// addRing appends the edges of r as ring number s.rings. Like orb, it treats
// the ring as cyclic: an unclosed ring gets its closing edge.
func (s *shape) addRing(r orb.Ring) {
	id := int32(s.rings)
	s.rings++
	for k := 0; k+1 < len(r); k++ {
		s.edges = append(s.edges, edge{a: r[k], b: r[k+1], ring: id})
	}
	if first, last := r[0], r[len(r)-1]; first != last || len(r) == 1 {
		s.edges = append(s.edges, edge{a: last, b: first, ring: id})
	}
}

// contains reports whether p lies in the shape, with exactly the semantics of
// planar.MultiPolygonContains: a point on an exterior ring is in, a point on a
// hole's ring is out.
//
// It casts orb's vertical ray upwards from p through the grid column that
// holds p and counts crossings per ring, but only as far as the first cell
// that lists no edge: the parity of the crossings beyond is that cell's
// precomputed cellRings. It allocates only for shapes of more than 64 rings.
func (s *shape) contains(p orb.Point) bool {
	if !s.bound.Contains(p) {
		return false
	}
	var buf [2]uint64
	bits := buf[:]
	if w := s.words(); w > 1 {
		bits = make([]uint64, 2*w)
	}
	in, on := bits[:len(bits)/2], bits[len(bits)/2:]
	s.scanColumn(p, s.grid.col(p[0]), s.grid.row(p[1]), true, in, on)
	for i := range in {
		in[i] |= on[i]
	}
	return s.polysContain(in)
}

// words returns the number of uint64 words in a per-ring bit set.
func (s *shape) words() int {
	return (s.rings + 63) / 64
}

// scanColumn toggles in parity, per ring, the crossings of the upward ray
// from p (in cell c, r0) and sets in on the rings p lies on. An edge listed
// in several rows counts only in the first row the scan reaches. With
// stopAtEmpty the scan ends at the first cell that lists no edge and folds in
// that cell's cellRings.
func (s *shape) scanColumn(p orb.Point, c, r0 int, stopAtEmpty bool, parity, on []uint64) {
	g := &s.grid
	for r := r0; r < g.ny; r++ {
		ids := g.cell(c, r)
		if len(ids) == 0 && stopAtEmpty {
			k := (r*g.nx + c) * len(parity)
			for i := range parity {
				parity[i] ^= s.cellRings[k+i]
			}
			return
		}
		for _, id := range ids {
			e := &s.edges[id]
			if r != r0 && int(e.rowLo) != r {
				continue // already seen in a lower row
			}
			switch rayClass(p, e.a, e.b) {
			case rayAbove:
				parity[e.ring>>6] ^= 1 << (e.ring & 63)
			case rayOn:
				on[e.ring>>6] |= 1 << (e.ring & 63)
			}
		}
	}
}

// polysContain applies the polygon rule to the set of rings containing the
// point: inside some exterior ring and inside none of that polygon's holes.
func (s *shape) polysContain(rings []uint64) bool {
	in := func(ring int) bool {
		return rings[ring>>6]&(1<<(ring&63)) != 0
	}
	for _, pr := range s.polys {
		if !in(pr.first) {
			continue
		}
		inHole := false
		for h := pr.first + 1; h < pr.first+pr.n && !inHole; h++ {
			inHole = in(h)
		}
		if !inHole {
			return true
		}
	}
	return false
}

// Classes of an edge relative to the vertical line through a point.
const (
	rayMiss  = iota // the edge does not span the line
	rayAbove        // the edge crosses the line above the point
	rayBelow        // the edge crosses the line below the point
	rayOn           // the point lies on the edge
)

// rayClass classifies edge s–e against p. It is orb's planar rayIntersect
// (v0.14.0) step for step, so that contains agrees with orb exactly, extended
// to tell crossings below the point from edges that miss the line.
func rayClass(p, s, e orb.Point) int {
	if s[0] > e[0] {
		s, e = e, s
	}
	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			return rayOn
		}
		if s[0] == e[0] &&
			((s[1] > e[1] && s[1] >= p[1] && p[1] >= e[1]) || (e[1] > s[1] && e[1] >= p[1] && p[1] >= s[1])) {
			return rayOn
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			return rayOn
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	}
	if p[0] < s[0] || p[0] > e[0] {
		return rayMiss
	}
	lo, hi := s[1], e[1]
	if lo > hi {
		lo, hi = hi, lo
	}
	if p[1] > hi {
		return rayBelow
	}
	if p[1] < lo {
		return rayAbove
	}
	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])
	switch {
	case rs == ds:
		return rayOn
	case rs < ds:
		return rayAbove
	}
	return rayBelow
}
