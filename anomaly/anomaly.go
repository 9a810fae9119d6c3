// Package anomaly finds patterns in stored evidence that the discipline
// group should look at (R11): identical fixes on different days,
// check-ins clustered just inside a region's edge, frequent device
// changes, days whose check-ins sit exactly the rule's four hours apart
// again and again, make-ups above a unit's norm, activities recorded in
// bursts at the day's end, and photos reused across activities. Each
// anomaly carries its numbers and the records behind it; Rank orders
// cadres by risk, to choose what to sample next. An anomaly is a reason to
// look, never a verdict. The package is pure.
package anomaly

import (
	"time"
)

// Kind names a detector.
type Kind string

// The detectors.
const (
	IdenticalFixes Kind = "IDENTICAL_FIXES"  // the same coordinates and accuracy on different days
	NearBoundary   Kind = "NEAR_BOUNDARY"    // INSIDE check-ins clustered just inside a region's edge
	DeviceChanges  Kind = "DEVICE_CHANGES"   // many devices bound in the period
	ExactSpan      Kind = "EXACT_FOUR_HOURS" // counted days whose first and last check-in are just the rule's span apart
	MakeUps        Kind = "MAKE_UPS"         // make-up requests above the unit's norm
	EndOfDayBursts Kind = "END_OF_DAY_BURSTS"
	ReusedPhotos   Kind = "REUSED_PHOTOS" // a photo in several activities: the same SHA-256 or a near-identical perceptual hash
)

// Kinds lists every detector in the order reports show them.
func Kinds() []Kind {
	return []Kind{IdenticalFixes, NearBoundary, DeviceChanges, ExactSpan, MakeUps, EndOfDayBursts, ReusedPhotos}
}

// Rules are the detectors' thresholds and the risk weights.
type Rules struct {
	BoundaryMarginM   float64 // an INSIDE fix whose circle ends less than this inside the edge is "just inside"
	BoundaryMin       int     // at least this many just inside…
	BoundaryShare     float64 // …making at least this share of the INSIDE fixes
	MaxDevices        int     // this many devices bound in the period or more
	Span              time.Duration
	SpanSlack         time.Duration // a day's span in [Span, Span+SpanSlack] is "exactly" the span
	SpanMinDays       int           // at least this many such days…
	SpanShare         float64       // …making at least this share of the counted days
	MakeUpFactor      float64       // more make-ups than this times the unit's median…
	MakeUpMin         int           // …and at least this many
	BurstAfter        int           // local hour from which a burst is "at the day's end"
	BurstWindow       time.Duration // activities within this of each other form a burst…
	BurstSize         int           // …of at least this many
	PHashDistance     int           // perceptual hashes this many bits apart or fewer are near-identical (at most 4)
	Weights           map[Kind]float64
	DiscrepancyWeight float64 // risk of each earlier DISCREPANCY finding
	Location          *time.Location
}

// DefaultRules are the province's defaults (docs/inspectors.md).
func DefaultRules() Rules {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return Rules{BoundaryMarginM: 300, BoundaryMin: 5, BoundaryShare: 0.5, MaxDevices: 3,
		Span: 4 * time.Hour, SpanSlack: 10 * time.Minute, SpanMinDays: 3, SpanShare: 0.5,
		MakeUpFactor: 2, MakeUpMin: 3, BurstAfter: 20, BurstWindow: 30 * time.Minute, BurstSize: 3, PHashDistance: 4,
		Weights: map[Kind]float64{IdenticalFixes: 3, NearBoundary: 2, DeviceChanges: 2, ExactSpan: 2, MakeUps: 2,
			EndOfDayBursts: 1, ReusedPhotos: 3},
		DiscrepancyWeight: 3, Location: loc}
}

// Anomaly is one detector's hit for one cadre, with its numbers.
type Anomaly struct {
	Kind   Kind
	UserID int64
	Count  int      // how many times: groups, fixes, devices, days, photos
	Of     int      // out of how many, when a share is the measure; 0 otherwise
	Value  float64  // the measured number compared with Limit
	Limit  float64  // the rule's threshold
	Detail string   // a sentence with the numbers, for the inspector
	Refs   []string // the records behind it: "checkin:12", "activity:3", "photo:<sha256>"
}

// Fix is a check-in as the detectors read it.
type Fix struct {
	CheckInID     int64
	Date          string
	WGSLat        float64
	WGSLon        float64
	AccuracyM     float64
	Verdict       string // INSIDE, BOUNDARY, OUTSIDE
	EdgeDistanceM float64
}

// Day is a cadre's on-site day at a region.
type Day struct {
	Date         string
	First, Last  time.Time
	Counted      bool
	FirstCheckIn int64 // for the reference; 0 when unknown
}

// Device is a device bound to the cadre.
type Device struct {
	DeviceID    string
	RequestedAt time.Time
}

// Activity is an activity as the detectors read it.
type Activity struct {
	ID         int64
	OccurredAt time.Time
}

// Photo is one photo of an activity.
type Photo struct {
	UserID     int64
	ActivityID int64
	SHA256     string
	PHash      *uint64 // nil when not decodable (HEIC) or not hashed yet
}

// Cadre is what the detectors read of one cadre in a period.
type Cadre struct {
	UserID     int64
	Fixes      []Fix
	Days       []Day
	Devices    []Device
	Activities []Activity
}

// Detect runs every per-cadre detector on c.
func Detect(c Cadre, r Rules) []Anomaly {
	var out []Anomaly
	for _, d := range []func(Cadre, Rules) *Anomaly{identicalFixes, nearBoundary, deviceChanges, exactSpan, endOfDayBursts} {
		if a := d(c, r); a != nil {
			a.UserID = c.UserID
			out = append(out, *a)
		}
	}
	return out
}
