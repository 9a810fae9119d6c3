package store

import (
	"time"

	"gorm.io/gorm"
)

// Step 60, frozen like the baseline: never edit.

type v60QuarterClosing struct {
	ID        int64     `gorm:"primaryKey"`
	OrgUnitID int64     `gorm:"not null;uniqueIndex:idx_quarter_closing,priority:1"`
	Year      int       `gorm:"not null;uniqueIndex:idx_quarter_closing,priority:2"`
	Quarter   int       `gorm:"not null;uniqueIndex:idx_quarter_closing,priority:3"`
	Cadres    int       `gorm:"not null"`
	ClosedAt  time.Time `gorm:"not null"`
	ClosedBy  int64     `gorm:"not null"`
}

func (v60QuarterClosing) TableName() string { return "quarter_closings" }

type v60ClosedVerdict struct {
	ID            int64     `gorm:"primaryKey"`
	ClosingID     int64     `gorm:"not null;index"`
	UserID        int64     `gorm:"not null;uniqueIndex:idx_closed_verdict,priority:1"`
	Year          int       `gorm:"not null;uniqueIndex:idx_closed_verdict,priority:2"`
	Quarter       int       `gorm:"not null;uniqueIndex:idx_closed_verdict,priority:3"`
	Rule          string    `gorm:"size:8;not null;uniqueIndex:idx_closed_verdict,priority:4"`
	Item          string    `gorm:"size:100;not null;uniqueIndex:idx_closed_verdict,priority:5"`
	Status        string    `gorm:"size:16;not null"`
	Numbers       string    `gorm:"type:text;not null"`
	Message       string    `gorm:"size:1000;not null"`
	PolicyVersion string    `gorm:"size:200;not null"`
	ClosedAt      time.Time `gorm:"not null"`
	ClosedBy      int64     `gorm:"not null"`
}

func (v60ClosedVerdict) TableName() string { return "closed_verdicts" }

// migrateClosings is step 60: quarter closings and the verdicts they froze.
func migrateClosings(tx *gorm.DB) error {
	return tx.Migrator().AutoMigrate(&v60QuarterClosing{}, &v60ClosedVerdict{})
}
