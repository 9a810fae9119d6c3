package store

import "time"

// The baseline schema: the tables as the first release created them,
// frozen here so that the baseline step creates exactly these columns and
// indexes whatever the models become. Later steps are fixed changes on top
// of it; never edit these structs.

type v1OrgUnit struct {
	ID        int64  `gorm:"primaryKey"`
	ParentID  *int64 `gorm:"index"`
	Code      string `gorm:"size:64;not null;uniqueIndex"`
	Name      string `gorm:"size:200;not null"`
	Kind      string `gorm:"size:32;not null"`
	Path      string `gorm:"size:512;not null;index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (v1OrgUnit) TableName() string { return "org_units" }

type v1User struct {
	ID              int64  `gorm:"primaryKey"`
	Username        string `gorm:"size:64;not null;uniqueIndex"`
	DisplayName     string `gorm:"size:200;not null"`
	PasswordHash    string `gorm:"size:200;not null"`
	Role            string `gorm:"size:32;not null;index"`
	OrgUnitID       int64  `gorm:"not null;index"`
	Rank            string `gorm:"size:32;not null"`
	GrassrootsDept  bool   `gorm:"not null;default:false"`
	SchoolWorkGroup bool   `gorm:"not null;default:false"`
	TenureStart     *time.Time
	Disabled        bool `gorm:"not null;default:false"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (v1User) TableName() string { return "users" }

type v1Device struct {
	ID           int64     `gorm:"primaryKey"`
	UserID       int64     `gorm:"not null;uniqueIndex:idx_device_user_dev"`
	DeviceID     string    `gorm:"size:128;not null;uniqueIndex:idx_device_user_dev"`
	Status       string    `gorm:"size:16;not null"`
	ActiveUserID *int64    `gorm:"uniqueIndex"`
	RequestedAt  time.Time `gorm:"not null"`
	ApprovedBy   *int64
	ApprovedAt   *time.Time
	RevokedAt    *time.Time
}

func (v1Device) TableName() string { return "devices" }

type v1RefreshToken struct {
	ID        int64  `gorm:"primaryKey"`
	Hash      string `gorm:"size:64;not null;uniqueIndex"`
	FamilyID  string `gorm:"size:36;not null;index"`
	UserID    int64  `gorm:"not null;index"`
	DeviceID  string `gorm:"size:128;not null"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (v1RefreshToken) TableName() string { return "refresh_tokens" }

type v1Region struct {
	ID             int64  `gorm:"primaryKey"`
	Kind           string `gorm:"size:16;not null;uniqueIndex:idx_region_kind_code"`
	Code           string `gorm:"size:64;not null;uniqueIndex:idx_region_kind_code"`
	OfficialCode   string `gorm:"size:64;not null;default:''"`
	Name           string `gorm:"size:200;not null"`
	ParentCode     string `gorm:"size:64;not null;default:'';index"`
	ParentName     string `gorm:"size:200;not null;default:''"`
	CurrentVersion int    `gorm:"not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (v1Region) TableName() string { return "regions" }

type v1RegionVersion struct {
	ID        int64  `gorm:"primaryKey"`
	RegionID  int64  `gorm:"not null;uniqueIndex:idx_region_version"`
	Version   int    `gorm:"not null;uniqueIndex:idx_region_version"`
	Datum     string `gorm:"size:8;not null"`
	Hash      string `gorm:"size:64;not null"`
	GeoJSON   string `gorm:"type:longtext;not null"`
	CenterLon *float64
	CenterLat *float64
	MinLon    float64 `gorm:"not null"`
	MinLat    float64 `gorm:"not null"`
	MaxLon    float64 `gorm:"not null"`
	MaxLat    float64 `gorm:"not null"`
	Source    string  `gorm:"size:500;not null;default:''"`
	CreatedBy *int64
	CreatedAt time.Time
}

func (v1RegionVersion) TableName() string { return "region_versions" }

type v1WorkGroup struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	OrgUnitID int64  `gorm:"not null;index"`
	LeaderID  int64  `gorm:"not null"`
	CreatedBy int64  `gorm:"not null"`
	CreatedAt time.Time
}

func (v1WorkGroup) TableName() string { return "work_groups" }

type v1WorkGroupMember struct {
	ID          int64 `gorm:"primaryKey"`
	WorkGroupID int64 `gorm:"not null;uniqueIndex:idx_wg_member"`
	UserID      int64 `gorm:"not null;uniqueIndex:idx_wg_member;index"`
	Leader      bool  `gorm:"not null;default:false"`
	CreatedAt   time.Time
}

func (v1WorkGroupMember) TableName() string { return "work_group_members" }

type v1Assignment struct {
	ID          int64  `gorm:"primaryKey"`
	UserID      int64  `gorm:"not null;index:idx_assign_user_from"`
	RegionID    int64  `gorm:"not null;index"`
	Purpose     string `gorm:"size:16;not null"`
	WorkGroupID *int64 `gorm:"index"`
	ValidFrom   string `gorm:"size:10;not null;index:idx_assign_user_from"`
	ValidTo     string `gorm:"size:10;not null;default:''"`
	CreatedBy   int64  `gorm:"not null"`
	CreatedAt   time.Time
	EndedBy     *int64
	EndedAt     *time.Time
}

func (v1Assignment) TableName() string { return "assignments" }

type v1CheckIn struct {
	ID            int64   `gorm:"primaryKey"`
	UserID        int64   `gorm:"not null;uniqueIndex:idx_checkin_client;index:idx_checkin_user_time,priority:1;index:idx_checkin_fix,priority:1"`
	ClientID      string  `gorm:"size:64;not null;uniqueIndex:idx_checkin_client"`
	PayloadHash   string  `gorm:"size:64;not null"`
	Lat           float64 `gorm:"not null"`
	Lon           float64 `gorm:"not null"`
	AccuracyM     float64 `gorm:"not null;index:idx_checkin_fix,priority:4"`
	CoordSystem   string  `gorm:"size:8;not null"`
	WGSLat        float64 `gorm:"not null;index:idx_checkin_fix,priority:2"`
	WGSLon        float64 `gorm:"not null;index:idx_checkin_fix,priority:3"`
	Altitude      *float64
	Speed         *float64
	Provider      string    `gorm:"size:32;not null;default:''"`
	MockLocation  bool      `gorm:"not null"`
	DeviceID      string    `gorm:"size:128;not null"`
	DeviceTime    time.Time `gorm:"not null;index:idx_checkin_user_time,priority:2"`
	ReceivedAt    time.Time `gorm:"not null"`
	OccurredAt    time.Time `gorm:"not null"`
	LocalDate     string    `gorm:"size:10;not null"`
	Offline       bool      `gorm:"not null"`
	RegionID      *int64    `gorm:"index"`
	RegionVersion int       `gorm:"not null;default:0"`
	Verdict       string    `gorm:"size:16;not null"`
	EdgeDistanceM float64   `gorm:"not null;default:0"`
	Flags         string    `gorm:"type:text;not null"`
	Located       string    `gorm:"type:text"`
	Status        string    `gorm:"size:16;not null"`
	PolicyVersion string    `gorm:"size:32;not null"`
	CreatedAt     time.Time
}

func (v1CheckIn) TableName() string { return "check_ins" }

type v1Review struct {
	ID         int64  `gorm:"primaryKey"`
	CheckInID  int64  `gorm:"not null;uniqueIndex"`
	ReviewerID int64  `gorm:"not null"`
	Decision   string `gorm:"size:16;not null"`
	Reason     string `gorm:"size:1000;not null"`
	CreatedAt  time.Time
}

func (v1Review) TableName() string { return "reviews" }

type v1PresenceDay struct {
	ID       int64     `gorm:"primaryKey"`
	UserID   int64     `gorm:"not null;uniqueIndex:idx_day,priority:1"`
	Date     string    `gorm:"size:10;not null;uniqueIndex:idx_day,priority:2"`
	RegionID int64     `gorm:"not null;uniqueIndex:idx_day,priority:3"`
	Accepted int       `gorm:"not null"`
	FirstAt  time.Time `gorm:"not null"`
	LastAt   time.Time `gorm:"not null"`
	Counted  bool      `gorm:"not null"`
}

func (v1PresenceDay) TableName() string { return "presence_days" }

// baseline is every table of the baseline schema, in creation order.
func baseline() []any {
	return []any{&v1OrgUnit{}, &v1User{}, &v1Device{}, &v1RefreshToken{}, &v1Region{}, &v1RegionVersion{},
		&v1WorkGroup{}, &v1WorkGroupMember{}, &v1Assignment{}, &v1CheckIn{}, &v1Review{}, &v1PresenceDay{}}
}
