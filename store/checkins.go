package store

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// ownerScope refuses unless p may apply op to the records of userID: the
// user must be within p's reach (self, subtree or all). NOT_FOUND for an
// unknown or unreachable user.
func (s *Store) ownerScope(ctx context.Context, p *authz.Principal, op authz.Op, userID int64) error {
	scope, err := s.userScope(ctx, p, op)
	if err != nil {
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.User{}).Scopes(scope).Where("users.id = ?", userID).Count(&n).Error; err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return notFound("user", userID)
	}
	return nil
}

// Days returns a cadre's presence days with dates in [first, last], for
// callers that may read the cadre's check-ins (NOT_FOUND otherwise).
func (s *Store) Days(ctx context.Context, p *authz.Principal, userID int64, first, last string) ([]*models.PresenceDay, error) {
	if err := s.ownerScope(ctx, p, authz.ReadCheckIns, userID); err != nil {
		return nil, err
	}
	var rows []*models.PresenceDay
	err := s.db.WithContext(ctx).Where("user_id = ? AND date >= ? AND date <= ?", userID, first, last).
		Order("date, region_id").Find(&rows).Error
	return rows, mapErr(err)
}

// CheckInByClientID returns a cadre's check-in with that client id, for
// callers that may read the cadre's check-ins; NOT_FOUND otherwise.
func (s *Store) CheckInByClientID(ctx context.Context, p *authz.Principal, userID int64, clientID string) (*models.CheckIn, error) {
	if err := s.ownerScope(ctx, p, authz.ReadCheckIns, userID); err != nil {
		return nil, err
	}
	var c models.CheckIn
	if err := s.db.WithContext(ctx).Where("user_id = ? AND client_id = ?", userID, clientID).Take(&c).Error; err != nil {
		return nil, notFoundOr(err, "check-in", clientID)
	}
	return &c, nil
}

// CountCheckIns returns how many check-ins userID has stored, for callers
// that may read them (NOT_FOUND otherwise).
func (s *Store) CountCheckIns(ctx context.Context, p *authz.Principal, userID int64) (int64, error) {
	if err := s.ownerScope(ctx, p, authz.ReadCheckIns, userID); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&models.CheckIn{}).Where("user_id = ?", userID).Count(&n).Error
	return n, mapErr(err)
}
