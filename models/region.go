package models

import "time"

// RegionKind says whether a region is a county or a campus.
type RegionKind string

// Region kinds.
const (
	RegionCounty RegionKind = "COUNTY"
	RegionCampus RegionKind = "CAMPUS"
)

// Valid reports whether k is a defined kind.
func (k RegionKind) Valid() bool { return k == RegionCounty || k == RegionCampus }

// Region is a county or campus, identified by (Kind, Code). Its geometry
// lives in RegionVersion rows; CurrentVersion names the one in force.
type Region struct {
	ID             int64      `gorm:"primaryKey"`
	Kind           RegionKind `gorm:"size:16;not null;uniqueIndex:idx_region_kind_code"`
	Code           string     `gorm:"size:64;not null;uniqueIndex:idx_region_kind_code"`
	OfficialCode   string     `gorm:"size:64;not null;default:''"`
	Name           string     `gorm:"size:200;not null"`
	ParentCode     string     `gorm:"size:64;not null;default:'';index"`
	ParentName     string     `gorm:"size:200;not null;default:''"`
	CurrentVersion int        `gorm:"not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// RegionVersion is one geometry of a region. Versions are never changed or
// deleted: a verdict records the version it was computed against.
type RegionVersion struct {
	ID        int64  `gorm:"primaryKey"`
	RegionID  int64  `gorm:"not null;uniqueIndex:idx_region_version"`
	Version   int    `gorm:"not null;uniqueIndex:idx_region_version"`
	Datum     string `gorm:"size:8;not null"`
	Hash      string `gorm:"size:64;not null"` // geofence.GeometryHash
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
