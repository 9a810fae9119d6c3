package geofence

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the mean Earth radius (IUGG R1) used for all distances.
const EarthRadiusM = 6371008.8

// metresPerDegree returns the scale of the local equirectangular projection
// around latitude lat (see the package documentation): metres per degree of
// longitude (kx) and of latitude (ky).
func metresPerDegree(lat float64) (kx, ky float64) {
	ky = EarthRadiusM * math.Pi / 180
	kx = ky * math.Max(math.Cos(lat*math.Pi/180), 1e-9)
	return kx, ky
}

// segDist2 returns the squared distance in metres from the origin to the
// segment a–b, whose ends are given in metres relative to the query point.
func segDist2(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := -(ax*dx + ay*dy) // projection of the origin on the line, times |ab|²
	if t <= 0 {
		return ax*ax + ay*ay
	}
	if t >= l2 {
		return bx*bx + by*by
	}
	c := ax*by - ay*bx // twice the area of the triangle origin, a, b
	return c * c / l2
}

// edgeFanout is the number of children of a node of a shape's edge tree.
const edgeFanout = 8

// edgeTree is a bounding-volume hierarchy over a shape's edges in ring order.
// Consecutive edges of a ring lie close together, so boxes over runs of them
// are tight without any sorting. levels[0][i] bounds edges
// [i·edgeFanout, (i+1)·edgeFanout); levels[l][i] bounds the boxes
// [i·edgeFanout, (i+1)·edgeFanout) of level l−1; the last level has at most
// edgeFanout boxes.
type edgeTree struct {
	levels [][]orb.Bound
}

// newEdgeTree builds the hierarchy over edges.
func newEdgeTree(edges []edge) edgeTree {
	var t edgeTree
	level := make([]orb.Bound, 0, (len(edges)+edgeFanout-1)/edgeFanout)
	for i := 0; i < len(edges); i += edgeFanout {
		b := orb.Bound{Min: edges[i].a, Max: edges[i].a}
		for _, e := range edges[i:min(i+edgeFanout, len(edges))] {
			b = b.Extend(e.a).Extend(e.b)
		}
		level = append(level, b)
	}
	t.levels = append(t.levels, level)
	for len(level) > edgeFanout {
		up := make([]orb.Bound, 0, (len(level)+edgeFanout-1)/edgeFanout)
		for i := 0; i < len(level); i += edgeFanout {
			b := level[i]
			for _, c := range level[i+1 : min(i+edgeFanout, len(level))] {
				b = b.Union(c)
			}
			up = append(up, b)
		}
		t.levels = append(t.levels, up)
		level = up
	}
	return t
}

// nearest returns the distance in metres from p to the nearest edge of the
// shape. It does not look farther than limit metres: if no edge is that
// close it returns some value greater than limit (possibly +Inf). Pass +Inf
// for the exact distance however far.
//
// It descends the edge tree nearest box first and skips every box whose
// distance from p is already no better than the best edge found, so a query
// measures a few dozen boxes and edges whatever its depth inside the region.
func (s *shape) nearest(p orb.Point, kx, ky, limit float64) float64 {
	top := len(s.tree.levels) - 1
	limit2 := limit * limit * (1 + 1e-9) // so that rounding cannot cut off an edge at exactly limit
	best := s.descend(top, 0, len(s.tree.levels[top]), p, kx, ky, math.Inf(1), limit2)
	return math.Sqrt(best)
}

// descend visits boxes [lo, hi) of the given level (at most edgeFanout of
// them) and returns the smaller of best and the squared distance to the
// nearest edge beneath them. Boxes farther than best or than limit2 are
// skipped.
func (s *shape) descend(level, lo, hi int, p orb.Point, kx, ky, best, limit2 float64) float64 {
	var dist [edgeFanout]float64
	var order [edgeFanout]int
	n := 0
	boxes := s.tree.levels[level][lo:hi]
	for i := range boxes {
		b := &boxes[i]
		dx := axisGap(p[0], b.Min[0], b.Max[0]) * kx
		dy := axisGap(p[1], b.Min[1], b.Max[1]) * ky
		d := dx*dx + dy*dy
		j := n // insertion sort by distance
		for ; j > 0 && dist[j-1] > d; j-- {
			dist[j], order[j] = dist[j-1], order[j-1]
		}
		dist[j], order[j] = d, lo+i
		n++
	}
	for k := range n {
		if dist[k] >= best || dist[k] > limit2 {
			break
		}
		first, last := order[k]*edgeFanout, (order[k]+1)*edgeFanout
		if level == 0 {
			edges := s.edges[first:min(last, len(s.edges))]
			for i := range edges {
				e := &edges[i]
				if d := segDist2((e.a[0]-p[0])*kx, (e.a[1]-p[1])*ky, (e.b[0]-p[0])*kx, (e.b[1]-p[1])*ky); d < best {
					best = d
				}
			}
			continue
		}
		best = s.descend(level-1, first, min(last, len(s.tree.levels[level-1])), p, kx, ky, best, limit2)
	}
	return best
}

// axisGap returns how far v lies outside [lo, hi] (0 inside).
func axisGap(v, lo, hi float64) float64 {
	return max(lo-v, v-hi, 0)
}
