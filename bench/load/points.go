package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regiondata"
	"github.com/henan-youth/onsite/regions"
)

// Point kinds a simulated phone sends.
const (
	kindInside  = "inside"  // well inside the assigned county: INSIDE, counts unless flagged
	kindOutside = "outside" // far outside Henan: OUTSIDE, pending review
	kindBorder  = "border"  // within ~30 m of the county edge with a 50 m fix: BOUNDARY
)

// Tuning of the point picker.
const (
	insideJitterM   = 400.0 // inside fixes fall within this distance of the anchor
	insideMaxAccM   = 20.0  // worst accuracy of an inside fix
	insideMarginM   = 5.0   // extra clearance to the edge beyond the accuracy circle
	borderJitterM   = 30.0  // border fixes fall within this distance of an edge vertex
	borderAccuracyM = 50.0  // accuracy of a border fix
	outsideJitterM  = 2000.0
	metresPerDegLat = 111_320.0
	pickTries       = 30
)

// outsideBases are city centres far outside Henan (WGS-84 [lon, lat]):
// Beijing, Shanghai, Guangzhou, Chengdu, Harbin.
var outsideBases = []orb.Point{
	{116.3975, 39.9087}, {121.4737, 31.2304}, {113.2644, 23.1291}, {104.0665, 30.5723}, {126.6424, 45.7560},
}

// county is one bundled county a phone can be assigned to. RegionID is the
// server's id for it, filled in during setup.
type county struct {
	Code     string
	Name     string
	RegionID int64
	region   *geofence.Region // local copy, GCJ-02
	anchor   orb.Point        // a GCJ-02 point well inside the county
}

// atlas holds the bundled counties and a local geofence index over them, used
// to choose fixes whose verdict is known before they are sent.
type atlas struct {
	counties []*county
	index    *geofence.Index
}

// fix is one GPS fix as a phone reports it.
type fix struct {
	Lat, Lon  float64
	AccuracyM float64
	Datum     geofence.Datum
	Kind      string
}

// loadAtlas parses the bundled Henan counties, indexes them and finds an
// anchor point well inside each: the feature's center label point when it
// qualifies, otherwise a point sampled in its bounding box. It fails if the
// bundled data does not parse or a county has no usable interior point.
func loadAtlas() (*atlas, error) {
	regions, _, err := geofence.ParseFeatureCollection(regiondata.HenanCounties(), models.RegionCounty, "")
	if err != nil {
		return nil, fmt.Errorf("bundled counties: %w", err)
	}
	a := &atlas{index: geofence.NewIndex(regions)}
	for i := range regions {
		r := &regions[i]
		c := &county{Code: r.Code, Name: r.Name, region: r}
		anchor, ok := a.findAnchor(r)
		if !ok {
			return nil, fmt.Errorf("county %s %s: no interior point found", r.Code, r.Name)
		}
		c.anchor = anchor
		a.counties = append(a.counties, c)
	}
	return a, nil
}

// findAnchor returns a GCJ-02 point inside r with at least insideJitterM of
// clearance where possible, preferring the center property.
func (a *atlas) findAnchor(r *geofence.Region) (orb.Point, bool) {
	if r.Center != nil && a.insideOK(*r.Center, geofence.GCJ02, r.Code, 2*insideMaxAccM) {
		return *r.Center, true
	}
	rng := rand.New(rand.NewPCG(1, uint64(len(r.Code))*7919))
	b := r.Geometry.Bound()
	var fallback orb.Point
	found := false
	for range 20000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if a.insideOK(p, geofence.GCJ02, r.Code, insideJitterM+2*insideMaxAccM) {
			return p, true
		}
		if !found && a.insideOK(p, geofence.GCJ02, r.Code, 2*insideMaxAccM) {
			fallback, found = p, true
		}
	}
	return fallback, found
}

// insideOK reports whether p (in datum) with accuracy accM is INSIDE the
// county code and nowhere else, so the server records it against that county.
func (a *atlas) insideOK(p orb.Point, datum geofence.Datum, code string, accM float64) bool {
	res, err := a.index.Locate(p, datum, accM)
	if err != nil {
		return false
	}
	best := regions.Choose(res, nil)
	return best != nil && !regions.Ambiguous(res, best) && best.Verdict == geofence.Inside && best.Code == code
}

