package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/models"
)

// ReviewCheckIn records a reviewer's ruling on a PENDING check-in. The
// ruling is a new row; the check-in is never edited. A confirmation adds
// the check-in to the presence day of every region in countsAt(checkIn,
// its located regions). Refusals: FORBIDDEN outside the reviewer's reach
// (supervisors: the cadre's org-unit subtree; discipline and admins: all) or
// for one's own check-in; NOT_FOUND for an unknown id; CONFLICT when the
// check-in is not PENDING or already ruled on; INVALID without a reason.
func (s *Store) ReviewCheckIn(ctx context.Context, p *auth.Principal, checkInID int64, d models.ReviewDecision, reason string,
	rule DayRule, countsAt func(*models.CheckIn, []models.CheckInRegion) []int64) (*models.Review, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, models.E(models.CodeInvalid, "a review needs a reason of 1–1000 characters")
	}
	if d != models.ReviewConfirm && d != models.ReviewReject {
		return nil, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	var rev models.Review
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var c models.CheckIn
		if err := tx.First(&c, checkInID).Error; err != nil {
			return notFoundOr(err, "check-in", checkInID)
		}
		if err := s.reviewable(tx, p, &c); err != nil {
			return err
		}
		if err := s.lockUser(tx, c.UserID); err != nil {
			return err
		}
		rev = models.Review{CheckInID: c.ID, ReviewerID: p.UserID, Decision: d, Reason: reason}
		if err := tx.Create(&rev).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "check-in %d has already been reviewed", c.ID)
			}
			return err
		}
		if d != models.ReviewConfirm {
			return nil
		}
		regs, err := locatedOf(tx, []*models.CheckIn{&c})
		if err != nil {
			return err
		}
		for _, rid := range countsAt(&c, regs[c.ID]) {
			if _, err := addToDay(tx, c.UserID, rid, c.LocalDate, c.OccurredAt, rule); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rev, nil
}

// reviewable refuses a review p may not make of c.
func (s *Store) reviewable(tx *gorm.DB, p *auth.Principal, c *models.CheckIn) error {
	if p == nil {
		return models.E(models.CodeUnauthenticated, "sign in first")
	}
	if c.UserID == p.UserID {
		return models.E(models.CodeForbidden, "nobody reviews their own check-ins")
	}
	var owner models.User
	if err := tx.Select("org_unit_id").First(&owner, c.UserID).Error; err != nil {
		return err
	}
	if err := s.checkUnit(tx, p, OpReviewCheckIn, owner.OrgUnitID); err != nil {
		return err
	}
	if c.Status != models.CheckInPending {
		return models.E(models.CodeConflict, "check-in %d is %s; only PENDING check-ins are reviewed", c.ID, c.Status)
	}
	return nil
}

// CheckInFilter narrows ListCheckIns.
type CheckInFilter struct {
	UserID   *int64
	From, To *time.Time // occurred_at in [From, To)
	Status   *models.CheckInStatus
}

// ListCheckIns pages through the check-ins the caller may read, in the
// order they were stored (by id). A status filter applies the effective status (reviews
// included): PENDING lists only those still waiting.
func (s *Store) ListCheckIns(ctx context.Context, p *auth.Principal, f CheckInFilter, page Page) ([]*models.CheckIn, PageInfo, error) {
	scope, err := s.userScope(ctx, p, OpReadCheckIns)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.CheckIn{}).
		Where("check_ins.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope))
	if f.UserID != nil {
		q = q.Where("check_ins.user_id = ?", *f.UserID)
	}
	if f.From != nil {
		q = q.Where("check_ins.occurred_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("check_ins.occurred_at < ?", f.To.UTC())
	}
	if f.Status != nil {
		q = statusFilter(q, *f.Status)
	}
	return list(q, "check_ins", page, func(c *models.CheckIn) int64 { return c.ID })
}

func statusFilter(q *gorm.DB, st models.CheckInStatus) *gorm.DB {
	reviewed := "check_ins.id IN (SELECT check_in_id FROM reviews WHERE decision = ?)"
	switch st {
	case models.CheckInConfirmed:
		return q.Where(reviewed, models.ReviewConfirm)
	case models.CheckInRejected:
		return q.Where(reviewed, models.ReviewReject)
	case models.CheckInPending:
		return q.Where("check_ins.status = ? AND check_ins.id NOT IN (SELECT check_in_id FROM reviews)", models.CheckInPending)
	}
	return q.Where("check_ins.status = ?", st)
}

// CheckInsByID loads check-ins for a data loader, only those p may read.
func (s *Store) CheckInsByID(ctx context.Context, p *auth.Principal, ids []int64) (map[int64]*models.CheckIn, error) {
	scope, err := s.userScope(ctx, p, OpReadCheckIns)
	if err != nil {
		return nil, err
	}
	var rows []*models.CheckIn
	err = s.db.WithContext(ctx).Where("id IN ?", ids).
		Where("check_ins.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope)).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.CheckIn) int64 { return r.ID }), nil
}

// ReviewsByCheckIn loads the ruling on each of several check-ins (a data
// loader batch), for check-ins p may read.
func (s *Store) ReviewsByCheckIn(ctx context.Context, p *auth.Principal, checkInIDs []int64) (map[int64]*models.Review, error) {
	scope, err := s.userScope(ctx, p, OpReadCheckIns)
	if err != nil {
		return nil, err
	}
	var rows []*models.Review
	err = s.db.WithContext(ctx).Where("check_in_id IN ?", checkInIDs).
		Where("check_in_id IN (?)", s.db.Model(&models.CheckIn{}).Select("check_ins.id").
			Where("check_ins.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope))).
		Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.Review) int64 { return r.CheckInID }), nil
}

// CountingHistory returns, for recomputation, every check-in of userID that
// counts (ACCEPTED, or PENDING with a confirmation) with its located
// regions. No authorization: for audits and tests run by the server itself.
func (s *Store) CountingHistory(ctx context.Context, userID int64) ([]*models.CheckIn, map[int64][]models.CheckInRegion, error) {
	var rows []*models.CheckIn
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).
		Where("status = ? OR id IN (SELECT check_in_id FROM reviews WHERE decision = ?)", models.CheckInAccepted, models.ReviewConfirm).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, nil, mapErr(err)
	}
	regs, err := locatedOf(s.db.WithContext(ctx), rows)
	return rows, regs, mapErr(err)
}

// locatedOf returns the located regions of check-ins by id: their own
// column, or for check-ins stored before migration 4 (Located nil) their
// rows of check_in_regions.
func locatedOf(db *gorm.DB, cs []*models.CheckIn) (map[int64][]models.CheckInRegion, error) {
	out := make(map[int64][]models.CheckInRegion, len(cs))
	var legacy []int64
	for _, c := range cs {
		if c.Located == nil {
			legacy = append(legacy, c.ID)
			continue
		}
		out[c.ID] = c.Located
	}
	for len(legacy) > 0 {
		n := min(len(legacy), 500)
		var rows []models.CheckInRegion
		if err := db.Where("check_in_id IN ?", legacy[:n]).Order("id").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.CheckInID] = append(out[r.CheckInID], r)
		}
		legacy = legacy[n:]
	}
	return out, nil
}

// AllDays returns every presence day of userID (no authorization; audits
// and tests).
func (s *Store) AllDays(ctx context.Context, userID int64) ([]*models.PresenceDay, error) {
	var rows []*models.PresenceDay
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("date, region_id").Find(&rows).Error
	return rows, mapErr(err)
}
