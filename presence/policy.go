// Package presence turns evaluated check-ins into on-site days and trips.
//
// It is pure: it reads no clock, touches no database and holds no state. The
// check-in service gathers the Facts of a fix, asks EvaluateFlags which review
// flags it raises and Accepted whether it counts, dates it with WhenOccurred,
// and folds accepted fixes into DayStats with DayStat.Add (or rebuilds them
// all with BuildDays). Trips and CountedDates feed the quarterly and yearly
// rules in package compliance.
//
// Every threshold lives in a Policy; DefaultPolicy holds the province's
// defaults from docs/rules.md ("What counts as an on-site day").
package presence

import (
	"math"
	"time"

	// The tz database is embedded so that Asia/Shanghai loads on bare machines
	// and in minimal containers that ship no zoneinfo.
	_ "time/tzdata"

	"github.com/henan-youth/onsite/models"
)

// Policy holds every threshold presence applies. The zero Policy is not
// usable; start from DefaultPolicy and check changes with Validate.
type Policy struct {
	// Location is the zone whose calendar days are on-site days.
	// Default Asia/Shanghai, whatever the server's or phone's zone.
	Location *time.Location

	// MinCheckInsPerDay and MinDaySpan define a counted day: at least
	// MinCheckInsPerDay accepted check-ins inside one region on one calendar
	// day, the first and last at least MinDaySpan apart (arrival in the
	// morning, presence in the afternoon). Defaults 2 and 4h.
	MinCheckInsPerDay int
	MinDaySpan        time.Duration

	// MaxAccuracyM is the worst accepted accuracy radius in metres; a fix
	// reporting more raises LOW_ACCURACY. Default 100.
	MaxAccuracyM float64

	// MaxSpeedKmh is the fastest plausible travel between two fixes of one
	// cadre; faster raises IMPOSSIBLE_TRAVEL. Default 250 (a high-speed train).
	MaxSpeedKmh float64

	// MinTravelM: pairs of fixes closer than this are never IMPOSSIBLE_TRAVEL,
	// whatever their time difference, so that GPS jitter between two
	// check-ins a few seconds apart raises nothing. Pairs whose accuracy
	// circles overlap are ignored as well (see EvaluateFlags). Default 1000.
	MinTravelM float64

	// MaxClockSkew is the largest accepted |device time − server time| of a
	// live check-in; beyond raises CLOCK_SKEW. Default 5m.
	MaxClockSkew time.Duration

	// LateSyncAfter: an offline-queued check-in that reaches the server more
	// than this after its device time raises LATE_SYNC. Default 24h.
	LateSyncAfter time.Duration

	// MaxOfflineAge: an offline-queued check-in that reaches the server more
	// than this after its device time raises STALE_SYNC, which blocks: it
	// waits for a reviewer. At least LateSyncAfter. Default 72h.
	MaxOfflineAge time.Duration

	// FutureTolerance: a device time later than server time plus this raises
	// FUTURE_TIME. Default 2m.
	FutureTolerance time.Duration

	// BlockingFlags are the flags that stop a check-in counting until a
	// reviewer confirms it. The flags are kept and shown to reviewers either
	// way. Default: every flag except LATE_SYNC and NOT_ASSIGNED. A day in a
	// county the cadre is not assigned to is grassroots work the plan asks
	// for (积极主动深入基层): it counts toward R3 without review and never
	// toward R2, which counts only at the assigned region. Villages have poor signal and
	// the phone's offline queue is expected to hold check-ins for a while; a
	// late fix still passes every other check (mock location, accuracy, travel
	// speed, future time, device, repetition) and is dated by its device time
	// (WhenOccurred), so lateness alone is shown, not held back — up to
	// MaxOfflineAge, beyond which STALE_SYNC holds it.
	BlockingFlags []Flag
}

// DefaultPolicy returns the province's default policy (docs/rules.md, "What counts
// as an on-site day"). It cannot fail: if Asia/Shanghai cannot be loaded it
// falls back to a fixed UTC+8 zone named CST, which is the same offset (China
// has kept no daylight saving time since 1991).
func DefaultPolicy() Policy {
	return Policy{
		Location:          ShanghaiLocation(),
		MinCheckInsPerDay: 2,
		MinDaySpan:        4 * time.Hour,
		MaxAccuracyM:      100,
		MaxSpeedKmh:       250,
		MinTravelM:        1000,
		MaxClockSkew:      5 * time.Minute,
		LateSyncAfter:     24 * time.Hour,
		MaxOfflineAge:     72 * time.Hour,
		FutureTolerance:   2 * time.Minute,
		BlockingFlags: []Flag{
			FlagMockLocation, FlagLowAccuracy, FlagZeroAccuracy, FlagImpossibleTravel,
			FlagClockSkew, FlagStaleSync, FlagFutureTime, FlagDeviceMismatch,
			FlagRepeatedFix,
		},
	}
}

// ShanghaiLocation returns the Asia/Shanghai zone, or, if it cannot be loaded,
// time.FixedZone("CST", 8*3600). It never returns nil.
func ShanghaiLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// Validate reports whether p is usable. It returns nil, or a models.Error
// with code INVALID naming the first offending field.
func (p Policy) Validate() error {
	switch {
	case p.Location == nil:
		return invalid("Location is required")
	case p.MinCheckInsPerDay < 1:
		return invalid("MinCheckInsPerDay must be at least 1, got %d", p.MinCheckInsPerDay)
	case p.MinDaySpan < 0 || p.MinDaySpan >= 24*time.Hour:
		return invalid("MinDaySpan must be in [0, 24h), got %v", p.MinDaySpan)
	case p.MinDaySpan > 0 && p.MinCheckInsPerDay < 2:
		return invalid("MinDaySpan %v needs MinCheckInsPerDay of at least 2", p.MinDaySpan)
	case !positive(p.MaxAccuracyM):
		return invalid("MaxAccuracyM must be a positive number, got %v", p.MaxAccuracyM)
	case !positive(p.MaxSpeedKmh):
		return invalid("MaxSpeedKmh must be a positive number, got %v", p.MaxSpeedKmh)
	case !(p.MinTravelM >= 0) || math.IsInf(p.MinTravelM, 1):
		return invalid("MinTravelM must be a non-negative number, got %v", p.MinTravelM)
	case p.MaxClockSkew < 0:
		return invalid("MaxClockSkew must not be negative, got %v", p.MaxClockSkew)
	case p.LateSyncAfter <= 0:
		return invalid("LateSyncAfter must be positive, got %v", p.LateSyncAfter)
	case p.MaxOfflineAge < p.LateSyncAfter:
		return invalid("MaxOfflineAge must be at least LateSyncAfter (%v), got %v", p.LateSyncAfter, p.MaxOfflineAge)
	case p.FutureTolerance < 0:
		return invalid("FutureTolerance must not be negative, got %v", p.FutureTolerance)
	}
	seen := make(map[Flag]bool, len(p.BlockingFlags))
	for _, f := range p.BlockingFlags {
		if !f.Valid() {
			return invalid("BlockingFlags: unknown flag %q", string(f))
		}
		if seen[f] {
			return invalid("BlockingFlags: %s listed twice", f)
		}
		seen[f] = true
	}
	return nil
}

// Blocks reports whether flag f stops a check-in counting under p.
// It returns false for unknown flags.
func (p Policy) Blocks(f Flag) bool {
	for _, b := range p.BlockingFlags {
		if b == f {
			return true
		}
	}
	return false
}

func positive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

func invalid(format string, args ...any) error {
	return models.E(models.CodeInvalid, "presence policy: "+format, args...)
}
