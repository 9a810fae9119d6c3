package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestBaselineHasEveryModelColumn checks that the frozen baseline and the
// steps after it create every column the models read and write, so that a
// model gaining a field without a migration step fails here rather than in
// production; and that a second start applies nothing.
func TestBaselineHasEveryModelColumn(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		for _, m := range []any{&models.OrgUnit{}, &models.User{}, &models.Device{}, &models.RefreshToken{}, &models.Region{},
			&models.RegionVersion{}, &models.WorkGroup{}, &models.WorkGroupMember{}, &models.Assignment{}, &models.CheckIn{},
			&models.Review{}, &models.PresenceDay{}, &models.Activity{}, &models.Interviewee{}, &models.Need{}, &models.ActivityPhoto{},
			&models.ActivityReview{}, &models.FollowUp{}, &models.FollowUpUpdate{}, &models.ContactReveal{},
			&models.Seminar{}, &models.SeminarCandidate{}, &models.SeminarTalk{}, &models.DispatchTaskList{}, &models.DispatchTask{},
			&models.DispatchBriefing{}, &models.DispatchTaskReport{}, &models.KeyWorkList{}, &models.KeyWorkItem{}, &models.KeyWorkChange{},
			&models.KeyWorkTickOff{}, &models.KeyWorkPhoto{}, &models.KeyWorkRuling{},
			&models.Summary{}, &models.SummaryVersion{},
			&models.SummaryReview{}, &models.ReportReceiver{}, &models.Notification{},
			&models.MakeUp{}, &models.MakeUpPhoto{}, &models.MakeUpDecision{}, &models.Absence{}, &models.AbsenceWithdrawal{},
			&models.SpotCheck{}, &models.SpotCheckCandidate{}, &models.Finding{}, &models.Escalation{}, &models.AccessBatch{},
			&models.AccessEntry{}, &models.PhotoHash{}} {
			for _, col := range s.MissingColumns(m) {
				t.Errorf("%T: column %s is not created by any migration", m, col)
			}
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Errorf("second start: %v", err)
		}
	})
}

// TestRefusesSchemaBeforeBaseline: a database that recorded migration
// steps but not the baseline predates every release; the server refuses it
// rather than guessing.
func TestRefusesSchemaBeforeBaseline(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, q := range []string{"DELETE FROM schema_migrations", "INSERT INTO schema_migrations (version, name, applied_at) VALUES (3, 'old', '2026-01-01 00:00:00')"} {
			if err := s.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); models.CodeOf(err) != models.CodeInternal {
			t.Errorf("migrate over version 3: %v, want a refusal", err)
		}
	})
}
