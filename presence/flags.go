package presence

import (
	"fmt"
	"math"
	"time"
)

// Flag is the code of a review flag raised on a check-in. Flags are kept with the check-in and shown to reviewers
// and the discipline group (R11) whether or not they block it from counting.
type Flag string

// The flags EvaluateFlags raises, in the order it reports them.
const (
	FlagMockLocation     Flag = "MOCK_LOCATION"     // the phone reported a mock location provider
	FlagLowAccuracy      Flag = "LOW_ACCURACY"      // accuracy radius worse than Policy.MaxAccuracyM
	FlagZeroAccuracy     Flag = "ZERO_ACCURACY"     // accuracy radius of exactly 0 m, which no real fix has
	FlagImpossibleTravel Flag = "IMPOSSIBLE_TRAVEL" // faster than Policy.MaxSpeedKmh from the previous fix
	FlagClockSkew        Flag = "CLOCK_SKEW"        // live check-in whose device clock is off by more than Policy.MaxClockSkew
	FlagLateSync         Flag = "LATE_SYNC"         // offline check-in received more than Policy.LateSyncAfter after its device time
	FlagStaleSync        Flag = "STALE_SYNC"        // offline check-in received more than Policy.MaxOfflineAge after its device time
	FlagFutureTime       Flag = "FUTURE_TIME"       // device time later than server time plus Policy.FutureTolerance
	FlagDeviceMismatch   Flag = "DEVICE_MISMATCH"   // not the cadre's bound device
	FlagRepeatedFix      Flag = "REPEATED_FIX"      // same coordinates and accuracy as an earlier fix
	FlagNotAssigned      Flag = "NOT_ASSIGNED"      // inside a region the cadre is not assigned to

	// Raised on activities by their photos (package photo), never by
	// EvaluateFlags: they send the activity to a reviewer without blocking it.
	FlagPhotoLocation Flag = "PHOTO_LOCATION_MISMATCH" // a photo taken farther than the policy allows from the activity
	FlagPhotoTime     Flag = "PHOTO_TIME_MISMATCH"     // a photo taken longer than the policy allows before or after it
)

// AllFlags returns every flag in the order EvaluateFlags reports them.
// The slice is new on every call.
func AllFlags() []Flag {
	return []Flag{
		FlagMockLocation, FlagLowAccuracy, FlagZeroAccuracy, FlagImpossibleTravel,
		FlagClockSkew, FlagLateSync, FlagStaleSync, FlagFutureTime,
		FlagDeviceMismatch, FlagRepeatedFix, FlagNotAssigned,
		FlagPhotoLocation, FlagPhotoTime,
	}
}

// Valid reports whether f is one of the flags above; false for anything else.
func (f Flag) Valid() bool {
	for _, g := range AllFlags() {
		if f == g {
			return true
		}
	}
	return false
}

// RaisedFlag is one flag raised on one check-in, with the numbers that raised
// it so a reviewer sees why ("812 km/h, limit 250 km/h"). Flags that are
// facts rather than measurements (MOCK_LOCATION, ZERO_ACCURACY,
// DEVICE_MISMATCH, REPEATED_FIX, NOT_ASSIGNED) carry Value 1, Limit 0 and
// no Unit.
type RaisedFlag struct {
	Code   Flag
	Value  float64 // the measured value, in Unit
	Limit  float64 // the policy limit it was compared with, in Unit
	Unit   string  // "m", "km/h", "s", "h", or "" for facts
	Detail string  // a sentence for reviewers
}

// PrevFix is the cadre's previous fix by device time, for the travel-speed
// check.
type PrevFix struct {
	Lat, Lon   float64 // WGS-84 degrees
	AccuracyM  float64
	DeviceTime time.Time
}

