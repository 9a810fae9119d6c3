package store

import (
	"context"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// CloseQuarter stores closing c of a quarter for org unit c.OrgUnitID with
// the verdicts it freezes in one transaction, for
// callers that may close quarters there (authz.CloseQuarter: FORBIDDEN
// outside their reach). A verdict already frozen by an earlier closing (of
// a unit below) is kept as it was. CONFLICT when the unit or a unit above
// it has closed that quarter already; UNAVAILABLE when the database fails.
func (s *Store) CloseQuarter(ctx context.Context, p *authz.Principal, c *models.QuarterClosing, verdicts []*models.ClosedVerdict) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.checkUnit(tx, p, authz.CloseQuarter, c.OrgUnitID); err != nil {
			return err
		}
		var unit models.OrgUnit
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "path").First(&unit, c.OrgUnitID).Error; err != nil {
			return notFoundOr(err, "org unit", c.OrgUnitID)
		}
		var n int64
		if err := tx.Model(&models.QuarterClosing{}).Where("org_unit_id IN ? AND year = ? AND quarter = ?", pathIDs(unit.Path), c.Year, c.Quarter).
			Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.E(models.CodeConflict, "%dQ%d is closed already for org unit %d or a unit above it", c.Year, c.Quarter, c.OrgUnitID)
		}
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		for _, v := range verdicts {
			v.ClosingID, v.ClosedAt, v.ClosedBy = c.ID, c.ClosedAt, c.ClosedBy
		}
		if len(verdicts) == 0 {
			return nil
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(verdicts, 500).Error
	})
}

// QuarterClosing returns the closing of (year, quarter) that covers unit:
// its own, else the nearest unit's above it; nil while none has closed it.
// One statement.
func (s *Store) QuarterClosing(ctx context.Context, unit *models.OrgUnit, year, quarter int) (*models.QuarterClosing, error) {
	ids := pathIDs(unit.Path)
	var rows []*models.QuarterClosing
	if err := s.db.WithContext(ctx).Where("org_unit_id IN ? AND year = ? AND quarter = ?", ids, year, quarter).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	var best *models.QuarterClosing
	depth := -1
	for _, r := range rows {
		for i, id := range ids {
			if id == r.OrgUnitID && i > depth {
				best, depth = r, i
			}
		}
	}
	return best, nil
}

// ClosedVerdicts returns, by user, the frozen verdicts of (year, quarter)
// of those of users whose reports p may read. One statement after the
// scope's.
func (s *Store) ClosedVerdicts(ctx context.Context, p *authz.Principal, users []int64, year, quarter int) (map[int64][]*models.ClosedVerdict, error) {
	visible, err := s.visibleUsers(ctx, p, authz.ReadCompliance, users)
	if err != nil {
		return nil, err
	}
	var rows []*models.ClosedVerdict
	err = s.db.WithContext(ctx).Where("user_id IN (?) AND year = ? AND quarter = ?", visible, year, quarter).
		Order("user_id, id").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.ClosedVerdict{}
	for _, v := range rows {
		out[v.UserID] = append(out[v.UserID], v)
	}
	return out, nil
}

// pathIDs returns the ids of a materialized path ("/1/4/"), root first;
// malformed parts are skipped.
func pathIDs(path string) []int64 {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
