package models

import "time"

// Notification is one message in a user's inbox: an event (a summary
// returned, a seminar speaker drawn) or a reminder (a summary due). Kind
// is an upper-case code the apps group and word notifications by. A
// reminder carries a DedupeKey, unique per user, so that it is stored at
// most once whichever server sends it and however often; events have none.
type Notification struct {
	ID        int64   `gorm:"primaryKey"`
	UserID    int64   `gorm:"not null;index:idx_notification_user;uniqueIndex:idx_notification_key,priority:1"`
	Kind      string  `gorm:"size:32;not null"`
	Title     string  `gorm:"size:200;not null"`
	Body      string  `gorm:"size:2000;not null"`
	RefType   string  `gorm:"size:32;not null;default:''"` // what it is about ("summary"), or ""
	RefID     *int64  // the id of what it is about
	DedupeKey *string `gorm:"size:100;uniqueIndex:idx_notification_key,priority:2"`
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Notification kinds sent by the summaries of R8. Other features use
// their own ("SEMINAR_SPEAKER", "TASK_OVERDUE").
const (
	NotifySummaryDue       = "SUMMARY_DUE"       // a summary or report is due within the reminder window
	NotifySummaryOverdue   = "SUMMARY_OVERDUE"   // its due date has passed and none was submitted
	NotifySummaryReturned  = "SUMMARY_RETURNED"  // a reviewer returned it with a comment
	NotifySummaryAccepted  = "SUMMARY_ACCEPTED"  // a reviewer accepted it
	NotifySummarySubmitted = "SUMMARY_SUBMITTED" // to its reviewers: a submission waits for them
)