// Facts is what the check-in service gathered about one fix before flagging
// it. Lat/Lon and Previous must be in one datum (WGS-84). The zero value of
// DeviceMatches is false, so a service that forgets to check the device gets
// DEVICE_MISMATCH rather than a silent pass.
type Facts struct {
	MockLocation bool // client-reported mock location provider
	AccuracyM    float64
	Lat, Lon     float64 // WGS-84 degrees
	DeviceTime   time.Time
	ServerTime   time.Time // when the server received the check-in
	Offline      bool      // came through the phone's offline sync queue

	// Previous is the cadre's previous fix by device time, or nil if none.
	Previous *PrevFix

	DeviceMatches bool // sent from the cadre's bound device
	RepeatedFix   bool // the store holds an earlier fix with identical lat, lon and accuracy

	// InsideUnassignedRegion is set when the fix lies inside a region the
	// cadre is not assigned to; UnassignedRegion names it for the detail.
	InsideUnassignedRegion bool
	UnassignedRegion       string
}

// EvaluateFlags returns the flags f raises under p, in the order of AllFlags,
// or nil if it raises none. Each flag is decided on its own, so one fix may
// raise several (a live fix 10 minutes ahead of the server raises both
// CLOCK_SKEW and FUTURE_TIME). It does not validate p; call Policy.Validate
// when the policy is loaded. A NaN accuracy raises LOW_ACCURACY.
func EvaluateFlags(f Facts, p Policy) []RaisedFlag {
	var out []RaisedFlag
	add := func(r RaisedFlag, ok bool) {
		if ok {
			out = append(out, r)
		}
	}
	if f.MockLocation {
		out = append(out, fact(FlagMockLocation, "the phone reported a mock location provider"))
	}
	if !(f.AccuracyM <= p.MaxAccuracyM) {
		out = append(out, RaisedFlag{
			Code: FlagLowAccuracy, Value: f.AccuracyM, Limit: p.MaxAccuracyM, Unit: "m",
			Detail: fmt.Sprintf("accuracy %.0f m is worse than %.0f m", f.AccuracyM, p.MaxAccuracyM),
		})
	}
	if f.AccuracyM == 0 {
		// Receivers always report some error; mock-location apps and
		// phones without an accuracy estimate report none.
		out = append(out, fact(FlagZeroAccuracy, "the phone reported an accuracy of 0 m, which no real fix has"))
	}
	add(impossibleTravel(f, p))
	add(clockSkew(f, p))
	add(lateSync(f, p))
	add(staleSync(f, p))
	add(futureTime(f, p))
	if !f.DeviceMatches {
		out = append(out, fact(FlagDeviceMismatch, "sent from a device other than the cadre's bound device"))
	}
	if f.RepeatedFix {
		out = append(out, fact(FlagRepeatedFix, "identical coordinates and accuracy to an earlier fix"))
	}
	if f.InsideUnassignedRegion {
		name := f.UnassignedRegion
		if name == "" {
			name = "a region"
		}
		out = append(out, fact(FlagNotAssigned, fmt.Sprintf("inside %s the cadre is not assigned to", name)))
	}
	return out
}

func fact(code Flag, detail string) RaisedFlag {
	return RaisedFlag{Code: code, Value: 1, Detail: detail}
}

// impossibleTravel compares f with the previous fix. Pairs closer than
// p.MinTravelM, or whose accuracy circles overlap (distance ≤ sum of the two
// radii: both fixes may be the same spot), are never flagged. Otherwise the
// speed is the great-circle distance over |Δ device time|; equal device
// times are flagged outright, their speed computed over one second so that
// the value stays finite.
func impossibleTravel(f Facts, p Policy) (RaisedFlag, bool) {
	prev := f.Previous
	if prev == nil {
		return RaisedFlag{}, false
	}
	d := Distance(prev.Lat, prev.Lon, f.Lat, f.Lon)
	if d < p.MinTravelM || d <= prev.AccuracyM+f.AccuracyM {
		return RaisedFlag{}, false
	}
	dt := f.DeviceTime.Sub(prev.DeviceTime).Abs()
	secs := max(dt.Seconds(), 1)
	kmh := d / 1000 / (secs / 3600)
	if dt > 0 && kmh <= p.MaxSpeedKmh {
		return RaisedFlag{}, false
	}
	detail := fmt.Sprintf("%.0f km/h from the previous fix (%.1f km in %v), limit %.0f km/h",
		kmh, d/1000, dt, p.MaxSpeedKmh)
	if dt == 0 {
		detail = fmt.Sprintf("%.1f km from the previous fix at the same device time, limit %.0f km/h",
			d/1000, p.MaxSpeedKmh)
	}
	return RaisedFlag{Code: FlagImpossibleTravel, Value: kmh, Limit: p.MaxSpeedKmh, Unit: "km/h", Detail: detail}, true
}

