package models

import (
	"fmt"
	"time"
)

// SummaryKind says which written report of R8 a summary is.
type SummaryKind string

// The kinds of R8: a quarterly work summary (每季度提交工作小结) and the
// annual written report to the secretaries' team (每年度向书记班子书面报告).
const (
	SummaryQuarterly SummaryKind = "QUARTERLY"
	SummaryAnnual    SummaryKind = "ANNUAL"
)

// SummaryStatus is where a summary stands. A draft is edited freely; a
// submission waits for a reviewer (SUBMITTED), who accepts it or returns it
// with a comment; a returned summary is revised and submitted again.
// ACCEPTED is final.
type SummaryStatus string

// Statuses.
const (
	SummaryDraft     SummaryStatus = "DRAFT"
	SummarySubmitted SummaryStatus = "SUBMITTED"
	SummaryReturned  SummaryStatus = "RETURNED"
	SummaryAccepted  SummaryStatus = "ACCEPTED"
)

// Valid reports whether s is a defined status.
func (s SummaryStatus) Valid() bool {
	switch s {
	case SummaryDraft, SummarySubmitted, SummaryReturned, SummaryAccepted:
		return true
	}
	return false
}

// SummaryDecision is a reviewer's decision on a submitted version.
type SummaryDecision string

// Decisions.
const (
	SummaryAccept SummaryDecision = "ACCEPT"
	SummaryReturn SummaryDecision = "RETURN"
)

// SummaryContent is what a cadre writes: the quarterly summary's text, or
// the annual report's four sections (the plan's 下沉开展工作情况, 取得的成效,
// 探索的经验, 从同级党委政府和上级团组织得到的具体支持). The fields of the
// other kind are empty.
type SummaryContent struct {
	Text       string `gorm:"column:body;type:text;not null"`
	WorkDone   string `gorm:"type:text;not null"`
	Results    string `gorm:"type:text;not null"`
	Experience string `gorm:"type:text;not null"`
	Support    string `gorm:"type:text;not null"`
}

// Summary is a cadre's summary of one period — a quarter (Quarter 1–4) or
// a year (Quarter 0) — one per cadre, kind and period. It holds the
// workflow state and the cadre's draft, both changed in place; what was
// submitted is in its versions, which never change.
type Summary struct {
	ID           int64          `gorm:"primaryKey"`
	UserID       int64          `gorm:"not null;uniqueIndex:idx_summary_period,priority:1"`
	Kind         SummaryKind    `gorm:"size:16;not null;uniqueIndex:idx_summary_period,priority:2"`
	Year         int            `gorm:"not null;uniqueIndex:idx_summary_period,priority:3"`
	Quarter      int            `gorm:"not null;uniqueIndex:idx_summary_period,priority:4"`
	Status       SummaryStatus  `gorm:"size:16;not null;index"`
	Draft        SummaryContent `gorm:"embedded;embeddedPrefix:draft_"`
	DraftSavedAt *time.Time
	Versions     int `gorm:"not null;default:0"` // how many versions were submitted
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Period names the summary's period: "2026Q4" or "2026".
func (s *Summary) Period() string { return PeriodName(s.Year, s.Quarter) }

// PeriodName names a quarter ("2026Q4"), or a year when quarter is 0.
func PeriodName(year, quarter int) string {
	if quarter == 0 {
		return fmt.Sprintf("%04d", year)
	}
	return fmt.Sprintf("%04dQ%d", year, quarter)
}

// SummaryVersion is one submission, immutable evidence: what the cadre
// submitted, when, whether after the due date, and a snapshot of the
// period's numbers at that moment (JSON), so that a reviewer sees what the
// cadre saw. It is a leaf of the evidence ledger, keyed by (user_id,
// client_id): a resend of the same submission finds it.
type SummaryVersion struct {
	ID          int64          `gorm:"primaryKey"`
	SummaryID   int64          `gorm:"not null;uniqueIndex:idx_summary_version,priority:1"`
	Number      int            `gorm:"not null;uniqueIndex:idx_summary_version,priority:2"` // 1, 2, … within the summary
	UserID      int64          `gorm:"not null;uniqueIndex:idx_summary_version_client,priority:1"`
	ClientID    string         `gorm:"size:64;not null;uniqueIndex:idx_summary_version_client,priority:2"`
	Kind        SummaryKind    `gorm:"size:16;not null"`
	Year        int            `gorm:"not null"`
	Quarter     int            `gorm:"not null"`
	Content     SummaryContent `gorm:"embedded"`
	AuthorID    int64          `gorm:"not null"`
	SubmittedAt time.Time      `gorm:"not null"`
	DueDate     string         `gorm:"size:10;not null"` // Asia/Shanghai date it was due by, inclusive
	Late        bool           `gorm:"not null"`
	Snapshot    string         `gorm:"type:text;not null"`
}

// SummaryReview is a reviewer's decision on one submitted version: one per
// version, never edited. A RETURN carries the comment the cadre revises
// by. It is a leaf of the evidence ledger, keyed by its version.
type SummaryReview struct {
	ID         int64           `gorm:"primaryKey"`
	VersionID  int64           `gorm:"not null;uniqueIndex"`
	SummaryID  int64           `gorm:"not null;index"`
	ReviewerID int64           `gorm:"not null"`
	Decision   SummaryDecision `gorm:"size:16;not null"`
	Comment    string          `gorm:"size:2000;not null"`
	CreatedAt  time.Time
}

// ReportReceiver marks a user as a member of the secretaries' team (书记班子)
// who receives and accepts the annual reports of the cadres of its org-unit
// subtree. Administrators set it.
type ReportReceiver struct {
	UserID int64 `gorm:"primaryKey;autoIncrement:false"`
	SetBy  int64 `gorm:"not null"`
	SetAt  time.Time
}
