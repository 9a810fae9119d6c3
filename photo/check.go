package photo

import (
	"fmt"
	"math"
	"time"

	// The tz database is embedded so that Asia/Shanghai loads on bare machines.
	_ "time/tzdata"

	"github.com/henan-youth/onsite/models"
)

// Flag is the code of a review flag a photo raises on its activity. The
// codes are the photo's own, not presence's check-in flags; they have the
// same shape as presence.RaisedFlag so they are shown to reviewers alike.
type Flag string

// The flags Compare raises, in the order it reports them.
const (
	FlagLocationMismatch Flag = "PHOTO_LOCATION_MISMATCH" // taken farther than Policy.MaxDistanceM from the activity's fix
	FlagTimeMismatch     Flag = "PHOTO_TIME_MISMATCH"     // taken more than Policy.MaxTimeOffset before or after the activity
)

// RaisedFlag is one flag a photo raised, with the numbers that raised it.
type RaisedFlag struct {
	Code   Flag
	Value  float64 // the measured value, in Unit
	Limit  float64 // the policy limit it was compared with, in Unit
	Unit   string  // "m" or "h"
	Detail string  // a sentence for reviewers
}

// Policy holds the limits a photo is compared with.
type Policy struct {
	// MaxDistanceM is the farthest, in metres, a photo's EXIF position may
	// lie from the activity's fix. Default 1000.
	MaxDistanceM float64
	// MaxTimeOffset is the largest |photo time − activity time|. Default 6h.
	MaxTimeOffset time.Duration
	// Location is the zone of EXIF times without an offset (see Inspect).
	// Default Asia/Shanghai.
	Location *time.Location
}

// DefaultPolicy returns the province's defaults: 1 km, 6 h, Asia/Shanghai. It
// cannot fail: without the zone database it uses a fixed UTC+8 zone, the
// same offset.
func DefaultPolicy() Policy {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return Policy{MaxDistanceM: 1000, MaxTimeOffset: 6 * time.Hour, Location: loc}
}

// Validate returns an INVALID error naming the first limit that is not
// positive or a missing Location, and nil otherwise.
func (p Policy) Validate() error {
	switch {
	case !(p.MaxDistanceM > 0) || math.IsInf(p.MaxDistanceM, 0):
		return models.E(models.CodeInvalid, "photo policy: MaxDistanceM must be a positive number of metres")
	case p.MaxTimeOffset <= 0:
		return models.E(models.CodeInvalid, "photo policy: MaxTimeOffset must be positive")
	case p.Location == nil:
		return models.E(models.CodeInvalid, "photo policy: Location is required")
	}
	return nil
}

// Fix is where and when the activity a photo documents took place: its
// position in WGS-84 degrees and its time.
type Fix struct {
	Lat, Lon float64
	Time     time.Time
}

// Compare returns the flags m raises against the activity at a: the photo's
// GPS position farther than p.MaxDistanceM from a, or its time further than
// p.MaxTimeOffset from a's. What the photo does not say (no GPS, no time)
// raises nothing. It cannot fail.
func Compare(m Meta, a Fix, p Policy) []RaisedFlag {
	var out []RaisedFlag
	if m.HasGPS {
		if d := distance(m.Lat, m.Lon, a.Lat, a.Lon); d > p.MaxDistanceM {
			out = append(out, RaisedFlag{
				Code: FlagLocationMismatch, Value: d, Limit: p.MaxDistanceM, Unit: "m",
				Detail: fmt.Sprintf("photo taken %.1f km from the activity's position, limit %.1f km", d/1000, p.MaxDistanceM/1000),
			})
		}
	}
	if !m.Taken.IsZero() && !a.Time.IsZero() {
		if off := m.Taken.Sub(a.Time); off.Abs() > p.MaxTimeOffset {
			dir := "after"
			if off < 0 {
				dir = "before"
			}
			out = append(out, RaisedFlag{
				Code: FlagTimeMismatch, Value: off.Abs().Hours(), Limit: p.MaxTimeOffset.Hours(), Unit: "h",
				Detail: fmt.Sprintf("photo taken %.1f h %s the activity, limit %.1f h", off.Abs().Hours(), dir, p.MaxTimeOffset.Hours()),
			})
		}
	}
	return out
}

// earthRadiusM is the mean Earth radius used for great-circle distances.
const earthRadiusM = 6371008.8

// distance returns the great-circle (haversine) distance in metres between
// two WGS-84 positions.
func distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	phi1, phi2 := lat1*rad, lat2*rad
	dPhi, dLambda := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dPhi/2)*math.Sin(dPhi/2) + math.Cos(phi1)*math.Cos(phi2)*math.Sin(dLambda/2)*math.Sin(dLambda/2)
	return 2 * earthRadiusM * math.Asin(math.Sqrt(min(h, 1)))
}
