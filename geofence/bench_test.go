package geofence

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regiondata"
)

// benchPoints are the fixed random query points of the benchmarks: uniform in
// the province's bounding box, so about half fall outside Henan.
func benchPoints() []orb.Point {
	return randomPoints(4096, henanBox, 20240601)
}

const benchAccuracyM = 30

// BenchmarkLocate measures Index.Locate on the 157 real counties.
func BenchmarkLocate(b *testing.B) {
	rs, _ := henanRegions(b)
	x := NewIndex(rs)
	pts := benchPoints()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := x.Locate(pts[i%len(pts)], GCJ02, benchAccuracyM); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocateWGS84 is BenchmarkLocate with WGS-84 input, so every query
// pays for one datum conversion.
func BenchmarkLocateWGS84(b *testing.B) {
	rs, _ := henanRegions(b)
	x := NewIndex(rs)
	pts := benchPoints()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := x.Locate(pts[i%len(pts)], WGS84, benchAccuracyM); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocateParallel runs Locate from GOMAXPROCS goroutines on one Index.
func BenchmarkLocateParallel(b *testing.B) {
	rs, _ := henanRegions(b)
	x := NewIndex(rs)
	pts := benchPoints()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := x.Locate(pts[i%len(pts)], GCJ02, benchAccuracyM); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkLinearScan is the baseline: every region's bounding box, then
// planar.MultiPolygonContains (containment only, no distances).
func BenchmarkLinearScan(b *testing.B) {
	rs, _ := henanRegions(b)
	bounds := make([]orb.Bound, len(rs))
	for i, r := range rs {
		bounds[i] = r.Geometry.Bound()
	}
	pts := benchPoints()
	b.ReportAllocs()
	hits := 0
	for i := 0; b.Loop(); i++ {
		p := pts[i%len(pts)]
		for k, r := range rs {
			if bounds[k].Contains(p) && planar.MultiPolygonContains(r.Geometry, p) {
				hits++
			}
		}
	}
	_ = hits
}

// BenchmarkParseFeatureCollection parses and validates the whole county file
// (1.2 MB, 50,612 positions), self-intersection check included.
func BenchmarkParseFeatureCollection(b *testing.B) {
	data := regiondata.HenanCounties()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := ParseFeatureCollection(data, models.RegionCounty, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewIndex builds the index over the 157 counties.
func BenchmarkNewIndex(b *testing.B) {
	rs, _ := henanRegions(b)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(rs)
	}
}
