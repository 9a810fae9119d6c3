package store

import "time"

// The youth-work tables (step 20), frozen like the baseline: never edit.

type v20Activity struct {
	ID              int64     `gorm:"primaryKey"`
	UserID          int64     `gorm:"not null;uniqueIndex:idx_activity_client;index:idx_activity_user_date,priority:1"`
	ClientID        string    `gorm:"size:64;not null;uniqueIndex:idx_activity_client"`
	PayloadHash     string    `gorm:"size:64;not null"`
	Kind            string    `gorm:"size:24;not null"`
	Lat             float64   `gorm:"not null"`
	Lon             float64   `gorm:"not null"`
	AccuracyM       float64   `gorm:"not null"`
	CoordSystem     string    `gorm:"size:8;not null"`
	WGSLat          float64   `gorm:"not null"`
	WGSLon          float64   `gorm:"not null"`
	MockLocation    bool      `gorm:"not null"`
	DeviceID        string    `gorm:"size:128;not null"`
	DeviceTime      time.Time `gorm:"not null"`
	ReceivedAt      time.Time `gorm:"not null"`
	OccurredAt      time.Time `gorm:"not null"`
	LocalDate       string    `gorm:"size:10;not null;index:idx_activity_user_date,priority:2"`
	Offline         bool      `gorm:"not null"`
	RegionID        *int64    `gorm:"index"`
	RegionVersion   int       `gorm:"not null;default:0"`
	Verdict         string    `gorm:"size:16;not null"`
	EdgeDistanceM   float64   `gorm:"not null;default:0"`
	Located         string    `gorm:"type:text"`
	Flags           string    `gorm:"type:text;not null"`
	Status          string    `gorm:"size:16;not null"`
	Topic           string    `gorm:"size:500;not null"`
	Notes           string    `gorm:"type:text;not null"`
	Participants    int       `gorm:"not null;default:0"`
	HostOrg         string    `gorm:"size:200;not null;default:''"`
	ParticipantList string    `gorm:"type:text;not null"`
	Corrects        *int64    `gorm:"index"`
	PolicyVersion   string    `gorm:"size:32;not null"`
	CreatedAt       time.Time
}

func (v20Activity) TableName() string { return "activities" }

type v20Interviewee struct {
	ID           int64  `gorm:"primaryKey"`
	ActivityID   int64  `gorm:"not null;uniqueIndex"`
	Name         string `gorm:"size:100;not null"`
	Category     string `gorm:"size:24;not null"`
	AgeBand      string `gorm:"size:16;not null;default:''"`
	Occupation   string `gorm:"size:100;not null;default:''"`
	Organisation string `gorm:"size:200;not null;default:''"`
	Place        string `gorm:"size:200;not null;default:''"`
	PhoneCipher  string `gorm:"size:500;not null;default:''"`
	PhoneMasked  string `gorm:"size:32;not null;default:''"`
	ConsentAt    *time.Time
	ErasedAt     *time.Time
}

func (v20Interviewee) TableName() string { return "interviewees" }

type v20Need struct {
	ID         int64  `gorm:"primaryKey"`
	ActivityID int64  `gorm:"not null;index"`
	Category   string `gorm:"size:32;not null"`
	Text       string `gorm:"size:1000;not null"`
}

func (v20Need) TableName() string { return "needs" }

type v20ActivityPhoto struct {
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

func (v20ActivityPhoto) TableName() string { return "activity_photos" }

type v20ActivityReview struct {
	ID         int64  `gorm:"primaryKey"`
	ActivityID int64  `gorm:"not null;uniqueIndex"`
	ReviewerID int64  `gorm:"not null"`
	Decision   string `gorm:"size:16;not null"`
	Reason     string `gorm:"size:1000;not null"`
	CreatedAt  time.Time
}

func (v20ActivityReview) TableName() string { return "activity_reviews" }

type v20FollowUp struct {
	ID         int64     `gorm:"primaryKey"`
	NeedID     int64     `gorm:"not null;uniqueIndex"`
	UserID     int64     `gorm:"not null;index"`
	OwnerID    int64     `gorm:"not null;index"`
	Status     string    `gorm:"size:16;not null;index"`
	Action     string    `gorm:"type:text;not null"`
	OpenedAt   time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
	ResolvedAt *time.Time
}

func (v20FollowUp) TableName() string { return "follow_ups" }

type v20FollowUpUpdate struct {
	ID         int64  `gorm:"primaryKey"`
	FollowUpID int64  `gorm:"not null;index"`
	ActorID    int64  `gorm:"not null"`
	Status     string `gorm:"size:16;not null"`
	Action     string `gorm:"type:text;not null"`
	CreatedAt  time.Time
}

func (v20FollowUpUpdate) TableName() string { return "follow_up_updates" }

type v20ContactReveal struct {
	ID            int64  `gorm:"primaryKey"`
	IntervieweeID int64  `gorm:"not null;index"`
	ActorID       int64  `gorm:"not null;index"`
	Reason        string `gorm:"size:1000;not null"`
	CreatedAt     time.Time
}

func (v20ContactReveal) TableName() string { return "contact_reveals" }

// youthWork is every table of step 20.
func youthWork() []any {
	return []any{&v20Activity{}, &v20Interviewee{}, &v20Need{}, &v20ActivityPhoto{}, &v20ActivityReview{},
		&v20FollowUp{}, &v20FollowUpUpdate{}, &v20ContactReveal{}}
}
