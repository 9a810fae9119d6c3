package store

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// AssignmentsIn returns every assignment of the cadre, of any purpose, in
// force on some day of [first, last], ordered by start: what the rules of
// a period read (R5: each date counts toward the assignment valid on it).
// For callers that may read the cadre's work (NOT_FOUND otherwise);
// INVALID for malformed dates.
func (s *Store) AssignmentsIn(ctx context.Context, p *authz.Principal, userID int64, first, last string) ([]*models.Assignment, error) {
	if err := validPeriod("first", first, "last", last); err != nil {
		return nil, err
	}
	if err := s.ownerScope(ctx, p, authz.ReadWork, userID); err != nil {
		return nil, err
	}
	var rows []*models.Assignment
	err := overlapping(s.db.WithContext(ctx), first, last).Where("assignments.user_id = ?", userID).
		Order("assignments.valid_from, assignments.id").Find(&rows).Error
	return rows, mapErr(err)
}
