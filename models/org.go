package models

import "time"

// OrgUnitKind says what an org unit is in the League's hierarchy.
type OrgUnitKind string

// The org-unit kinds. The tree is province → departments / city committees →
// county committees → grassroots organizations.
const (
	OrgProvince   OrgUnitKind = "PROVINCE"
	OrgDepartment OrgUnitKind = "DEPARTMENT"
	OrgCity       OrgUnitKind = "CITY"
	OrgCounty     OrgUnitKind = "COUNTY"
	OrgGrassroots OrgUnitKind = "GRASSROOTS"
)

// Valid reports whether k is one of the defined kinds.
func (k OrgUnitKind) Valid() bool {
	switch k {
	case OrgProvince, OrgDepartment, OrgCity, OrgCounty, OrgGrassroots:
		return true
	}
	return false
}

// OrgUnit is a node of the org tree. Path is the materialized path of ids from
// the root, "/1/4/9/", so that a subtree is one indexed LIKE 'prefix%' in SQL.
type OrgUnit struct {
	ID        int64       `gorm:"primaryKey"`
	ParentID  *int64      `gorm:"index"`
	Code      string      `gorm:"size:64;not null;uniqueIndex"`
	Name      string      `gorm:"size:200;not null"`
	Kind      OrgUnitKind `gorm:"size:32;not null"`
	Path      string      `gorm:"size:512;not null;index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Rank is a cadre's administrative rank (职级).
type Rank string

// Ranks, lowest first. R1 needs a work-group leader at DIVISION or above.
const (
	RankStaff    Rank = "STAFF"    // 科员及以下
	RankSection  Rank = "SECTION"  // 科级
	RankDivision Rank = "DIVISION" // 处级
	RankBureau   Rank = "BUREAU"   // 厅级
)

var rankOrder = map[Rank]int{RankStaff: 1, RankSection: 2, RankDivision: 3, RankBureau: 4}

// Valid reports whether r is one of the defined ranks.
func (r Rank) Valid() bool { return rankOrder[r] > 0 }

// DivisionOrAbove reports whether r qualifies to lead a work group (R1).
func (r Rank) DivisionOrAbove() bool { return rankOrder[r] >= rankOrder[RankDivision] }

// User is an account: a cadre, supervisor, discipline inspector or admin.
type User struct {
	ID              int64  `gorm:"primaryKey"`
	Username        string `gorm:"size:64;not null;uniqueIndex"`
	DisplayName     string `gorm:"size:200;not null"`
	PasswordHash    string `gorm:"size:200;not null"`
	Role            Role   `gorm:"size:32;not null;index"`
	OrgUnitID       int64  `gorm:"not null;index"`
	Rank            Rank   `gorm:"size:32;not null"`
	GrassrootsDept  bool   `gorm:"not null;default:false"` // 基层组织建设部: R3's 60-day rule
	SchoolWorkGroup bool   `gorm:"not null;default:false"` // 学校工作领导小组: R4
	TenureStart     *time.Time
	Disabled        bool `gorm:"not null;default:false"`
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// AuthVersion is bumped, with AuthChangedAt, in the transaction of every
	// change that ends the account's sessions (disabling, a role or unit
	// change, a password change or reset, logout everywhere, a device
	// replacement); an access token issued at another version is refused.
	AuthVersion        int64 `gorm:"not null;default:0"`
	AuthChangedAt      *time.Time
	MustChangePassword bool `gorm:"not null;default:false"` // set by an admin's createUser or resetPassword
	PasswordChangedAt  *time.Time
	// LoginGeneration is bumped by an unlock; login limits are keyed by it,
	// so an unlock on one server ends the lockout on every server.
	LoginGeneration int64 `gorm:"not null;default:0"`
	// FactsVersion is bumped in the transaction of every change to what the
	// cadre's verdicts read (days, assignments, absences, activities and
	// their rulings, summaries and reports, seminar talks, the unit and the
	// flags above), so a stored verdict of an older version no longer holds.
	FactsVersion int64 `gorm:"not null;default:0"`
}

// DeviceStatus is the state of a device binding.
type DeviceStatus string

// Device binding states. At most one device of a user is ACTIVE.
const (
	DeviceActive  DeviceStatus = "ACTIVE"
	DevicePending DeviceStatus = "PENDING"
	DeviceRevoked DeviceStatus = "REVOKED"
)

// Device is a phone a user has logged in from. ActiveUserID equals UserID
// while the device is ACTIVE and is NULL otherwise; its unique index makes
// "one active device per user" hold in the database, even under races.
type Device struct {
	ID           int64        `gorm:"primaryKey"`
	UserID       int64        `gorm:"not null;uniqueIndex:idx_device_user_dev"`
	DeviceID     string       `gorm:"size:128;not null;uniqueIndex:idx_device_user_dev"`
	Status       DeviceStatus `gorm:"size:16;not null"`
	ActiveUserID *int64       `gorm:"uniqueIndex"`
	RequestedAt  time.Time    `gorm:"not null"`
	ApprovedBy   *int64
	ApprovedAt   *time.Time
	RevokedAt    *time.Time
}

// RefreshToken is one link of a refresh-token family. Only the SHA-256 hash of
// the opaque token is stored. A token is spent once (UsedAt); presenting a
// spent token revokes its whole family.
type RefreshToken struct {
	ID        int64  `gorm:"primaryKey"`
	Hash      string `gorm:"size:64;not null;uniqueIndex"`
	FamilyID  string `gorm:"size:36;not null;index"`
	UserID    int64  `gorm:"not null;index"`
	DeviceID  string `gorm:"size:128;not null"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
	// SessionExpiresAt ends the whole session (absolute lifetime); every
	// token of the family carries it. IdleSeconds is the idle timeout the
	// session was opened with: each token expires that long after it was
	// issued, never after SessionExpiresAt.
	SessionExpiresAt *time.Time
	IdleSeconds      int64  `gorm:"not null;default:0"`
	RevokeReason     string `gorm:"size:32;not null;default:''"` // why RevokedAt was set
}
