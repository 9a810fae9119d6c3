package store

import "time"

// The tables of R8's summaries and reports (step 30) and of notifications
// and leases (step 31), frozen like the baseline: never edit.

type v30Summary struct {
	ID              int64  `gorm:"primaryKey"`
	UserID          int64  `gorm:"not null;uniqueIndex:idx_summary_period,priority:1"`
	Kind            string `gorm:"size:16;not null;uniqueIndex:idx_summary_period,priority:2"`
	Year            int    `gorm:"not null;uniqueIndex:idx_summary_period,priority:3"`
	Quarter         int    `gorm:"not null;uniqueIndex:idx_summary_period,priority:4"`
	Status          string `gorm:"size:16;not null;index"`
	DraftBody       string `gorm:"type:text;not null"`
	DraftWorkDone   string `gorm:"type:text;not null"`
	DraftResults    string `gorm:"type:text;not null"`
	DraftExperience string `gorm:"type:text;not null"`
	DraftSupport    string `gorm:"type:text;not null"`
	DraftSavedAt    *time.Time
	Versions        int `gorm:"not null;default:0"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (v30Summary) TableName() string { return "summaries" }

type v30SummaryVersion struct {
	ID          int64     `gorm:"primaryKey"`
	SummaryID   int64     `gorm:"not null;uniqueIndex:idx_summary_version,priority:1"`
	Number      int       `gorm:"not null;uniqueIndex:idx_summary_version,priority:2"`
	UserID      int64     `gorm:"not null;uniqueIndex:idx_summary_version_client,priority:1"`
	ClientID    string    `gorm:"size:64;not null;uniqueIndex:idx_summary_version_client,priority:2"`
	Kind        string    `gorm:"size:16;not null"`
	Year        int       `gorm:"not null"`
	Quarter     int       `gorm:"not null"`
	Body        string    `gorm:"type:text;not null"`
	WorkDone    string    `gorm:"type:text;not null"`
	Results     string    `gorm:"type:text;not null"`
	Experience  string    `gorm:"type:text;not null"`
	Support     string    `gorm:"type:text;not null"`
	AuthorID    int64     `gorm:"not null"`
	SubmittedAt time.Time `gorm:"not null"`
	DueDate     string    `gorm:"size:10;not null"`
	Late        bool      `gorm:"not null"`
	Snapshot    string    `gorm:"type:text;not null"`
}

func (v30SummaryVersion) TableName() string { return "summary_versions" }

type v30SummaryReview struct {
	ID         int64  `gorm:"primaryKey"`
	VersionID  int64  `gorm:"not null;uniqueIndex"`
	SummaryID  int64  `gorm:"not null;index"`
	ReviewerID int64  `gorm:"not null"`
	Decision   string `gorm:"size:16;not null"`
	Comment    string `gorm:"size:2000;not null"`
	CreatedAt  time.Time
}

func (v30SummaryReview) TableName() string { return "summary_reviews" }

type v30ReportReceiver struct {
	UserID int64 `gorm:"primaryKey;autoIncrement:false"`
	SetBy  int64 `gorm:"not null"`
	SetAt  time.Time
}

func (v30ReportReceiver) TableName() string { return "report_receivers" }

// summaryTables is every table of step 30.
func summaryTables() []any {
	return []any{&v30Summary{}, &v30SummaryVersion{}, &v30SummaryReview{}, &v30ReportReceiver{}}
}

type v31Notification struct {
	ID        int64  `gorm:"primaryKey"`
	UserID    int64  `gorm:"not null;index:idx_notification_user;uniqueIndex:idx_notification_key,priority:1"`
	Kind      string `gorm:"size:32;not null"`
	Title     string `gorm:"size:200;not null"`
	Body      string `gorm:"size:2000;not null"`
	RefType   string `gorm:"size:32;not null;default:''"`
	RefID     *int64
	DedupeKey *string `gorm:"size:100;uniqueIndex:idx_notification_key,priority:2"`
	CreatedAt time.Time
	ReadAt    *time.Time
}

func (v31Notification) TableName() string { return "notifications" }

// v31Lease is a named lease that one server at a time holds (the
// reminder scheduler's): Holder until ExpiresAt.
type v31Lease struct {
	Name      string    `gorm:"primaryKey;size:64"`
	Holder    string    `gorm:"size:128;not null"`
	ExpiresAt time.Time `gorm:"not null"`
}

func (v31Lease) TableName() string { return "leases" }

// notificationTables is every table of step 31.
func notificationTables() []any { return []any{&v31Notification{}, &v31Lease{}} }