// pickInside returns a fix within insideJitterM of c's anchor whose accuracy
// circle (5–20 m, plus a margin) lies inside c, sent as GCJ-02 or WGS-84 with
// equal probability.
func (a *atlas) pickInside(rng *rand.Rand, c *county) fix {
	for range pickTries {
		acc := math.Round((5+rng.Float64()*(insideMaxAccM-5))*10) / 10
		f, p := a.express(rng, jitter(rng, c.anchor, insideJitterM), acc, kindInside)
		if a.insideOK(p, f.Datum, c.Code, acc+insideMarginM) {
			return f
		}
	}
	// The anchor itself was checked with a 40 m circle; a metre of jitter
	// keeps repeated fallbacks from being identical fixes.
	p := jitter(rng, c.anchor, 1)
	return fix{Lat: round7(p[1]), Lon: round7(p[0]), AccuracyM: 10, Datum: geofence.GCJ02, Kind: kindInside}
}

// pickBorder returns a fix within borderJitterM of a vertex on c's outer
// boundary, with a 50 m accuracy circle that crosses the edge.
func (a *atlas) pickBorder(rng *rand.Rand, c *county) fix {
	var f fix
	for range pickTries {
		poly := c.region.Geometry[rng.IntN(len(c.region.Geometry))]
		ring := poly[0]
		v := ring[rng.IntN(len(ring))]
		var p orb.Point
		f, p = a.express(rng, jitter(rng, v, borderJitterM), borderAccuracyM, kindBorder)
		res, err := a.index.Locate(p, f.Datum, borderAccuracyM)
		if err != nil {
			continue
		}
		for _, cand := range res.Candidates {
			if cand.Code == c.Code && cand.EdgeDistanceM <= borderJitterM+1 {
				return f
			}
		}
	}
	return f
}

// pickOutside returns a fix near a city far outside Henan, in no county.
func (a *atlas) pickOutside(rng *rand.Rand) fix {
	var f fix
	for range pickTries {
		base := outsideBases[rng.IntN(len(outsideBases))]
		// The bases are WGS-84; express converts from GCJ-02, so shift first.
		g, _ := geofence.Convert(jitter(rng, base, outsideJitterM), geofence.WGS84, geofence.GCJ02)
		var p orb.Point
		f, p = a.express(rng, g, math.Round(8+rng.Float64()*20), kindOutside)
		if res, err := a.index.Locate(p, f.Datum, f.AccuracyM); err == nil && len(res.Candidates) == 0 {
			return f
		}
	}
	return f
}

// express turns a GCJ-02 point into a fix sent as GCJ-02 or WGS-84 (coin
// flip), rounded to 7 decimals (about a centimetre) as phones report it. It
// also returns the sent point as [lon, lat] for checking with the index.
func (a *atlas) express(rng *rand.Rand, gcj orb.Point, accM float64, kind string) (fix, orb.Point) {
	datum, p := geofence.GCJ02, gcj
	if rng.IntN(2) == 0 {
		if w, err := geofence.Convert(gcj, geofence.GCJ02, geofence.WGS84); err == nil {
			datum, p = geofence.WGS84, w
		}
	}
	p = orb.Point{round7(p[0]), round7(p[1])}
	return fix{Lat: p[1], Lon: p[0], AccuracyM: accM, Datum: datum, Kind: kind}, p
}

// jitter returns a point uniformly distributed in the disc of radius maxM
// metres around p ([lon, lat] degrees).
func jitter(rng *rand.Rand, p orb.Point, maxM float64) orb.Point {
	r := maxM * math.Sqrt(rng.Float64())
	theta := 2 * math.Pi * rng.Float64()
	return offset(p, r*math.Cos(theta), r*math.Sin(theta))
}

// offset moves p east by dx and north by dy metres (equirectangular; good to
// well under a metre over the distances used here).
func offset(p orb.Point, dx, dy float64) orb.Point {
	lat := p[1] + dy/metresPerDegLat
	lon := p[0] + dx/(metresPerDegLat*math.Cos(p[1]*math.Pi/180))
	return orb.Point{lon, lat}
}

// round7 rounds degrees to 7 decimals.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
