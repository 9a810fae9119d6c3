package geofence

import (
	"math"
	"strings"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/models"
)

// Datum names the coordinate system of a longitude/latitude pair.
type Datum string

// The datums onsite understands. Phones report WGS84 (raw GPS) or, through
// WeChat and the Amap SDK, GCJ02; Baidu SDKs report BD09.
const (
	WGS84 Datum = "WGS84" // World Geodetic System 1984: raw GPS
	GCJ02 Datum = "GCJ02" // the Chinese state offset ("Mars coordinates") over WGS84
	BD09  Datum = "BD09"  // Baidu's further offset over GCJ02
)

// Constants of the GCJ-02 and BD-09 formulas.
const (
	krasovskyA  = 6378245.0              // semi-major axis of the Krasovsky 1940 ellipsoid
	krasovskyEE = 0.00669342162296594323 // its first eccentricity squared
	bdXPi       = math.Pi * 3000.0 / 180.0
	// inverseTolDeg is where the iterative inverses stop: 1e-9 degrees is about
	// 0.1 mm, far inside the 0.5 m the package promises.
	inverseTolDeg = 1e-9
	inverseMaxIt  = 30
)

// ParseDatum returns the Datum named by s. Case, hyphens, underscores and
// surrounding spaces are ignored, so "GCJ-02", "gcj02" and "GCJ02" all name
// GCJ02. It returns a CodeInvalid error for any other name.
func ParseDatum(s string) (Datum, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	n = strings.NewReplacer("-", "", "_", "").Replace(n)
	switch Datum(n) {
	case WGS84, GCJ02, BD09:
		return Datum(n), nil
	}
	return "", models.E(models.CodeInvalid, "unknown datum %q (want WGS84, GCJ02 or BD09)", s)
}

// Valid reports whether d is one of WGS84, GCJ02 or BD09.
func (d Datum) Valid() bool {
	return d == WGS84 || d == GCJ02 || d == BD09
}

// Convert returns p ([lon, lat] in degrees) expressed in datum to instead of
// datum from. Points outside the rough mainland-China box (lon 72.004–137.8347,
// lat 0.8293–55.8271) carry no offset and are returned unchanged. The inverse
// directions (GCJ02→WGS84, BD09→GCJ02) are solved by fixed-point iteration and
// are accurate to about a millimetre. Convert returns a CodeInvalid error if
// either datum is unknown or p is not a finite, in-range coordinate.
func Convert(p orb.Point, from, to Datum) (orb.Point, error) {
	if !from.Valid() || !to.Valid() {
		return p, models.E(models.CodeInvalid, "cannot convert from datum %q to %q", from, to)
	}
	if err := checkPoint(p); err != nil {
		return p, err
	}
	return convert(p, from, to), nil
}

// convert is Convert for valid arguments.
func convert(p orb.Point, from, to Datum) orb.Point {
	if from == to || outOfChina(p) {
		return p
	}
	switch from {
	case WGS84:
		p = wgsToGCJ(p)
	case BD09:
		p = bdToGCJ(p)
	}
	// p is GCJ02 now.
	switch to {
	case WGS84:
		return gcjToWGS(p)
	case BD09:
		return gcjToBD(p)
	}
	return p
}

// checkPoint returns a CodeInvalid error unless p is a finite [lon, lat] pair
// with |lon| <= 180 and |lat| <= 90.
func checkPoint(p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return models.E(models.CodeInvalid, "coordinate [%v, %v] is not finite", lon, lat)
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return models.E(models.CodeInvalid, "coordinate [%v, %v] is out of range", lon, lat)
	}
	return nil
}

// outOfChina reports whether p lies outside the rough box in which the Chinese
// offsets apply.
func outOfChina(p orb.Point) bool {
	return p[0] < 72.004 || p[0] > 137.8347 || p[1] < 0.8293 || p[1] > 55.8271
}

// wgsToGCJ is the standard forward GCJ-02 formula.
func wgsToGCJ(p orb.Point) orb.Point {
	lon, lat := p[0], p[1]
	dLat := transformLat(lon-105, lat-35)
	dLon := transformLon(lon-105, lat-35)
	radLat := lat / 180 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = dLat * 180 / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = dLon * 180 / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return orb.Point{lon + dLon, lat + dLat}
}

func transformLat(x, y float64) float64 {
	r := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(y*math.Pi) + 40*math.Sin(y/3*math.Pi)) * 2 / 3
	r += (160*math.Sin(y/12*math.Pi) + 320*math.Sin(y*math.Pi/30)) * 2 / 3
	return r
}

func transformLon(x, y float64) float64 {
	r := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(x*math.Pi) + 40*math.Sin(x/3*math.Pi)) * 2 / 3
	r += (150*math.Sin(x/12*math.Pi) + 300*math.Sin(x/30*math.Pi)) * 2 / 3
	return r
}

// gcjToWGS inverts wgsToGCJ by fixed-point iteration: the offset changes by
// well under 1% per degree, so each step gains about two decimal digits.
func gcjToWGS(g orb.Point) orb.Point {
	return invert(g, wgsToGCJ)
}

// gcjToBD is Baidu's published forward formula.
func gcjToBD(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// bdToGCJ inverts gcjToBD. Baidu's closed-form inverse is off by up to about a
// metre, so its answer is only the starting point of the iteration.
func bdToGCJ(b orb.Point) orb.Point {
	return invert(b, gcjToBD)
}

// invert solves forward(x) = target for x, starting from the reflection of
// target through its own offset.
func invert(target orb.Point, forward func(orb.Point) orb.Point) orb.Point {
	f := forward(target)
	x := orb.Point{2*target[0] - f[0], 2*target[1] - f[1]}
	for range inverseMaxIt {
		f = forward(x)
		d0, d1 := f[0]-target[0], f[1]-target[1]
		x[0] -= d0
		x[1] -= d1
		if math.Abs(d0) < inverseTolDeg && math.Abs(d1) < inverseTolDeg {
			break
		}
	}
	return x
}
