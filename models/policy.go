package models

import (
	"strconv"
	"time"
)

// PolicyVersion is one version of an org unit's policy document
// (docs/rules.md, "Policy values"): the thresholds the unit sets itself —
// every other one it inherits from its parent — in force from
// EffectiveFrom until a later version of the unit takes over. Versions are
// numbered per unit from 1 and never updated: an edit is a new version,
// and each is a ledger leaf.
type PolicyVersion struct {
	ID            int64  `gorm:"primaryKey"`
	OrgUnitID     int64  `gorm:"not null;uniqueIndex:idx_policy_unit_version,priority:1"`
	Version       int    `gorm:"not null;uniqueIndex:idx_policy_unit_version,priority:2"`
	EffectiveFrom string `gorm:"size:10;not null"` // Asia/Shanghai date YYYY-MM-DD
	// Settings is a JSON object from key name to value text with sorted
	// keys, as compliance.Keys names them: the bytes the ledger hashes.
	Settings  string `gorm:"type:text;not null"`
	Reason    string `gorm:"size:1000;not null"`
	CreatedBy int64  `gorm:"not null"` // the user; 0 for the server (the baseline)
	CreatedAt time.Time
}

// LeafKey returns the version's natural key, (org unit, version number).
func (v *PolicyVersion) LeafKey() LeafKey {
	return LeafKey{Kind: LeafPolicy, Num: v.OrgUnitID, Text: strconv.Itoa(v.Version)}
}

// RecordID returns the version's id.
func (v *PolicyVersion) RecordID() int64 { return v.ID }
