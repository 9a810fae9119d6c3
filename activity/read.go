package activity

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// countResults sets the Count of every result (one read for all).
func (s *Service) countResults(ctx context.Context, p *authz.Principal, out []ItemResult) error {
	var acts []*models.Activity
	for _, r := range out {
		if r.Result != nil {
			acts = append(acts, r.Result.Activity)
		}
	}
	if len(acts) == 0 {
		return nil
	}
	counts, err := s.Counts(ctx, p, acts)
	if err != nil {
		return err
	}
	for _, r := range out {
		if r.Result != nil {
			r.Result.Count = counts[r.Result.Activity.ID]
		}
	}
	return nil
}

// Review records p's ruling on a PENDING activity, with a reason (INVALID
// without one); a confirmation lets it count when its day counts. The
// refusals of store.ReviewActivity otherwise.
func (s *Service) Review(ctx context.Context, p *authz.Principal, id int64, d models.ReviewDecision, reason string) (*models.ActivityReview, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, models.E(models.CodeInvalid, "a review needs a reason of 1–1000 characters")
	}
	if d != models.ReviewConfirm && d != models.ReviewReject {
		return nil, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	if _, err := authz.Check(p, authz.ReviewActivity); err != nil {
		return nil, err
	}
	rev := &models.ActivityReview{ActivityID: id, ReviewerID: p.UserID, Decision: d, Reason: reason,
		CreatedAt: s.Now().UTC().Truncate(storedPrecision)}
	leaf, err := leafOf(rev)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ReviewActivity(ctx, p, rev, leaf); err != nil {
		return nil, err
	}
	return rev, nil
}

// OpenFollowUp opens a need as a case owned by ownerID (the cadre itself
// when nil), recording what is planned or done so far. See
// store.OpenFollowUp for the refusals; INVALID for an empty action.
func (s *Service) OpenFollowUp(ctx context.Context, p *authz.Principal, needID int64, ownerID *int64, action string) (*models.FollowUp, error) {
	if err := checkAction(action); err != nil {
		return nil, err
	}
	owner := p.UserID
	if ownerID != nil {
		owner = *ownerID
	}
	return s.Store.OpenFollowUp(ctx, p, needID, owner, strings.TrimSpace(action))
}

// UpdateFollowUp records what was done on a case and where it stands. A
// resolved case must say what was done (INVALID otherwise).
func (s *Service) UpdateFollowUp(ctx context.Context, p *authz.Principal, id int64, status models.FollowUpStatus, action string) (*models.FollowUp, error) {
	if !status.Valid() {
		return nil, models.E(models.CodeInvalid, "unknown status %q", status)
	}
	if err := checkAction(action); err != nil {
		return nil, err
	}
	return s.Store.UpdateFollowUp(ctx, p, id, status, strings.TrimSpace(action))
}

func checkAction(action string) error {
	if a := strings.TrimSpace(action); a == "" || len(a) > 5000 {
		return models.E(models.CodeInvalid, "say what was done (1–5000 characters)")
	}
	return nil
}

// List pages through the activities p may read, each with its Count.
func (s *Service) List(ctx context.Context, p *authz.Principal, f store.ActivityFilter, page store.Page) ([]*models.Activity, map[int64]Count, store.PageInfo, error) {
	rows, pi, err := s.Store.Activities(ctx, p, f, page)
	if err != nil {
		return nil, nil, pi, err
	}
	counts, err := s.Counts(ctx, p, rows)
	return rows, counts, pi, err
}

// Attendees returns the named participants of a forum or lecture; INTERNAL
// when the stored list does not decode.
func Attendees(a *models.Activity) ([]string, error) {
	out := []string{}
	if a.ParticipantList == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(a.ParticipantList), &out); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "stored participants do not decode")
	}
	return out, nil
}
