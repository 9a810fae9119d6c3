package models

import "time"

// MakeUpStatus is where a make-up request stands.
type MakeUpStatus string

// Statuses: PENDING waits for a supervisor; APPROVED counts the day;
// REFUSED does not.
const (
	MakeUpPending  MakeUpStatus = "PENDING"
	MakeUpApproved MakeUpStatus = "APPROVED"
	MakeUpRefused  MakeUpStatus = "REFUSED"
)

// MakeUpDecisionKind is a supervisor's answer to a make-up request.
type MakeUpDecisionKind string

// Decisions.
const (
	MakeUpApprove MakeUpDecisionKind = "APPROVE"
	MakeUpRefuse  MakeUpDecisionKind = "REFUSE"
)

// MakeUp is a cadre's request (补卡) that a day on site count although its
// check-ins are missing or failed (a flat battery, no signal), with a
// reason, photos and the countersignature of a named person of the host
// county League committee. It is idempotent by (cadre, clientId) like a
// check-in; never edited: the decision is a MakeUpDecision.
type MakeUp struct {
	ID          int64  `gorm:"primaryKey"`
	UserID      int64  `gorm:"not null;uniqueIndex:idx_makeup_client,priority:1;index:idx_makeup_user_date,priority:1"`
	ClientID    string `gorm:"size:64;not null;uniqueIndex:idx_makeup_client,priority:2"`
	PayloadHash string `gorm:"size:64;not null"`
	Date        string `gorm:"size:10;not null;index:idx_makeup_user_date,priority:2"` // the Asia/Shanghai day to count
	RegionID    int64  `gorm:"not null"`                                               // where: an assignment of the cadre's on Date
	Reason      string `gorm:"size:1000;not null"`
	// The countersignature: the person of the host county League committee
	// who vouches for the cadre's presence, by name and post.
	WitnessName  string `gorm:"size:100;not null"`
	WitnessTitle string `gorm:"size:100;not null"`
	// PhotoHashes is the SHA-256 of every evidence photo, in order, as a
	// JSON array: the ledger leaf covers the photos through it.
	PhotoHashes string `gorm:"type:text;not null"`
	DeviceID    string `gorm:"size:128;not null"`
	CreatedAt   time.Time
}

// MakeUpPhoto is one evidence photo of a make-up request, with what its
// EXIF said.
type MakeUpPhoto struct {
	ID          int64  `gorm:"primaryKey"`
	MakeUpID    int64  `gorm:"not null;index"`
	Position    int    `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null;index"`
	Size        int64  `gorm:"not null"`
	ContentType string `gorm:"size:32;not null"`
	TakenAt     *time.Time
	GPSLat      *float64
	GPSLon      *float64
}

// MakeUpDecision is a supervisor's decision on a make-up request, one per
// request; never edited.
type MakeUpDecision struct {
	ID        int64              `gorm:"primaryKey"`
	MakeUpID  int64              `gorm:"not null;uniqueIndex"`
	DeciderID int64              `gorm:"not null"`
	Decision  MakeUpDecisionKind `gorm:"size:16;not null"`
	Reason    string             `gorm:"size:1000;not null"`
	CreatedAt time.Time
}

// AbsenceKind is why a cadre was away from its post with approval.
type AbsenceKind string

// Kinds of approved absence.
const (
	AbsenceLeave    AbsenceKind = "LEAVE"    // 请假
	AbsenceTraining AbsenceKind = "TRAINING" // 调训: recalled for training
	AbsenceIllness  AbsenceKind = "ILLNESS"  // 病假
	AbsenceOther    AbsenceKind = "OTHER"    // with a reason
)

// Valid reports whether k is a defined kind.
func (k AbsenceKind) Valid() bool {
	return k == AbsenceLeave || k == AbsenceTraining || k == AbsenceIllness || k == AbsenceOther
}

// Absence is an approved absence of a cadre over dates From..To
// (inclusive, Asia/Shanghai), recorded by the supervisor who approved it.
// It reduces the period's requirements (docs/rules.md); it counts no day.
// Idempotent by (cadre, clientId); never edited: a withdrawal is an
// AbsenceWithdrawal.
type Absence struct {
	ID         int64       `gorm:"primaryKey"`
	UserID     int64       `gorm:"not null;uniqueIndex:idx_absence_client,priority:1;index:idx_absence_user_from,priority:1"`
	ClientID   string      `gorm:"size:64;not null;uniqueIndex:idx_absence_client,priority:2"`
	Kind       AbsenceKind `gorm:"size:16;not null"`
	FromDate   string      `gorm:"size:10;not null;index:idx_absence_user_from,priority:2"`
	ToDate     string      `gorm:"size:10;not null"`
	Reason     string      `gorm:"size:1000;not null"`
	ApprovedBy int64       `gorm:"not null"`
	CreatedAt  time.Time
}

// AbsenceWithdrawal withdraws an approved absence (entered by mistake, or
// the cadre came back), with a reason; one per absence, never edited.
type AbsenceWithdrawal struct {
	ID        int64  `gorm:"primaryKey"`
	AbsenceID int64  `gorm:"not null;uniqueIndex"`
	ActorID   int64  `gorm:"not null"`
	Reason    string `gorm:"size:1000;not null"`
	CreatedAt time.Time
}
