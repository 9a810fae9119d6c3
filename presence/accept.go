package presence

import "time"

// Placement is where a fix lies relative to a region, as the geofence decides
// it.
type Placement string

// The placements a fix can have.
const (
	Inside   Placement = "INSIDE"   // the whole accuracy circle lies inside the region
	Boundary Placement = "BOUNDARY" // the accuracy circle crosses the region's edge
	Outside  Placement = "OUTSIDE"  // the fix lies outside every region
)

// Accepted reports whether a check-in counts towards an on-site day without
// review: its placement is INSIDE and none of its flags blocks under p
// (docs/rules.md, "What counts as an on-site day"). BOUNDARY, OUTSIDE, unknown
// placements and blocked check-ins return false; they are kept for review,
// and a reviewer's confirmation, not this function, makes them accepted.
func Accepted(pl Placement, flags []RaisedFlag, p Policy) bool {
	if pl != Inside {
		return false
	}
	for _, f := range flags {
		if p.Blocks(f.Code) {
			return false
		}
	}
	return true
}

// WhenOccurred returns the time a check-in is dated by, which decides the
// calendar day (in Policy.Location) it counts on:
//
//   - a live check-in is dated by the server's receive time, which is
//     authoritative;
//   - an offline check-in is dated by its device time, so that a batch synced
//     two days late lands on the days the cadre was actually on site (it is
//     flagged LATE_SYNC, and the device time is still checked against the
//     previous fix for IMPOSSIBLE_TRAVEL);
//   - but never later than the server time: a device clock ahead of the
//     server (FUTURE_TIME, or ahead within the tolerance) dates the check-in
//     at receipt, since nothing happened after the server saw it. A missing
//     (zero) device time also falls back to the server time.
//
// It cannot fail.
func WhenOccurred(f Facts) time.Time {
	if !f.Offline || f.DeviceTime.IsZero() || f.DeviceTime.After(f.ServerTime) {
		return f.ServerTime
	}
	return f.DeviceTime
}
