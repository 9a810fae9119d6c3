package checkin

import (
	"context"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/models"
)

// Review records a supervisor's or inspector's ruling on a PENDING
// check-in; a confirmation makes it count and updates its days in the same
// transaction. See store.ReviewCheckIn for the refusals.
func (s *Service) Review(ctx context.Context, p *auth.Principal, checkInID int64, d models.ReviewDecision, reason string) (*models.Review, error) {
	return s.Store.ReviewCheckIn(ctx, p, checkInID, d, reason, s.dayRule(), CountsAt)
}
