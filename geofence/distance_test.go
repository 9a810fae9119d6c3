package geofence

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// The projection's point-to-point distance agrees with haversine to within
// 0.5% (in practice far better) for distances up to 10 km across Henan.
func TestProjectionAgainstHaversine(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	worst := 0.0
	for _, p := range randomPoints(2000, henanBox, 9) {
		d := 10 + rng.Float64()*10000 // metres
		bearing := rng.Float64() * 2 * math.Pi
		kx, ky := metresPerDegree(p[1])
		q := orb.Point{p[0] + d*math.Sin(bearing)/kx, p[1] + d*math.Cos(bearing)/ky}
		want := haversineM(p, q)
		got := math.Sqrt(segDist2((q[0]-p[0])*kx, (q[1]-p[1])*ky, (q[0]-p[0])*kx, (q[1]-p[1])*ky))
		rel := math.Abs(got-want) / want
		worst = max(worst, rel)
		if rel > 0.005 {
			t.Errorf("distance %v–%v = %.3f m, haversine %.3f m: relative error %.2g, want < 0.5%%", p, q, got, want, rel)
		}
	}
	t.Logf("worst relative error against haversine up to 10 km: %.2g", worst)
}

func TestSegDist2(t *testing.T) {
	tests := []struct {
		name           string
		ax, ay, bx, by float64
		want           float64 // distance, not squared
	}{
		{"perpendicular foot inside", -3, 4, 3, 4, 4},
		{"nearest is a", 3, 4, 10, 4, 5},
		{"nearest is b", -10, -4, -3, -4, 5},
		{"origin on segment", -1, 0, 1, 0, 0},
		{"origin at a", 0, 0, 5, 5, 0},
		{"zero-length segment", 3, 4, 3, 4, 5},
		{"diagonal", 0, 2, 2, 0, math.Sqrt2},
	}
	for _, tt := range tests {
		if got := math.Sqrt(segDist2(tt.ax, tt.ay, tt.bx, tt.by)); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: segDist2 distance = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The indexed nearest-edge search equals a scan of every edge, on random
// points inside and around every county, with and without a search limit.
func TestNearestMatchesScan(t *testing.T) {
	rs, _ := henanRegions(t)
	x := NewIndex(rs)
	g := &x.groups[0]
	rng := rand.New(rand.NewPCG(10, 11))
	for i := range g.shapes {
		s := &g.shapes[i]
		mp := x.regions[s.region].Geometry
		for _, p := range randomPoints(20, s.bound.Pad(0.01), rng.Uint64()) {
			kx, ky := metresPerDegree(p[1])
			want := bruteEdgeDistance(mp, p)
			if got := s.nearest(p, kx, ky, math.Inf(1)); math.Abs(got-want) > 1e-9*max(1, want) {
				t.Errorf("%s: nearest(%v) = %.9f m, want %.9f m", x.regions[s.region].Code, p, got, want)
			}
			for _, limit := range []float64{0, 50, want, 2 * want} {
				got := s.nearest(p, kx, ky, limit)
				if (want <= limit && got != want) || (want > limit && got <= limit) {
					t.Errorf("%s: nearest(%v, limit %.3f) = %.6f, want %.6f or above the limit", x.regions[s.region].Code, p, limit, got, want)
				}
			}
		}
	}
}
