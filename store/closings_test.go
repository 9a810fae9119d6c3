package store_test

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func init() {
	// A unit's report and its closing are judged on the target's unit.
	exercisers[authz.ReadCompliance] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, err := s.ReportUnit(context.Background(), p, authz.ReadCompliance, target.OrgUnitID)
		return err
	}
	exercisers[authz.CloseQuarter] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		c := &models.QuarterClosing{OrgUnitID: target.OrgUnitID, Year: 2026, Quarter: 1, ClosedAt: time.Now().UTC(), ClosedBy: p.UserID}
		return s.CloseQuarter(context.Background(), p, c, nil)
	}
}
