package checkin

import (
	"context"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Review records a supervisor's or inspector's ruling on a PENDING
// check-in, as a new row with its ledger leaf: the check-in is never edited. A confirmation
// makes it count: it is added to its days in the same transaction. INVALID
// without a reason (1–1000 characters) or for an unknown decision; the
// refusals of store.BeginReview otherwise (FORBIDDEN, NOT_FOUND, CONFLICT).
func (s *Service) Review(ctx context.Context, p *authz.Principal, checkInID int64, d models.ReviewDecision, reason string) (*models.Review, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, models.E(models.CodeInvalid, "a review needs a reason of 1–1000 characters")
	}
	if d != models.ReviewConfirm && d != models.ReviewReject {
		return nil, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	tx, c, err := s.Store.BeginReview(ctx, p, checkInID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rev := &models.Review{CheckInID: c.ID, ReviewerID: p.UserID, Decision: d, Reason: reason}
	leaf, err := sealReview(rev, s.Now())
	if err != nil {
		return nil, err
	}
	w := store.Writes{Reviews: []*models.Review{rev}, Leaves: []models.Leaf{leaf}}
	if d == models.ReviewConfirm {
		regions := CountsAt(c)
		keys := make([]store.DayKey, len(regions))
		for i, r := range regions {
			keys[i] = store.DayKey{UserID: c.UserID, Date: c.LocalDate, RegionID: r}
		}
		stored, err := tx.Days(keys)
		if err != nil {
			return nil, err
		}
		days := newDayTable(stored, s.Policy)
		for _, r := range regions {
			days.add(c.UserID, c.LocalDate, r, c.OccurredAt)
		}
		w.Days = days.changedDays()
	}
	if err := tx.Commit(w); err != nil {
		return nil, err
	}
	return rev, nil
}
