package models

import "time"

// ActivityKind is what a cadre did with the youths (R6, R7).
type ActivityKind string

// The kinds of youth work. R6 asks per quarter for a forum of each kind and
// ten interviews of each kind; R7 for two lectures a year; OTHER is the
// research visits and meetings with local leaders the plan asks for without
// a number.
const (
	KindInterviewYouth ActivityKind = "INTERVIEW_YOUTH" // one-on-one with an ordinary youth
	KindInterviewCadre ActivityKind = "INTERVIEW_CADRE" // one-on-one with a grassroots League cadre
	KindForumYouth     ActivityKind = "FORUM_YOUTH"     // a forum with ordinary youths
	KindForumCadre     ActivityKind = "FORUM_CADRE"     // a forum with grassroots League cadres
	KindLecture        ActivityKind = "LECTURE"         // a theory lecture (理论宣讲)
	KindOther          ActivityKind = "OTHER"           // research visits, meetings with local leaders
)

// ActivityKinds lists every kind, in the order reports show them.
func ActivityKinds() []ActivityKind {
	return []ActivityKind{KindInterviewYouth, KindInterviewCadre, KindForumYouth, KindForumCadre, KindLecture, KindOther}
}

// Valid reports whether k is a defined kind.
func (k ActivityKind) Valid() bool {
	switch k {
	case KindInterviewYouth, KindInterviewCadre, KindForumYouth, KindForumCadre, KindLecture, KindOther:
		return true
	}
	return false
}

// Interview reports whether k is a one-on-one interview.
func (k ActivityKind) Interview() bool { return k == KindInterviewYouth || k == KindInterviewCadre }

// Gathering reports whether k is a forum or a lecture: an event with
// participants, a host organisation and photos.
func (k ActivityKind) Gathering() bool {
	return k == KindForumYouth || k == KindForumCadre || k == KindLecture
}

// ActivityStatus is where an activity stands. RECORDED needs no review;
// PENDING waits for a reviewer (its place is uncertain, a flag blocks it,
// or a photo does not match); CONFIRMED and REJECTED are rulings. Whether
// an activity counts is decided when read (it also needs a counted day).
type ActivityStatus string

// Statuses.
const (
	ActivityRecorded  ActivityStatus = "RECORDED"
	ActivityPending   ActivityStatus = "PENDING"
	ActivityConfirmed ActivityStatus = "CONFIRMED"
	ActivityRejected  ActivityStatus = "REJECTED"
)

// Activity is one piece of youth work a cadre recorded from the phone, with
// the fix where it happened. It is append-only: a correction is a new
// activity naming the one it corrects (Corrects), a ruling a new
// ActivityReview.
type Activity struct {
	ID              int64          `gorm:"primaryKey"`
	UserID          int64          `gorm:"not null;uniqueIndex:idx_activity_client;index:idx_activity_user_date,priority:1"`
	ClientID        string         `gorm:"size:64;not null;uniqueIndex:idx_activity_client"`
	PayloadHash     string         `gorm:"size:64;not null"`
	Kind            ActivityKind   `gorm:"size:24;not null"`
	Lat             float64        `gorm:"not null"`
	Lon             float64        `gorm:"not null"`
	AccuracyM       float64        `gorm:"not null"`
	CoordSystem     string         `gorm:"size:8;not null"`
	WGSLat          float64        `gorm:"not null"`
	WGSLon          float64        `gorm:"not null"`
	MockLocation    bool           `gorm:"not null"`
	DeviceID        string         `gorm:"size:128;not null"`
	DeviceTime      time.Time      `gorm:"not null"`
	ReceivedAt      time.Time      `gorm:"not null"`
	OccurredAt      time.Time      `gorm:"not null"`
	LocalDate       string         `gorm:"size:10;not null;index:idx_activity_user_date,priority:2"`
	Offline         bool           `gorm:"not null"`
	RegionID        *int64         `gorm:"index"` // where it took place; nil outside every region
	RegionVersion   int            `gorm:"not null;default:0"`
	Verdict         string         `gorm:"size:16;not null"`
	EdgeDistanceM   float64        `gorm:"not null;default:0"`
	Located         Located        `gorm:"type:text"`
	Flags           string         `gorm:"type:text;not null"` // JSON array of presence.RaisedFlag, photo flags included
	Status          ActivityStatus `gorm:"size:16;not null"`   // at creation: RECORDED or PENDING
	Topic           string         `gorm:"size:500;not null"`
	Notes           string         `gorm:"type:text;not null"`
	Participants    int            `gorm:"not null;default:0"` // forums and lectures
	HostOrg         string         `gorm:"size:200;not null;default:''"`
	ParticipantList string         `gorm:"type:text;not null"` // JSON array of names, may be empty
	Corrects        *int64         `gorm:"index"`              // the activity this one corrects
	PolicyVersion   string         `gorm:"size:32;not null"`
	CreatedAt       time.Time
}

// IntervieweeCategory says whom an interview was with.
type IntervieweeCategory string

// Categories: R6 counts interviews of each separately.
const (
	OrdinaryYouth   IntervieweeCategory = "ORDINARY_YOUTH"
	GrassrootsCadre IntervieweeCategory = "GRASSROOTS_CADRE"
)

