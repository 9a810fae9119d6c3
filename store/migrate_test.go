package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestLocatedBeforeMigration4 opens a database as migration 3 left it —
// located regions as rows of check_in_regions, no check_ins.located — and
// checks that migration 4 adds the column without touching those rows,
// and that a review and the recomputation history read an old check-in's
// regions from the old table and a new one's from its row.
func TestLocatedBeforeMigration4(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			old, err := store.Open(ctx, b.Config)
			if err != nil {
				t.Fatal(err)
			}
			w := buildWorld(t, old)
			cadre := w.users["cadreA"].ID
			legacy, err := pendingCheckIn(old, cadre)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				"ALTER TABLE check_ins DROP COLUMN located",
				"DELETE FROM schema_migrations WHERE version = 4",
				fmt.Sprintf("INSERT INTO check_in_regions (check_in_id, region_id, region_version, verdict, edge_distance_m) VALUES (%[1]d, 7, 1, 'BOUNDARY', 3.5), (%[1]d, 8, 2, 'INSIDE', 120)", legacy.ID),
			} {
				if err := old.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			old.Close()

			s := storetest.Open(t, b, time.Now) // applies migration 4
			located := models.Located{{RegionID: 9, RegionVersion: 3, Verdict: "BOUNDARY", EdgeDistanceM: 4.25}}
			fresh := recordLocated(t, s, cadre, located)
			stored, err := s.CheckInByClientID(ctx, cadre, legacy.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Located != nil {
				t.Errorf("the old check-in's column reads %v, want NULL (nil)", stored.Located)
			}
			want := map[int64][]models.CheckInRegion{
				legacy.ID: {{RegionID: 7, RegionVersion: 1, Verdict: "BOUNDARY", EdgeDistanceM: 3.5}, {RegionID: 8, RegionVersion: 2, Verdict: "INSIDE", EdgeDistanceM: 120}},
				fresh.ID:  located,
			}
			got := map[int64][]models.CheckInRegion{}
			for _, id := range []int64{legacy.ID, fresh.ID} {
				_, err := s.ReviewCheckIn(ctx, principalOf(w.users["supA"]), id, models.ReviewConfirm, "seen", noDay,
					func(c *models.CheckIn, regs []models.CheckInRegion) []int64 {
						got[c.ID] = withoutRowIDs(regs)
						return nil
					})
				if err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("a review saw located regions %v, want %v", got, want)
			}
			_, history, err := s.CountingHistory(ctx, cadre)
			if err != nil {
				t.Fatal(err)
			}
			for id := range history {
				history[id] = withoutRowIDs(history[id])
			}
			if !reflect.DeepEqual(history, want) {
				t.Errorf("the history has located regions %v, want %v", history, want)
			}
		})
	}
}

// recordLocated stores a PENDING check-in of userID located against regs.
func recordLocated(t *testing.T, s *store.Store, userID int64, regs models.Located) *models.CheckIn {
	t.Helper()
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	probe := models.CheckIn{ClientID: "located-1", DeviceTime: now, WGSLat: 34.7, WGSLon: 114.8, AccuracyM: 5}
	rec, err := s.RecordCheckIn(context.Background(), userID, probe, noDay, func(store.Prior) (*store.NewCheckIn, error) {
		row := probe
		row.UserID, row.PayloadHash, row.CoordSystem, row.DeviceID = userID, "h", "WGS84", "phone-1"
		row.ReceivedAt, row.OccurredAt, row.LocalDate, row.Verdict, row.Flags = now, now, "2026-11-02", "BOUNDARY", "[]"
		row.Status, row.PolicyVersion, row.Located = models.CheckInPending, "test", regs
		return &store.NewCheckIn{Row: &row}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec.CheckIn
}

// withoutRowIDs drops the ids of check_in_regions rows, which the column
// does not have.
func withoutRowIDs(regs []models.CheckInRegion) []models.CheckInRegion {
	out := make([]models.CheckInRegion, len(regs))
	for i, r := range regs {
		r.ID, r.CheckInID = 0, 0
		out[i] = r
	}
	return out
}
