package store

import (
	"context"
	"slices"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// ActivityRulingPrior is what a ruling superseding another on an activity
// is judged against, read under the cadre's lock: the activity and every
// ruling on it, oldest first. Replayed is set, and the transaction already
// ended, when the latest ruling is the one asked for (a resend).
type ActivityRulingPrior struct {
	Activity *models.Activity
	Rulings  []*models.ActivityReview
	Replayed *models.ActivityReview
}

// BeginActivityRuling begins the transaction of ruling r, which supersedes
// the latest ruling on activity r.ActivityID — or its automatic recording
// when it has none — and sets r.ReviewerID and r.Seq; supersedes must name
// the latest ruling (nil: none), and a resend is answered as BeginRuling's
// is. The refusals are BeginRuling's: FORBIDDEN without reach, for one's
// own activity, or when p may not supersede the latest ruling's author;
// NOT_FOUND for an unknown activity; CONFLICT when it still waits for its
// first ruling or supersedes is not the latest.
func (s *Store) BeginActivityRuling(ctx context.Context, p *authz.Principal, r *models.ActivityReview, supersedes *int64) (*RecordTx, *ActivityRulingPrior, error) {
	if _, err := reach(p, authz.OverturnRuling); err != nil {
		return nil, nil, err
	}
	var a models.Activity
	if err := s.db.WithContext(ctx).First(&a, r.ActivityID).Error; err != nil {
		return nil, nil, notFoundOr(err, "activity", r.ActivityID)
	}
	path, err := s.ownerInReach(ctx, p, authz.OverturnRuling, a.UserID, "activities")
	if err != nil {
		return nil, nil, err
	}
	t, err := s.beginRecord(ctx, a.UserID)
	if err != nil {
		return nil, nil, err
	}
	prior := &ActivityRulingPrior{Activity: &a}
	var rulers []rulerRow
	err = t.tx.Where("activity_id = ?", a.ID).Order("seq").Find(&prior.Rulings).Error
	if err == nil {
		err = t.tx.Table("activity_reviews rv").Select("rv.id AS id, u.role AS role, COALESCE(o.path, '') AS path").
			Joins("JOIN users u ON u.id = rv.reviewer_id").Joins("LEFT JOIN org_units o ON o.id = u.org_unit_id").
			Where("rv.activity_id = ?", a.ID).Scan(&rulers).Error
	}
	if err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	var latest *models.ActivityReview
	if n := len(prior.Rulings); n > 0 {
		latest = prior.Rulings[n-1]
	}
	if latest == nil && a.Status == models.ActivityPending {
		t.Rollback()
		return nil, nil, models.E(models.CodeConflict, "activity %d waits for its first ruling: review it (reviewActivity)", a.ID)
	}
	if latest != nil && latest.ReviewerID == p.UserID && latest.Decision == r.Decision && latest.Reason == r.Reason {
		n := len(prior.Rulings)
		if n > 1 && names(supersedes, true, prior.Rulings[n-2].ID) || n == 1 && supersedes == nil {
			t.Rollback()
			prior.Replayed = latest
			return nil, prior, nil
		}
	}
	var latestID int64
	if latest != nil {
		latestID = latest.ID
	}
	if !names(supersedes, latest != nil, latestID) {
		t.Rollback()
		return nil, nil, staleRuling("activity", a.ID, latest != nil, latestID)
	}
	var by *authz.Ruler
	if i := slices.IndexFunc(rulers, func(x rulerRow) bool { return x.ID == latestID }); latest != nil && i >= 0 {
		by = &authz.Ruler{Role: models.Role(rulers[i].Role), UnitPath: rulers[i].Path}
	}
	if err := authz.MaySupersede(p, path, by); err != nil {
		t.Rollback()
		return nil, nil, err
	}
	r.ReviewerID, r.Seq = p.UserID, 1
	if latest != nil {
		r.Seq = latest.Seq + 1
	}
	return t, prior, nil
}

// rulerRow is who made a ruling: its role and its org unit's path.
type rulerRow struct {
	ID   int64
	Role string
	Path string
}

// ActivityRulings loads every ruling on each of several activities p may
// read, oldest first (a data-loader batch).
func (s *Store) ActivityRulings(ctx context.Context, p *authz.Principal, ids []int64) (map[int64][]*models.ActivityReview, error) {
	q, err := s.activityQuery(ctx, p, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	var rows []*models.ActivityReview
	err = s.db.WithContext(ctx).Where("activity_id IN ? AND activity_id IN (?)", ids, q.Select("activities.id")).
		Order("activity_id, seq").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.ActivityReview{}
	for _, r := range rows {
		out[r.ActivityID] = append(out[r.ActivityID], r)
	}
	return out, nil
}
