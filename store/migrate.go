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
// add or replace indexes; none drops or rewrites data, so re-running
// start-up is safe.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations lists every schema step in order. Append new steps; never edit
// or reorder an applied one. Step 4 is the baseline: the schema of the
// first release, from frozen structs (migrate_baseline.go); a database
// that recorded steps 1–4 of the releases before it has that schema
// already, and one that stopped short of 4 predates every release.
func migrations() []migration {
	return append([]migration{
		{baselineVersion, "baseline: org units, users, devices, sessions, regions, work groups, assignments, check-ins, reviews, presence days", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(baseline()...)
		}},
		{5, "account security: auth version, password flags, session policy of refresh tokens", migrateAccountSecurity},
		{6, "security audit log with its hash chain", migrateAuditLog},
		{15, "ledger: leaves, subtree hashes, tree state and sequencer lease, checkpoints, backfill bounds", migrateLedger},
		{20, "youth work: activities, interviewees, needs, photos, rulings, follow-ups, contact reveals", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(youthWork()...)
		}},
		{30, "summaries and annual reports: drafts, submitted versions, decisions, report receivers", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(summaryTables()...)
		}},
		{31, "notifications and leases", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(notificationTables()...)
		}},
		{35, "seminars (R9): openings with their draws and candidates, talks", migrateSeminars},
		{36, "task lists (R10): dispatch task lists, briefings, progress; key-work lists, items, changes, tick-offs, photos, rulings", migrateTaskLists},
		{40, "policy versions per org unit", migratePolicy},
		{45, "rulings: several per check-in or activity by seq, the region a confirmation names; made-up days", migrateRulings},
		{46, "corrections: make-up requests with photos and decisions, approved absences and withdrawals", func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(corrections()...)
		}},
	}, append(inspectionSteps(), migration{60, "quarter closings and the verdicts they froze", migrateClosings},
		migration{61, "facts versions of cadres and their stored verdicts", migrateStoredVerdicts})...)
}

// baselineVersion is the version of the baseline step.
const baselineVersion = 4

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
	if len(applied) > 0 && !done[baselineVersion] {
		return models.E(models.CodeInternal, "the database schema predates the baseline (version %d); migrate it with an older release first", baselineVersion)
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
