package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

var checkInSeq atomic.Int64

// pendingCheckIn stores a PENDING check-in for user through the store's
// recording transaction, as the check-in service would.
func pendingCheckIn(s *store.Store, userID int64) (*models.CheckIn, error) {
	id := fmt.Sprintf("t-%d", checkInSeq.Add(1))
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	probe := models.CheckIn{ClientID: id, DeviceTime: now, WGSLat: 34.8, WGSLon: 114.8, AccuracyM: float64(checkInSeq.Load())}
	rec, err := s.RecordCheckIn(context.Background(), userID, probe, noDay, func(store.Prior) (*store.NewCheckIn, error) {
		row := probe
		row.UserID, row.PayloadHash, row.CoordSystem, row.DeviceID = userID, "h", "GCJ02", "phone"
		row.ReceivedAt, row.OccurredAt, row.LocalDate, row.Verdict, row.Flags = now, now, "2026-11-02", "BOUNDARY", "[]"
		row.Status, row.PolicyVersion = models.CheckInPending, "test"
		return &store.NewCheckIn{Row: &row}, nil
	})
	if err != nil {
		return nil, err
	}
	return rec.CheckIn, nil
}

func init() {
	// Check-ins are created only for the signed-in cadre itself: the
	// service passes p.UserID, and no API takes another user's id.
	exercisers[store.OpCheckIn] = func(s *store.Store, p *auth.Principal, target *models.User) error {
		if _, err := store.Authorize(p, store.OpCheckIn); err != nil {
			return err
		}
		if target.ID != p.UserID {
			return models.E(models.CodeForbidden, "check-ins are sent for oneself only")
		}
		_, err := pendingCheckIn(s, p.UserID)
		return err
	}
	exercisers[store.OpReadCheckIns] = func(s *store.Store, p *auth.Principal, target *models.User) error {
		if _, err := pendingCheckIn(s, target.ID); err != nil {
			return err
		}
		rows, _, err := s.ListCheckIns(context.Background(), p, store.CheckInFilter{UserID: &target.ID}, store.Page{})
		if err == nil && len(rows) == 0 {
			return models.E(models.CodeNotFound, "none visible")
		}
		return err
	}
	// Reviewing one's own check-in is refused by a separate rule (see
	// server TestReviewMakesBoundaryDayCount); for self the matrix is
	// checked through the same CheckUnit the review uses.
	exercisers[store.OpReviewCheckIn] = func(s *store.Store, p *auth.Principal, target *models.User) error {
		if target.ID == p.UserID {
			return s.CheckUnit(context.Background(), p, store.OpReviewCheckIn, target.OrgUnitID)
		}
		c, err := pendingCheckIn(s, target.ID)
		if err != nil {
			return err
		}
		_, err = s.ReviewCheckIn(context.Background(), p, c.ID, models.ReviewReject, "matrix test", noDay, countsNowhere)
		return err
	}
}