// Interviewee is the person of an interview, recorded minimally (PIPL):
// what the work needs, and a phone number only with consent, encrypted.
type Interviewee struct {
	ID           int64               `gorm:"primaryKey"`
	ActivityID   int64               `gorm:"not null;uniqueIndex"`
	Name         string              `gorm:"size:100;not null"`
	Category     IntervieweeCategory `gorm:"size:24;not null"`
	AgeBand      string              `gorm:"size:16;not null;default:''"`
	Occupation   string              `gorm:"size:100;not null;default:''"`
	Organisation string              `gorm:"size:200;not null;default:''"`
	Place        string              `gorm:"size:200;not null;default:''"` // township / village
	PhoneCipher  string              `gorm:"size:500;not null;default:''"` // secret.Box ciphertext; "" when none or erased
	PhoneMasked  string              `gorm:"size:32;not null;default:''"`  // e.g. 138****5678
	ConsentAt    *time.Time          // when the interviewee consented to keeping the number
	ErasedAt     *time.Time          // when retention erased the contact
}

// Need is a need or problem a youth raised in an interview or forum, with
// a category from a fixed list.
type Need struct {
	ID         int64  `gorm:"primaryKey"`
	ActivityID int64  `gorm:"not null;index"`
	Category   string `gorm:"size:32;not null"`
	Text       string `gorm:"size:1000;not null"`
}

// ActivityPhoto is one photo of an activity: its content hash (the blob
// store's key, so the ledger covers the photo), its type and what its EXIF
// said, if anything.
type ActivityPhoto struct {
	ID          int64  `gorm:"primaryKey"`
	ActivityID  int64  `gorm:"not null;index"`
	Position    int    `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null;index"`
	Size        int64  `gorm:"not null"`
	ContentType string `gorm:"size:32;not null"`
	TakenAt     *time.Time
	GPSLat      *float64
	GPSLon      *float64
}

// ActivityReview is a ruling on an activity: the first on a PENDING one,
// or a later one that supersedes the ruling before it (Seq n+1 after n),
// or the activity's automatic recording. The latest decides; never edited.
type ActivityReview struct {
	ID         int64          `gorm:"primaryKey"`
	ActivityID int64          `gorm:"not null;uniqueIndex:idx_activity_review_seq,priority:1"`
	Seq        int            `gorm:"not null;default:1;uniqueIndex:idx_activity_review_seq,priority:2"` // 1 for the first ruling
	ReviewerID int64          `gorm:"not null"`
	Decision   ReviewDecision `gorm:"size:16;not null"`
	Reason     string         `gorm:"size:1000;not null"`
	CreatedAt  time.Time
}

// FollowUpStatus is where a need followed up stands ("办几件实事").
type FollowUpStatus string

// Follow-up statuses.
const (
	FollowUpOpen       FollowUpStatus = "OPEN"
	FollowUpInProgress FollowUpStatus = "IN_PROGRESS"
	FollowUpResolved   FollowUpStatus = "RESOLVED"
	FollowUpReferred   FollowUpStatus = "REFERRED"
)

// Valid reports whether s is a defined status.
func (s FollowUpStatus) Valid() bool {
	return s == FollowUpOpen || s == FollowUpInProgress || s == FollowUpResolved || s == FollowUpReferred
}

// FollowUp is a need opened as a case: its owner, where it stands and what
// was done. Each change is a FollowUpUpdate; the case row carries the
// latest state for listing.
type FollowUp struct {
	ID         int64          `gorm:"primaryKey"`
	NeedID     int64          `gorm:"not null;uniqueIndex"`
	UserID     int64          `gorm:"not null;index"` // the cadre whose activity raised the need
	OwnerID    int64          `gorm:"not null;index"` // who follows it up
	Status     FollowUpStatus `gorm:"size:16;not null;index"`
	Action     string         `gorm:"type:text;not null"` // what was done, latest
	OpenedAt   time.Time      `gorm:"not null"`
	UpdatedAt  time.Time      `gorm:"not null"`
	ResolvedAt *time.Time
}

// FollowUpUpdate is one change of a follow-up case, kept as history.
type FollowUpUpdate struct {
	ID         int64          `gorm:"primaryKey"`
	FollowUpID int64          `gorm:"not null;index"`
	ActorID    int64          `gorm:"not null"`
	Status     FollowUpStatus `gorm:"size:16;not null"`
	Action     string         `gorm:"type:text;not null"`
	CreatedAt  time.Time
}

// ContactReveal records that someone saw an interviewee's contact in clear
// for a call-back check, and why; never edited. Ref is its natural key
// with ActorID (a random id given before it is stored), which its ledger
// leaf is stored under.
type ContactReveal struct {
	ID            int64  `gorm:"primaryKey"`
	IntervieweeID int64  `gorm:"not null;index"`
	ActorID       int64  `gorm:"not null;index"`
	Reason        string `gorm:"size:1000;not null"`
	Ref           string `gorm:"size:64;not null;default:''"`
	CreatedAt     time.Time
}
