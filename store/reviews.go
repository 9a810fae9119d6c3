package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// BeginReview begins the transaction of a ruling on a PENDING check-in:
// it checks that p may rule on it, locks the cadre's row (a ruling that
// counts a check-in changes the cadre's days, as a check-in does) and
// returns the check-in (with its located regions). The caller reads the days
// it changes (Days) and commits the ruling with them. Refusals: FORBIDDEN
// outside the reviewer's reach (supervisors: the cadre's org-unit subtree;
// discipline and admins: all) or for one's own check-in; NOT_FOUND for an
// unknown id; CONFLICT when the check-in is not PENDING or already ruled
// on.
func (s *Store) BeginReview(ctx context.Context, p *authz.Principal, checkInID int64) (*EvidenceTx, *models.CheckIn, error) {
	if _, err := reach(p, authz.ReviewCheckIn); err != nil {
		return nil, nil, err
	}
	var c models.CheckIn
	if err := s.db.WithContext(ctx).First(&c, checkInID).Error; err != nil {
		return nil, nil, notFoundOr(err, "check-in", checkInID)
	}
	if err := s.reviewable(ctx, p, &c); err != nil {
		return nil, nil, err
	}
	t, err := s.beginEvidence(ctx)
	if err != nil {
		return nil, nil, err
	}
	lock := ""
	if s.driver == DriverMySQL {
		lock = " FOR UPDATE"
	}
	ruled := false
	err = t.rt.round([]stmt{
		{sql: "SELECT id FROM users WHERE id = ?" + lock, args: []any{c.UserID}, scan: func(*sql.Rows) error { return nil }},
		{sql: "SELECT 1 FROM reviews WHERE check_in_id = ?", args: []any{c.ID}, scan: func(*sql.Rows) error { ruled = true; return nil }},
	})
	if err == nil && ruled {
		err = models.E(models.CodeConflict, "check-in %d has already been reviewed (overturnCheckIn supersedes a ruling)", c.ID)
	}
	if err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	return t, &c, nil
}

// reviewable refuses a review p may not make of c.
func (s *Store) reviewable(ctx context.Context, p *authz.Principal, c *models.CheckIn) error {
	if c.UserID == p.UserID {
		return models.E(models.CodeForbidden, "nobody reviews their own check-ins")
	}
	db := s.db.WithContext(ctx)
	var owner models.User
	if err := db.Select("org_unit_id").First(&owner, c.UserID).Error; err != nil {
		return mapErr(err)
	}
	if err := s.checkUnit(db, p, authz.ReviewCheckIn, owner.OrgUnitID); err != nil {
		return err
	}
	if c.Status != models.CheckInPending {
		return models.E(models.CodeConflict, "check-in %d is %s; only PENDING check-ins are reviewed (overturnCheckIn supersedes a ruling)", c.ID, c.Status)
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
// order they were stored (by id). A status filter applies the effective
// status (the latest ruling's): PENDING lists only those still waiting,
// ACCEPTED only those no ruling has overturned.
func (s *Store) ListCheckIns(ctx context.Context, p *authz.Principal, f CheckInFilter, page Page) ([]*models.CheckIn, PageInfo, error) {
	scope, err := s.userScope(ctx, p, authz.ReadCheckIns)
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
	ruled := "check_ins.id IN (SELECT rv.check_in_id FROM reviews rv WHERE rv.decision = ? AND " + latestReview + ")"
	switch st {
	case models.CheckInConfirmed:
		return q.Where(ruled, models.ReviewConfirm)
	case models.CheckInRejected:
		return q.Where(ruled, models.ReviewReject)
	}
	return q.Where("check_ins.status = ? AND check_ins.id NOT IN (SELECT check_in_id FROM reviews)", st)
}

// CheckInsByID loads check-ins for a data loader, only those p may read.
func (s *Store) CheckInsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.CheckIn, error) {
	scope, err := s.userScope(ctx, p, authz.ReadCheckIns)
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

// ReviewsByCheckIn loads the latest ruling on each of several check-ins
// (a data loader batch), for check-ins p may read.
func (s *Store) ReviewsByCheckIn(ctx context.Context, p *authz.Principal, checkInIDs []int64) (map[int64]*models.Review, error) {
	scope, err := s.userScope(ctx, p, authz.ReadCheckIns)
	if err != nil {
		return nil, err
	}
	var rows []*models.Review
	err = s.db.WithContext(ctx).Table("reviews rv").Where("rv.check_in_id IN ? AND "+latestReview, checkInIDs).
		Where("rv.check_in_id IN (?)", s.db.Model(&models.CheckIn{}).Select("check_ins.id").
			Where("check_ins.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope))).
		Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.Review) int64 { return r.CheckInID }), nil
}

// CountingHistory returns every check-in of userID that counts — ACCEPTED
// without a ruling, or whose latest ruling confirms it — with its located
// regions and that ruling, for recomputing the cadre's days; for callers
// that may read them (NOT_FOUND otherwise).
func (s *Store) CountingHistory(ctx context.Context, p *authz.Principal, userID int64) ([]Ruled, error) {
	if err := s.ownerScope(ctx, p, authz.ReadCheckIns, userID); err != nil {
		return nil, err
	}
	rows, err := s.db.WithContext(ctx).Raw("SELECT "+columnList("c", checkInColumns)+", "+columnList("rv", reviewColumns)+
		" FROM check_ins c LEFT JOIN reviews rv ON rv.check_in_id = c.id AND "+latestReview+
		" WHERE c.user_id = ? AND (rv.decision = ? OR rv.id IS NULL AND c.status = ?) ORDER BY c.id",
		userID, models.ReviewConfirm, models.CheckInAccepted).Rows()
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []Ruled
	for rows.Next() {
		var c nullCheckIn
		var rv nullReview
		if err := rows.Scan(append(c.dest(), rv.dest()...)...); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, Ruled{CheckIn: c.row(), Latest: rv.row()})
	}
	return out, mapErr(rows.Err())
}

// AllDays returns every presence day of userID, for callers that may read
// them (NOT_FOUND otherwise).
func (s *Store) AllDays(ctx context.Context, p *authz.Principal, userID int64) ([]*models.PresenceDay, error) {
	if err := s.ownerScope(ctx, p, authz.ReadCheckIns, userID); err != nil {
		return nil, err
	}
	var rows []*models.PresenceDay
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("date, region_id").Find(&rows).Error
	return rows, mapErr(err)
}
