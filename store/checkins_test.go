package store_test

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func init() {
	exercisers[authz.SignIn] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, err := s.UserByUsername(context.Background(), p, target.Username)
		return err
	}
	// Check-ins are created only for the signed-in cadre itself: the
	// service passes p.UserID, and no API takes another user's id.
	exercisers[authz.CheckIn] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if _, err := authz.Check(p, authz.CheckIn); err != nil {
			return err
		}
		if target.ID != p.UserID {
			return models.E(models.CodeForbidden, "check-ins are sent for oneself only")
		}
		_, err := pendingCheckIn(s, p.UserID)
		return err
	}
	exercisers[authz.ReadCheckIns] = func(s *store.Store, p *authz.Principal, target *models.User) error {
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
	exercisers[authz.ReviewCheckIn] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID == p.UserID {
			return s.CheckUnit(context.Background(), p, authz.ReviewCheckIn, target.OrgUnitID)
		}
		c, err := pendingCheckIn(s, target.ID)
		if err != nil {
			return err
		}
		_, err = rule(s, p, c.ID, models.ReviewReject)
		return err
	}
}
