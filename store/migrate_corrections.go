package store

import (
	"time"

	"gorm.io/gorm"
)

// Steps 45 and 46: corrections. Frozen structs, as the baseline's: never
// edit them; a later change is a later step.

// v45Review is the columns step 45 adds to reviews: the ruling's place
// among the check-in's rulings, and the region a confirmation names.
type v45Review struct {
	CheckInID int64  `gorm:"not null;uniqueIndex:idx_review_seq,priority:1"`
	Seq       int    `gorm:"not null;default:1;uniqueIndex:idx_review_seq,priority:2"`
	RegionID  *int64 //
}

func (v45Review) TableName() string { return "reviews" }

// v45ActivityReview is the column step 45 adds to activity_reviews.
type v45ActivityReview struct {
	ActivityID int64 `gorm:"not null;uniqueIndex:idx_activity_review_seq,priority:1"`
	Seq        int   `gorm:"not null;default:1;uniqueIndex:idx_activity_review_seq,priority:2"`
}

func (v45ActivityReview) TableName() string { return "activity_reviews" }

// v45PresenceDay is the column step 45 adds to presence_days.
type v45PresenceDay struct {
	MadeUp bool `gorm:"not null;default:false"`
}

func (v45PresenceDay) TableName() string { return "presence_days" }

// migrateRulings is step 45: a record may have several rulings, the
// latest deciding, so the one-ruling-per-record unique index gives way to
// one per (record, seq); existing rulings are each the first (seq 1).
// Presence days learn whether a make-up counts them.
func migrateRulings(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, t := range []struct {
		model       any
		cols        []string
		index, drop string
	}{
		{&v45Review{}, []string{"Seq", "RegionID"}, "idx_review_seq", "idx_reviews_check_in_id"},
		{&v45ActivityReview{}, []string{"Seq"}, "idx_activity_review_seq", "idx_activity_reviews_activity_id"},
	} {
		for _, c := range t.cols {
			if !m.HasColumn(t.model, c) {
				if err := m.AddColumn(t.model, c); err != nil {
					return err
				}
			}
		}
		if !m.HasIndex(t.model, t.index) {
			if err := m.CreateIndex(t.model, t.index); err != nil {
				return err
			}
		}
		if m.HasIndex(t.model, t.drop) {
			if err := m.DropIndex(t.model, t.drop); err != nil {
				return err
			}
		}
	}
	if !m.HasColumn(&v45PresenceDay{}, "MadeUp") {
		return m.AddColumn(&v45PresenceDay{}, "MadeUp")
	}
	return nil
}

// The make-up and absence tables (step 46).

type v46MakeUp struct {
	ID           int64  `gorm:"primaryKey"`
	UserID       int64  `gorm:"not null;uniqueIndex:idx_makeup_client,priority:1;index:idx_makeup_user_date,priority:1"`
	ClientID     string `gorm:"size:64;not null;uniqueIndex:idx_makeup_client,priority:2"`
	PayloadHash  string `gorm:"size:64;not null"`
	Date         string `gorm:"size:10;not null;index:idx_makeup_user_date,priority:2"`
	RegionID     int64  `gorm:"not null"`
	Reason       string `gorm:"size:1000;not null"`
	WitnessName  string `gorm:"size:100;not null"`
	WitnessTitle string `gorm:"size:100;not null"`
	PhotoHashes  string `gorm:"type:text;not null"`
	DeviceID     string `gorm:"size:128;not null"`
	CreatedAt    time.Time
}

func (v46MakeUp) TableName() string { return "make_ups" }

type v46MakeUpPhoto struct {
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

func (v46MakeUpPhoto) TableName() string { return "make_up_photos" }

type v46MakeUpDecision struct {
	ID        int64  `gorm:"primaryKey"`
	MakeUpID  int64  `gorm:"not null;uniqueIndex"`
	DeciderID int64  `gorm:"not null"`
	Decision  string `gorm:"size:16;not null"`
	Reason    string `gorm:"size:1000;not null"`
	CreatedAt time.Time
}

func (v46MakeUpDecision) TableName() string { return "make_up_decisions" }

type v46Absence struct {
	ID         int64  `gorm:"primaryKey"`
	UserID     int64  `gorm:"not null;uniqueIndex:idx_absence_client,priority:1;index:idx_absence_user_from,priority:1"`
	ClientID   string `gorm:"size:64;not null;uniqueIndex:idx_absence_client,priority:2"`
	Kind       string `gorm:"size:16;not null"`
	FromDate   string `gorm:"size:10;not null;index:idx_absence_user_from,priority:2"`
	ToDate     string `gorm:"size:10;not null"`
	Reason     string `gorm:"size:1000;not null"`
	ApprovedBy int64  `gorm:"not null"`
	CreatedAt  time.Time
}

func (v46Absence) TableName() string { return "absences" }

type v46AbsenceWithdrawal struct {
	ID        int64  `gorm:"primaryKey"`
	AbsenceID int64  `gorm:"not null;uniqueIndex"`
	ActorID   int64  `gorm:"not null"`
	Reason    string `gorm:"size:1000;not null"`
	CreatedAt time.Time
}

func (v46AbsenceWithdrawal) TableName() string { return "absence_withdrawals" }

// corrections is every table of step 46.
func corrections() []any {
	return []any{&v46MakeUp{}, &v46MakeUpPhoto{}, &v46MakeUpDecision{}, &v46Absence{}, &v46AbsenceWithdrawal{}}
}
