package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/models"
)

// schemaMigration records one applied migration.
type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:200;not null"`
	AppliedAt time.Time
}

// migration is one versioned step. Steps only create tables, add columns and
// add indexes; none drops or rewrites data, so re-running start-up is safe.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations lists every schema step in order. Append new steps; never edit
// or reorder an applied one.
func migrations() []migration {
	return []migration{
		{1, "org units, users, devices, refresh tokens", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(&models.OrgUnit{}, &models.User{}, &models.Device{}, &models.RefreshToken{})
		}},
		{2, "regions and their geometry versions", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(&models.Region{}, &models.RegionVersion{})
		}},
		{3, "work groups, assignments, check-ins, reviews, presence days", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(&models.WorkGroup{}, &models.WorkGroupMember{}, &models.Assignment{},
				&models.CheckIn{}, &models.CheckInRegion{}, &models.Review{}, &models.PresenceDay{})
		}},
		{4, "check-ins carry their located regions", func(tx *gorm.DB) error {
			// New check-ins keep their located regions in their own row
			// instead of rows of check_in_regions (one statement fewer per
			// group-commit batch); older check-ins keep theirs where they
			// are (Located NULL), and readers look there for them.
			if tx.Migrator().HasColumn(&models.CheckIn{}, "Located") { // created by step 3 on a new database
				return nil
			}
			return tx.Migrator().AddColumn(&models.CheckIn{}, "Located")
		}},
	}
}

// migrate applies every migration newer than the recorded version, each in
// its own transaction where the database allows DDL in transactions.
func (s *Store) migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if err := db.AutoMigrate(&schemaMigration{}); err != nil {
		return mapErr(err)
	}
	var applied []schemaMigration
	if err := db.Find(&applied).Error; err != nil {
		return mapErr(err)
	}
	done := make(map[int]bool, len(applied))
	for _, m := range applied {
		done[m.Version] = true
	}
	for _, m := range migrations() {
		if done[m.version] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: s.now().UTC()}).Error
		})
		if err != nil {
			if isDuplicate(err) {
				continue // another server applied it concurrently
			}
			return models.Wrap(models.CodeInternal, mapErr(err), "migration failed")
		}
		s.log.Info("migration applied", "version", m.version, "name", m.name)
	}
	return nil
}
