package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// OpenFollowUp opens need needID as a case owned by ownerID. p must be
// allowed to write follow-ups of the need's cadre (the cadre, or a
// supervisor of its subtree), and the owner must be within p's reach too.
// NOT_FOUND for an unknown need, CONFLICT when it is already a case.
func (s *Store) OpenFollowUp(ctx context.Context, p *authz.Principal, needID, ownerID int64, action string) (*models.FollowUp, error) {
	db := s.db.WithContext(ctx)
	var need models.Need
	if err := db.First(&need, needID).Error; err != nil {
		return nil, notFoundOr(err, "need", needID)
	}
	var a models.Activity
	if err := db.Select("id, user_id").First(&a, need.ActivityID).Error; err != nil {
		return nil, mapErr(err)
	}
	if err := s.followUpReach(ctx, p, a.UserID); err != nil {
		return nil, err
	}
	if ownerID != a.UserID {
		if err := s.ownerScope(ctx, p, authz.WriteFollowUps, ownerID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	f := models.FollowUp{NeedID: needID, UserID: a.UserID, OwnerID: ownerID, Status: models.FollowUpOpen, Action: action,
		OpenedAt: now, UpdatedAt: now}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&f).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "need %d is already followed up", needID)
			}
			return err
		}
		return tx.Create(&models.FollowUpUpdate{FollowUpID: f.ID, ActorID: p.UserID, Status: f.Status, Action: action, CreatedAt: now}).Error
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// followUpReach refuses unless p may write follow-ups of cadre userID.
func (s *Store) followUpReach(ctx context.Context, p *authz.Principal, userID int64) error {
	if err := s.ownerScope(ctx, p, authz.WriteFollowUps, userID); err != nil {
		if models.CodeOf(err) == models.CodeNotFound {
			return models.E(models.CodeForbidden, "the need's cadre is outside your reach")
		}
		return err
	}
	return nil
}

// UpdateFollowUp records a change of case id: its new status and what was
// done, as history, and the case's latest state. The case's owner, its
// cadre, or a supervisor of the cadre's subtree may update it (FORBIDDEN
// otherwise); NOT_FOUND for an unknown case.
func (s *Store) UpdateFollowUp(ctx context.Context, p *authz.Principal, id int64, status models.FollowUpStatus, action string) (*models.FollowUp, error) {
	var f models.FollowUp
	if err := s.db.WithContext(ctx).First(&f, id).Error; err != nil {
		return nil, notFoundOr(err, "follow-up", id)
	}
	if f.OwnerID != p.UserID {
		if err := s.followUpReach(ctx, p, f.UserID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	f.Status, f.Action, f.UpdatedAt, f.ResolvedAt = status, action, now, nil
	if status == models.FollowUpResolved {
		f.ResolvedAt = &now
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Select("status", "action", "updated_at", "resolved_at").Updates(&f).Error; err != nil {
			return err
		}
		return tx.Create(&models.FollowUpUpdate{FollowUpID: id, ActorID: p.UserID, Status: status, Action: action, CreatedAt: now}).Error
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// FollowUpFilter narrows FollowUps.
type FollowUpFilter struct {
	UserID    *int64
	OrgUnitID *int64
	Status    *models.FollowUpStatus
	Open      bool // OPEN or IN_PROGRESS
}

// FollowUps pages through the cases of cadres p may read activities of.
func (s *Store) FollowUps(ctx context.Context, p *authz.Principal, f FollowUpFilter, page Page) ([]*models.FollowUp, PageInfo, error) {
	acts, err := s.activityQuery(ctx, p, ActivityFilter{UserID: f.UserID, OrgUnitID: f.OrgUnitID})
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.FollowUp{}).
		Where("follow_ups.need_id IN (?)", s.db.Model(&models.Need{}).Select("needs.id").Where("needs.activity_id IN (?)", acts.Select("activities.id")))
	if f.Status != nil {
		q = q.Where("follow_ups.status = ?", *f.Status)
	}
	if f.Open {
		q = q.Where("follow_ups.status IN ?", []models.FollowUpStatus{models.FollowUpOpen, models.FollowUpInProgress})
	}
	return list(q, "follow_ups", page, func(r *models.FollowUp) int64 { return r.ID })
}

// FollowUpHistory returns the changes of case id, oldest first, for those
// who may read it.
func (s *Store) FollowUpHistory(ctx context.Context, p *authz.Principal, id int64) ([]*models.FollowUpUpdate, error) {
	var f models.FollowUp
	if err := s.db.WithContext(ctx).First(&f, id).Error; err != nil {
		return nil, notFoundOr(err, "follow-up", id)
	}
	if err := s.ownerScope(ctx, p, authz.ReadActivities, f.UserID); err != nil {
		return nil, err
	}
	var ups []*models.FollowUpUpdate
	err := s.db.WithContext(ctx).Where("follow_up_id = ?", id).Order("id").Find(&ups).Error
	return ups, mapErr(err)
}

// NeedsByID returns needs by id that p may read (a data-loader batch).
func (s *Store) NeedsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.Need, error) {
	acts, err := s.activityQuery(ctx, p, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	var rows []*models.Need
	err = s.db.WithContext(ctx).Where("id IN ? AND activity_id IN (?)", ids, acts.Select("activities.id")).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(n *models.Need) int64 { return n.ID }), nil
}

// FollowUpsByNeed loads the case of each need p may read (a data-loader
// batch), by need id.
func (s *Store) FollowUpsByNeed(ctx context.Context, p *authz.Principal, needIDs []int64) (map[int64]*models.FollowUp, error) {
	scope, err := s.userScope(ctx, p, authz.ReadActivities)
	if err != nil {
		return nil, err
	}
	var rows []*models.FollowUp
	err = s.db.WithContext(ctx).Where("need_id IN ? AND user_id IN (?)", needIDs, s.db.Model(&models.User{}).Select("users.id").Scopes(scope)).
		Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(f *models.FollowUp) int64 { return f.NeedID }), nil
}
