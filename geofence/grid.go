package geofence

import (
	"math"

	"github.com/paulmach/orb"
)

// grid is a static uniform grid over a bounding box whose cells list the
// items (edge or region ids) whose bounding boxes touch them. The lists are
// stored compactly: the items of cell c are items[start[c]:start[c+1]].
//
// Cell indexes are computed by col and row, which are monotonic in the
// coordinate. An item is registered in every cell from col(minX) to col(maxX)
// and row(minY) to row(maxY), so any point of an item, mapped through col and
// row, falls in a cell that lists it. The index code relies on this.
type grid struct {
	minX, minY float64
	maxX, maxY float64
	invW, invH float64 // cells per degree
	nx, ny     int
	start      []int32
	items      []int32
}

// maxGridSide bounds the grid so that a degenerate input cannot ask for an
// absurd amount of memory.
const maxGridSide = 2048

// newGrid builds a grid over b with about cellsPerItem·n cells, shaped so that
// cells are roughly square once x is scaled by xScale (cos of the latitude for
// lon/lat data). bound(i) returns the bounding box of item i.
func newGrid(b orb.Bound, n int, cellsPerItem, xScale float64, bound func(int) orb.Bound) grid {
	g := grid{minX: b.Min[0], minY: b.Min[1], maxX: b.Max[0], maxY: b.Max[1]}
	g.nx, g.ny = gridShape(b, float64(n)*cellsPerItem, xScale)
	if w := b.Max[0] - b.Min[0]; w > 0 {
		g.invW = float64(g.nx) / w
	}
	if h := b.Max[1] - b.Min[1]; h > 0 {
		g.invH = float64(g.ny) / h
	}
	ncell := g.nx * g.ny
	g.start = make([]int32, ncell+1)
	// First pass counts, second pass fills: no per-cell slices.
	for i := range n {
		c0, r0, c1, r1 := g.span(bound(i))
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				g.start[r*g.nx+c+1]++
			}
		}
	}
	for c := range ncell {
		g.start[c+1] += g.start[c]
	}
	g.items = make([]int32, g.start[ncell])
	next := append([]int32(nil), g.start[:ncell]...)
	for i := range n {
		c0, r0, c1, r1 := g.span(bound(i))
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				k := r*g.nx + c
				g.items[next[k]] = int32(i)
				next[k]++
			}
		}
	}
	return g
}

// gridShape returns nx, ny with nx·ny close to cells and cells near square.
func gridShape(b orb.Bound, cells, xScale float64) (nx, ny int) {
	w := (b.Max[0] - b.Min[0]) * xScale
	h := b.Max[1] - b.Min[1]
	cells = math.Max(1, cells)
	switch {
	case w <= 0 && h <= 0:
		return 1, 1
	case w <= 0:
		return 1, clampSide(cells)
	case h <= 0:
		return clampSide(cells), 1
	}
	nx = clampSide(math.Sqrt(cells * w / h))
	ny = clampSide(cells / float64(nx))
	return nx, ny
}

func clampSide(f float64) int {
	return int(math.Max(1, math.Min(maxGridSide, math.Ceil(f))))
}

// span returns the clamped cell range a bounding box touches.
func (g *grid) span(b orb.Bound) (c0, r0, c1, r1 int) {
	return g.col(b.Min[0]), g.row(b.Min[1]), g.col(b.Max[0]), g.row(b.Max[1])
}

// col returns the column of x, clamped to the grid.
func (g *grid) col(x float64) int {
	return clampCell((x-g.minX)*g.invW, g.nx)
}

// row returns the row of y, clamped to the grid.
func (g *grid) row(y float64) int {
	return clampCell((y-g.minY)*g.invH, g.ny)
}

// cell returns the items of the cell at column c, row r (both in range).
func (g *grid) cell(c, r int) []int32 {
	k := r*g.nx + c
	return g.items[g.start[k]:g.start[k+1]]
}

// cellX returns the x coordinate of the left side of column c.
func (g *grid) cellX(c int) float64 {
	if g.invW == 0 {
		return g.minX
	}
	return g.minX + float64(c)/g.invW
}

// cellY returns the y coordinate of the bottom side of row r.
func (g *grid) cellY(r int) float64 {
	if g.invH == 0 {
		return g.minY
	}
	return g.minY + float64(r)/g.invH
}

// clampCell returns floor(f) clamped to [0, n-1]; NaN (only possible for a
// degenerate grid) gives 0.
func clampCell(f float64, n int) int {
	switch {
	case !(f >= 0):
		return 0
	case f >= float64(n):
		return n - 1
	}
	return int(f)
}