// clockSkew applies to live check-ins only: an offline fix's device time is
// legitimately behind the server by however long it waited in the queue
// (that is LATE_SYNC's business).
func clockSkew(f Facts, p Policy) (RaisedFlag, bool) {
	skew := f.DeviceTime.Sub(f.ServerTime)
	if f.Offline || skew.Abs() <= p.MaxClockSkew {
		return RaisedFlag{}, false
	}
	dir := "behind"
	if skew > 0 {
		dir = "ahead of"
	}
	return RaisedFlag{
		Code: FlagClockSkew, Value: skew.Abs().Seconds(), Limit: p.MaxClockSkew.Seconds(), Unit: "s",
		Detail: fmt.Sprintf("device clock %v %s server time, limit %v", skew.Abs(), dir, p.MaxClockSkew),
	}, true
}

func lateSync(f Facts, p Policy) (RaisedFlag, bool) {
	delay := f.ServerTime.Sub(f.DeviceTime)
	if !f.Offline || delay <= p.LateSyncAfter {
		return RaisedFlag{}, false
	}
	return RaisedFlag{
		Code: FlagLateSync, Value: delay.Hours(), Limit: p.LateSyncAfter.Hours(), Unit: "h",
		Detail: fmt.Sprintf("offline check-in received %v after its device time, limit %v", delay, p.LateSyncAfter),
	}, true
}

// staleSync holds an offline check-in older than the policy allows for
// review: a queue is for patchy signal, and without a bound a cadre could
// fill a whole quarter in at its end.
func staleSync(f Facts, p Policy) (RaisedFlag, bool) {
	delay := f.ServerTime.Sub(f.DeviceTime)
	if !f.Offline || delay <= p.MaxOfflineAge {
		return RaisedFlag{}, false
	}
	return RaisedFlag{
		Code: FlagStaleSync, Value: delay.Hours(), Limit: p.MaxOfflineAge.Hours(), Unit: "h",
		Detail: fmt.Sprintf("offline check-in received %v after its device time, older than the %v an offline check-in may wait", delay, p.MaxOfflineAge),
	}, true
}

func futureTime(f Facts, p Policy) (RaisedFlag, bool) {
	ahead := f.DeviceTime.Sub(f.ServerTime)
	if ahead <= p.FutureTolerance {
		return RaisedFlag{}, false
	}
	return RaisedFlag{
		Code: FlagFutureTime, Value: ahead.Seconds(), Limit: p.FutureTolerance.Seconds(), Unit: "s",
		Detail: fmt.Sprintf("device time %v later than server time, tolerance %v", ahead, p.FutureTolerance),
	}, true
}

// earthRadiusM is the mean Earth radius (IUGG), in metres.
const earthRadiusM = 6371008.8

// Distance returns the great-circle (haversine) distance in metres between
// two WGS-84 points given in degrees. Its error against the ellipsoid is
// below 0.5%, far under what the travel-speed check needs. It returns NaN if
// any argument is NaN.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	phi1, phi2 := lat1*rad, lat2*rad
	dPhi, dLambda := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dPhi/2)*math.Sin(dPhi/2) + math.Cos(phi1)*math.Cos(phi2)*math.Sin(dLambda/2)*math.Sin(dLambda/2)
	return 2 * earthRadiusM * math.Asin(math.Sqrt(min(h, 1)))
}
