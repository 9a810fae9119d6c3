package store

import (
	"time"

	"gorm.io/gorm"
)

// The policy versions (step 40), frozen like the baseline: never edit.
type v40PolicyVersion struct {
	ID            int64  `gorm:"primaryKey"`
	OrgUnitID     int64  `gorm:"not null;uniqueIndex:idx_policy_unit_version,priority:1"`
	Version       int    `gorm:"not null;uniqueIndex:idx_policy_unit_version,priority:2"`
	EffectiveFrom string `gorm:"size:10;not null"`
	Settings      string `gorm:"type:text;not null"`
	Reason        string `gorm:"size:1000;not null"`
	CreatedBy     int64  `gorm:"not null"`
	CreatedAt     time.Time
}

func (v40PolicyVersion) TableName() string { return "policy_versions" }

func migratePolicy(tx *gorm.DB) error { return tx.Migrator().AutoMigrate(&v40PolicyVersion{}) }
