package activity

import (
	"context"
	"strings"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Overturn records a ruling that supersedes the latest ruling on an
// activity — or its automatic recording — with a reason, as a new row with
// its ledger leaf; the latest ruling decides whether it may count, and the
// history keeps every one. Who may, and the resend of a ruling whose
// answer was lost, are as for check-ins (checkin.Service.Overturn):
// supersedes must name the latest ruling (nil: none), and resending the
// same ruling after UNAVAILABLE returns the stored one. INVALID without a
// reason (1–1000 characters) or for an unknown decision; the refusals of
// store.BeginActivityRuling otherwise.
func (s *Service) Overturn(ctx context.Context, p *authz.Principal, id int64, supersedes *int64, d models.ReviewDecision, reason string) (*models.ActivityReview, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, models.E(models.CodeInvalid, "a ruling needs a reason of 1–1000 characters")
	}
	if d != models.ReviewConfirm && d != models.ReviewReject {
		return nil, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	rev := &models.ActivityReview{ActivityID: id, Decision: d, Reason: reason}
	tx, prior, err := s.Store.BeginActivityRuling(ctx, p, rev, supersedes)
	if err != nil {
		return nil, err
	}
	if prior.Replayed != nil {
		return prior.Replayed, nil
	}
	defer tx.Rollback()
	rev.CreatedAt = s.Now().UTC().Truncate(time.Millisecond) // as every database keeps it, so the leaf matches the row read back
	leaf, err := ledger.LeafOf(rev)                          // the first ruling (seq 1) is an activity_review, later ones activity_rulings
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "ledger leaf of a ruling")
	}
	w := store.RecordWrites{ActivityRuling: rev, Leaves: []models.Leaf{leaf}}
	if err := tx.Commit(w); err != nil {
		return nil, err
	}
	return rev, nil
}
