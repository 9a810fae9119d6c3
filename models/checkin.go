package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// CheckInStatus is where a check-in stands.
type CheckInStatus string

// Statuses. ACCEPTED counts; PENDING waits for a reviewer; CONFIRMED was
// confirmed by one and counts; REJECTED never counts.
const (
	CheckInAccepted  CheckInStatus = "ACCEPTED"
	CheckInPending   CheckInStatus = "PENDING"
	CheckInConfirmed CheckInStatus = "CONFIRMED"
	CheckInRejected  CheckInStatus = "REJECTED"
)

// Counts reports whether a check-in in status s counts toward on-site days.
func (s CheckInStatus) Counts() bool { return s == CheckInAccepted || s == CheckInConfirmed }

// CheckIn is one GPS fix a cadre sent. It is append-only: the application
// never updates or deletes a check-in; a review is a new row. Lat/Lon are as
// sent (in CoordSystem); WGSLat/WGSLon the same point in WGS-84, used for
// travel speed and repeated-fix checks.
type CheckIn struct {
	ID            int64         `gorm:"primaryKey"`
	UserID        int64         `gorm:"not null;uniqueIndex:idx_checkin_client;index:idx_checkin_user_time,priority:1;index:idx_checkin_fix,priority:1"`
	ClientID      string        `gorm:"size:64;not null;uniqueIndex:idx_checkin_client"`
	PayloadHash   string        `gorm:"size:64;not null"`
	Lat           float64       `gorm:"not null"`
	Lon           float64       `gorm:"not null"`
	AccuracyM     float64       `gorm:"not null;index:idx_checkin_fix,priority:4"`
	CoordSystem   string        `gorm:"size:8;not null"`
	WGSLat        float64       `gorm:"not null;index:idx_checkin_fix,priority:2"`
	WGSLon        float64       `gorm:"not null;index:idx_checkin_fix,priority:3"`
	Altitude      *float64      //
	Speed         *float64      //
	Provider      string        `gorm:"size:32;not null;default:''"`
	MockLocation  bool          `gorm:"not null"`
	DeviceID      string        `gorm:"size:128;not null"`
	DeviceTime    time.Time     `gorm:"not null;index:idx_checkin_user_time,priority:2"`
	ReceivedAt    time.Time     `gorm:"not null"`
	OccurredAt    time.Time     `gorm:"not null"` // the time the check-in is dated by (presence.WhenOccurred)
	LocalDate     string        `gorm:"size:10;not null"`
	Offline       bool          `gorm:"not null"`
	RegionID      *int64        `gorm:"index"` // the region it is recorded against; nil when outside all
	RegionVersion int           `gorm:"not null;default:0"`
	Verdict       string        `gorm:"size:16;not null"` // INSIDE, BOUNDARY or OUTSIDE at RegionID
	EdgeDistanceM float64       `gorm:"not null;default:0"`
	Flags         string        `gorm:"type:text;not null"` // JSON array of presence.RaisedFlag
	Located       Located       `gorm:"type:text"`          // every region it was located against
	Status        CheckInStatus `gorm:"size:16;not null"`   // at creation: ACCEPTED or PENDING (reviews are separate rows)
	PolicyVersion string        `gorm:"size:32;not null"`
	CreatedAt     time.Time
}

// CheckInRegion is one region a check-in was located against, with the
// geometry version used: the evidence behind the verdict.
type CheckInRegion struct {
	RegionID      int64   `json:"region_id"`
	RegionVersion int     `json:"region_version"`
	Verdict       string  `json:"verdict"`
	EdgeDistanceM float64 `json:"edge_distance_m"`
}

// Located is the regions a check-in was located against, stored in its row
// as a JSON array ("[]" when it lay in none).
type Located []CheckInRegion

// Value encodes l as a JSON array; nil encodes as "[]", since every
// check-in written has the column.
func (l Located) Value() (driver.Value, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal([]CheckInRegion(l))
	return string(b), err
}

// Scan decodes a JSON array, or NULL as nil. It fails on any other value.
func (l *Located) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("located regions: cannot scan %T", src)
	}
	out := Located{}
	if err := json.Unmarshal(b, (*[]CheckInRegion)(&out)); err != nil {
		return fmt.Errorf("located regions: %w", err)
	}
	*l = out
	return nil
}

// ReviewDecision is a reviewer's ruling on a check-in or an activity.
type ReviewDecision string

// Decisions.
const (
	ReviewConfirm ReviewDecision = "CONFIRM"
	ReviewReject  ReviewDecision = "REJECT"
)

// Review is a ruling on a check-in by a supervisor or an inspector. A
// later ruling supersedes an earlier one as a new row (Seq n+1 after n):
// the latest decides the check-in's status, and every one is kept as its
// history. Never edited.
type Review struct {
	ID         int64          `gorm:"primaryKey"`
	CheckInID  int64          `gorm:"not null;uniqueIndex:idx_review_seq,priority:1"`
	Seq        int            `gorm:"not null;default:1;uniqueIndex:idx_review_seq,priority:2"` // 1 for the first ruling on the check-in
	ReviewerID int64          `gorm:"not null"`
	Decision   ReviewDecision `gorm:"size:16;not null"`
	// RegionID is the region a confirmation counts the check-in at when the
	// check-in lies in no region: the reviewer's decision, recorded. Nil
	// otherwise; a check-in with a region counts where it lies.
	RegionID  *int64
	Reason    string `gorm:"size:1000;not null"`
	CreatedAt time.Time
}

// Latest returns the ruling that decides: the one with the highest Seq,
// nil for none.
func Latest(rulings []*Review) *Review {
	var out *Review
	for _, r := range rulings {
		if out == nil || r.Seq > out.Seq {
			out = r
		}
	}
	return out
}

// EffectiveStatus is a check-in's status with its latest ruling (nil:
// none) applied.
func (c *CheckIn) EffectiveStatus(latest *Review) CheckInStatus {
	switch {
	case latest == nil:
		return c.Status
	case latest.Decision == ReviewConfirm:
		return CheckInConfirmed
	}
	return CheckInRejected
}

// PresenceDay is the per-day aggregate of a cadre's counting check-ins at
// one region, maintained in the transaction of every check-in, ruling and
// make-up decision so reports never rescan raw check-ins. It always equals
// a recomputation from check-ins, their latest rulings and approved
// make-ups; a day with neither a counting check-in nor a make-up has no
// row.
type PresenceDay struct {
	ID       int64     `gorm:"primaryKey"`
	UserID   int64     `gorm:"not null;uniqueIndex:idx_day,priority:1"`
	Date     string    `gorm:"size:10;not null;uniqueIndex:idx_day,priority:2"`
	RegionID int64     `gorm:"not null;uniqueIndex:idx_day,priority:3"`
	Accepted int       `gorm:"not null"`
	FirstAt  time.Time `gorm:"not null"`
	LastAt   time.Time `gorm:"not null"`
	Counted  bool      `gorm:"not null"`
	// MadeUp: an approved make-up request (补卡) counts the day whatever
	// its check-ins say, and every report shows it as made up.
	MadeUp bool `gorm:"not null;default:false"`
}
