package models

import "time"

// QuarterClosing records that a quarter was closed for an org unit's
// subtree: its cadres' verdicts of that quarter were frozen then, by
// ClosedBy, as ClosedVerdict rows. One per unit and quarter.
type QuarterClosing struct {
	ID        int64     `gorm:"primaryKey"`
	OrgUnitID int64     `gorm:"not null;uniqueIndex:idx_quarter_closing,priority:1"`
	Year      int       `gorm:"not null;uniqueIndex:idx_quarter_closing,priority:2"`
	Quarter   int       `gorm:"not null;uniqueIndex:idx_quarter_closing,priority:3"`
	Cadres    int       `gorm:"not null"` // cadres whose verdicts this closing froze
	ClosedAt  time.Time `gorm:"not null"`
	ClosedBy  int64     `gorm:"not null"`
}

// ClosedVerdict is one rule's verdict of a cadre's quarter as it stood
// when the quarter was closed: never updated, so a later correction shows
// beside it. A cadre's verdict of a quarter is frozen once, by the first
// closing that covers it.
type ClosedVerdict struct {
	ID            int64     `gorm:"primaryKey"`
	ClosingID     int64     `gorm:"not null;index"`
	UserID        int64     `gorm:"not null;uniqueIndex:idx_closed_verdict,priority:1"`
	Year          int       `gorm:"not null;uniqueIndex:idx_closed_verdict,priority:2"`
	Quarter       int       `gorm:"not null;uniqueIndex:idx_closed_verdict,priority:3"`
	Rule          string    `gorm:"size:8;not null;uniqueIndex:idx_closed_verdict,priority:4"`
	Item          string    `gorm:"size:100;not null;uniqueIndex:idx_closed_verdict,priority:5"`
	Status        string    `gorm:"size:16;not null"`
	Numbers       string    `gorm:"type:text;not null"` // JSON: [{name, value, required, full}]
	Message       string    `gorm:"size:1000;not null"`
	PolicyVersion string    `gorm:"size:200;not null"`
	ClosedAt      time.Time `gorm:"not null"`
	ClosedBy      int64     `gorm:"not null"`
}

// StoredVerdict is a cadre's verdicts of a quarter as last computed: from
// the facts the cadre had at FactsVersion (User.FactsVersion), on the basis
// Basis (the date judged on, the policy in force, the rules' build). It
// holds while both still match; a report serves it instead of judging
// again, and judges anew, and stores, the cadres whose ones do not hold.
// Derived data, never evidence: deleting every row loses nothing.
type StoredVerdict struct {
	UserID       int64  `gorm:"primaryKey;autoIncrement:false"`
	Year         int    `gorm:"primaryKey;autoIncrement:false"`
	Quarter      int    `gorm:"primaryKey;autoIncrement:false"`
	FactsVersion int64  `gorm:"not null"`
	Basis        string `gorm:"size:200;not null"`
	// Brief is each verdict's rule, item, status and policy version, what
	// totals and filters read, kept apart from Results so that a unit's
	// totals read a few bytes per cadre.
	Brief   string `gorm:"type:text;not null"`
	Results string `gorm:"type:text;not null"` // JSON of the verdicts ([]compliance.Result)
}
