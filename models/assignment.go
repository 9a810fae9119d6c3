package models

import "time"

// WorkGroup is R1's work group: one leader of division rank or above and
// organ cadres, sent down together. OrgUnitID is the unit that owns it (its
// supervisors manage it).
type WorkGroup struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	OrgUnitID int64  `gorm:"not null;index"`
	LeaderID  int64  `gorm:"not null"`
	CreatedBy int64  `gorm:"not null"`
	CreatedAt time.Time
}

// WorkGroupMember is a member of a work group (the leader included).
type WorkGroupMember struct {
	ID          int64 `gorm:"primaryKey"`
	WorkGroupID int64 `gorm:"not null;uniqueIndex:idx_wg_member"`
	UserID      int64 `gorm:"not null;uniqueIndex:idx_wg_member;index"`
	Leader      bool  `gorm:"not null;default:false"`
	CreatedAt   time.Time
}

// AssignmentPurpose says why a cadre is linked to a region.
type AssignmentPurpose string

// Purposes: a county dispatch (R1/R2) or a school-work campus link (R4).
const (
	PurposeDispatch      AssignmentPurpose = "DISPATCH"       // a county, R2
	PurposeCampusCity    AssignmentPurpose = "CAMPUS_CITY"    // a campus in the dispatch city, R4
	PurposeCampusCapital AssignmentPurpose = "CAMPUS_CAPITAL" // a campus in 郑州, R4
)

// Valid reports whether p is a defined purpose.
func (p AssignmentPurpose) Valid() bool {
	return p == PurposeDispatch || p == PurposeCampusCity || p == PurposeCampusCapital
}

// Assignment links a cadre to a region for a validity period (R5). Dates are
// Asia/Shanghai calendar dates "YYYY-MM-DD"; ValidTo is inclusive and empty
// while open-ended. A rotation closes one assignment (ValidTo, EndedBy) and
// opens the next; rows are never deleted, so history is kept.
type Assignment struct {
	ID          int64             `gorm:"primaryKey"`
	UserID      int64             `gorm:"not null;index:idx_assign_user_from"`
	RegionID    int64             `gorm:"not null;index"`
	Purpose     AssignmentPurpose `gorm:"size:16;not null"`
	WorkGroupID *int64            `gorm:"index"`
	ValidFrom   string            `gorm:"size:10;not null;index:idx_assign_user_from"`
	ValidTo     string            `gorm:"size:10;not null;default:''"`
	CreatedBy   int64             `gorm:"not null"`
	CreatedAt   time.Time
	EndedBy     *int64
	EndedAt     *time.Time
}

// ActiveOn reports whether the assignment is in force on date "YYYY-MM-DD".
func (a *Assignment) ActiveOn(date string) bool {
	return a.ValidFrom <= date && (a.ValidTo == "" || date <= a.ValidTo)
}
