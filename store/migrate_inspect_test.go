package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestStep50LedgersOlderYouthWork: on a database whose activities,
// rulings and reveals were stored before step 50, the step gives the
// reveals legacy refs and bounds the three kinds for the backfill, which
// then finds each record (an activity with its photos) by its key.
func TestStep50LedgersOlderYouthWork(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		n, err := storeActivity(s, w.users["cadreA"])
		if err != nil {
			t.Fatal(err)
		}
		dropIndex := "DROP INDEX idx_contact_reveal_ref"
		if s.Driver() == store.DriverMySQL {
			dropIndex += " ON contact_reveals"
		}
		for _, q := range []string{
			"DELETE FROM ledger_leaves", "DELETE FROM ledger_backfill", "DELETE FROM schema_migrations WHERE version = 50",
			dropIndex, "ALTER TABLE contact_reveals DROP COLUMN ref",
			fmt.Sprintf("INSERT INTO activity_photos (activity_id, position, sha256, size, content_type) VALUES (%d, 0, 'ab', 3, 'image/jpeg')", n.Activity.ID),
			fmt.Sprintf("INSERT INTO contact_reveals (interviewee_id, actor_id, reason, created_at) VALUES (%d, %d, 'old', '2026-01-02 03:04:05')",
				n.Interviewee.ID, w.users["discipline"].ID),
		} {
			if err := s.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for kind, want := range map[models.LeafKind]int64{models.LeafActivity: n.Activity.ID, models.LeafActivityReview: 0, models.LeafContactReveal: 1} {
			if got, err := s.BackfillBound(ctx, kind); err != nil || got < want || (want == 0 && got != 0) {
				t.Errorf("%s: backfill bound %d, %v; want %d", kind, got, err, want)
			}
		}
		for _, kind := range []models.LeafKind{models.LeafActivity, models.LeafContactReveal} {
			recs, err := s.RecordsWithoutLeaf(ctx, system, kind, 0, 0, 10)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%s without a leaf: %v, %v", kind, recs, err)
			}
			switch r := recs[0].(type) {
			case *models.ActivityRecord:
				if len(r.Photos) != 1 || r.Photos[0].SHA256 != "ab" {
					t.Errorf("the activity's photos: %+v", r.Photos)
				}
			case *models.ContactReveal:
				if r.Ref != fmt.Sprintf("legacy-%d", r.ID) {
					t.Errorf("the older reveal's ref %q", r.Ref)
				}
			}
		}
	})
}
