package geofence

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regiondata"
)

// Henan's bounding box (GCJ-02), from the data README.
var henanBox = orb.Bound{Min: orb.Point{110.36, 31.38}, Max: orb.Point{116.65, 36.37}}

// henanRegions parses the bundled county file, failing the test on error.
func henanRegions(tb testing.TB) ([]Region, []Warning) {
	tb.Helper()
	rs, ws, err := ParseFeatureCollection(regiondata.HenanCounties(), models.RegionCounty, "")
	if err != nil {
		tb.Fatalf("ParseFeatureCollection(henan): %v", err)
	}
	return rs, ws
}

// randomPoints returns n points uniform in b from a fixed seed.
func randomPoints(n int, b orb.Bound, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]),
		}
	}
	return pts
}

// haversineM returns the great-circle distance in metres on the sphere of
// radius EarthRadiusM.
func haversineM(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	dLat := (b[1] - a[1]) * rad
	dLon := (b[0] - a[0]) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(h))
}

// bruteEdgeDistance returns the distance from p to the nearest edge of mp by
// visiting every edge, in the package's projection.
func bruteEdgeDistance(mp orb.MultiPolygon, p orb.Point) float64 {
	kx, ky := metresPerDegree(p[1])
	best := math.Inf(1)
	for _, poly := range mp {
		for _, r := range poly {
			for k := 0; k+1 < len(r); k++ {
				a, b := r[k], r[k+1]
				d := segDist2((a[0]-p[0])*kx, (a[1]-p[1])*ky, (b[0]-p[0])*kx, (b[1]-p[1])*ky)
				best = min(best, d)
			}
		}
	}
	return math.Sqrt(best)
}

// frame maps metres east and north of an origin to [lon, lat], so synthetic
// polygons can be drawn in metres. Near the origin a metre in the frame is a
// metre of EdgeDistanceM to within 1e-4.
type frame struct {
	origin orb.Point
	kx, ky float64
}

func newFrame(lon, lat float64) frame {
	kx, ky := metresPerDegree(lat)
	return frame{origin: orb.Point{lon, lat}, kx: kx, ky: ky}
}

// pt returns the position x metres east and y metres north of the origin.
func (f frame) pt(x, y float64) orb.Point {
	return orb.Point{f.origin[0] + x/f.kx, f.origin[1] + y/f.ky}
}

// rect returns the closed counter-clockwise ring of the rectangle x0..x1, y0..y1.
func (f frame) rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{f.pt(x0, y0), f.pt(x1, y0), f.pt(x1, y1), f.pt(x0, y1), f.pt(x0, y0)}
}

// ring returns the closed ring through the given (x, y) metre pairs.
func (f frame) ring(xy ...float64) orb.Ring {
	r := make(orb.Ring, 0, len(xy)/2+1)
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, f.pt(xy[i], xy[i+1]))
	}
	return append(r, r[0])
}

// soleInside returns the one INSIDE candidate of res, if there is exactly one.
func soleInside(res Result) (Candidate, bool) {
	var out Candidate
	n := 0
	for _, c := range res.Candidates {
		if c.Verdict == Inside {
			out, n = c, n+1
		}
	}
	return out, n == 1
}

// containing counts the candidates of res that contain the point.
func containing(res Result) int {
	n := 0
	for _, c := range res.Candidates {
		if c.Contains {
			n++
		}
	}
	return n
}
