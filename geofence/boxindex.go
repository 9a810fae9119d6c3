package geofence

import (
	"math"

	"github.com/paulmach/orb"
)

// cellsPerRegion sets the density of the grid over region bounding boxes: for
// Henan's 157 counties it gives cells of about 20 km, so a query box of tens
// of metres touches one cell (rarely up to four) listing a handful of regions.
const cellsPerRegion = 4

// boxIndex finds the items whose bounding boxes intersect a query box. It is a
// uniform grid over the union of the boxes: each cell lists the items whose
// boxes touch it. For a few hundred heavily overlapping county boxes this is
// several times faster than a packed R-tree and far simpler.
type boxIndex struct {
	bounds []orb.Bound // by item id
	grid   grid
}

// newBoxIndex indexes the given boxes; item ids are their positions.
func newBoxIndex(bounds []orb.Bound) boxIndex {
	x := boxIndex{bounds: bounds}
	if len(bounds) == 0 {
		return x
	}
	all := bounds[0]
	for _, b := range bounds[1:] {
		all = all.Union(b)
	}
	xScale := math.Cos(all.Center()[1] * math.Pi / 180)
	x.grid = newGrid(all, len(bounds), cellsPerRegion, xScale, func(i int) orb.Bound { return bounds[i] })
	return x
}

// search appends to dst the ids of the items whose boxes intersect b, each
// once, and returns the extended slice. An item listed in several of the
// cells b touches is reported only from the cell holding the lower-left
// corner of the overlap of its box and b. search does not allocate unless dst
// must grow.
func (x *boxIndex) search(b orb.Bound, dst []int32) []int32 {
	g := &x.grid
	if len(x.bounds) == 0 || !intersects(b, orb.Bound{Min: orb.Point{g.minX, g.minY}, Max: orb.Point{g.maxX, g.maxY}}) {
		return dst
	}
	c0, r0, c1, r1 := g.span(b)
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			for _, id := range g.cell(c, r) {
				ib := &x.bounds[id]
				if !intersects(*ib, b) {
					continue
				}
				if (c == c0 || g.col(ib.Min[0]) == c) && (r == r0 || g.row(ib.Min[1]) == r) {
					dst = append(dst, id)
				}
			}
		}
	}
	return dst
}

// intersects reports whether two non-empty boxes share a point.
func intersects(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && b.Min[0] <= a.Max[0] && a.Min[1] <= b.Max[1] && b.Min[1] <= a.Max[1]
}
