package store

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// The batch reads of the verdicts of many cadres: each is a fixed number of
// statements whatever the number of users, so a unit's report reads a page
// of cadres with as many statements as one cadre's verdicts.

// ReportUnit returns org unit unitID for a report on its subtree, when p
// may read reports there (authz.ReadCompliance): FORBIDDEN for a unit
// outside p's reach or a role without it, NOT_FOUND for an unknown unit.
func (s *Store) ReportUnit(ctx context.Context, p *authz.Principal, op authz.Op, unitID int64) (*models.OrgUnit, error) {
	db := s.db.WithContext(ctx)
	if _, err := reach(p, op); err != nil {
		return nil, err
	}
	var unit models.OrgUnit
	if err := db.First(&unit, unitID).Error; err != nil {
		return nil, notFoundOr(err, "org unit", unitID)
	}
	if err := s.checkUnit(db, p, op, unitID); err != nil {
		return nil, err
	}
	return &unit, nil
}

// ReportCadres returns the users of unit's subtree that p may read for
// reports with an assignment of any purpose (a county dispatch or a campus
// link) in force on some day of [first, last], in id order. One statement
// after the scope's.
func (s *Store) ReportCadres(ctx context.Context, p *authz.Principal, unit *models.OrgUnit, first, last string) ([]*models.User, error) {
	scope, err := s.userScope(ctx, p, authz.ReadCompliance)
	if err != nil {
		return nil, err
	}
	assigned := overlapping(s.db.Model(&models.Assignment{}).Select("1").Where("assignments.user_id = users.id"), first, last)
	var rows []*models.User
	err = s.db.WithContext(ctx).Model(&models.User{}).Scopes(scope).
		Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path))).
		Where("EXISTS (?)", assigned).Order("users.id").Find(&rows).Error
	return rows, mapErr(err)
}

// DaysOf returns the presence days with dates in [first, last] of those of
// users whose check-ins p may read, by user, each in date and region order.
// One statement after the scope's.
func (s *Store) DaysOf(ctx context.Context, p *authz.Principal, users []int64, first, last string) (map[int64][]*models.PresenceDay, error) {
	visible, err := s.visibleUsers(ctx, p, authz.ReadCheckIns, users)
	if err != nil {
		return nil, err
	}
	var rows []*models.PresenceDay
	err = s.db.WithContext(ctx).Where("user_id IN (?) AND date >= ? AND date <= ?", visible, first, last).
		Order("user_id, date, region_id").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[int64][]*models.PresenceDay, len(users))
	for _, d := range rows {
		out[d.UserID] = append(out[d.UserID], d)
	}
	return out, nil
}

// AssignmentsOf returns, by user, every assignment in force on some day of
// [first, last] of those of users whose work p may read, each ordered by
// start (AssignmentsIn for many). INVALID for malformed dates. One
// statement after the scope's.
func (s *Store) AssignmentsOf(ctx context.Context, p *authz.Principal, users []int64, first, last string) (map[int64][]*models.Assignment, error) {
	if err := validPeriod("first", first, "last", last); err != nil {
		return nil, err
	}
	visible, err := s.visibleUsers(ctx, p, authz.ReadWork, users)
	if err != nil {
		return nil, err
	}
	var rows []*models.Assignment
	err = overlapping(s.db.WithContext(ctx), first, last).Where("assignments.user_id IN (?)", visible).
		Order("assignments.user_id, assignments.valid_from, assignments.id").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[int64][]*models.Assignment, len(users))
	for _, a := range rows {
		out[a.UserID] = append(out[a.UserID], a)
	}
	return out, nil
}

// PolicyPaths is PolicyPath for several units: for each of unitIDs, the
// units from the root down to it and the policy versions of those units.
// NOT_FOUND when one is unknown; FORBIDDEN without authz.ReadPolicy. Three
// statements whatever the number of units.
func (s *Store) PolicyPaths(ctx context.Context, p *authz.Principal, unitIDs []int64) (map[int64][]*models.OrgUnit, map[int64][]*models.PolicyVersion, error) {
	if _, err := reach(p, authz.ReadPolicy); err != nil {
		return nil, nil, err
	}
	db := s.db.WithContext(ctx)
	var units []*models.OrgUnit
	if err := db.Select("id", "path").Where("id IN ?", unitIDs).Find(&units).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	pathIDs := map[int64][]int64{}
	var all []int64
	seen := map[int64]bool{}
	for _, u := range units {
		for _, part := range strings.Split(strings.Trim(u.Path, "/"), "/") {
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				return nil, nil, models.E(models.CodeInternal, "org unit %d has a malformed path %q", u.ID, u.Path)
			}
			pathIDs[u.ID] = append(pathIDs[u.ID], id)
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
			}
		}
	}
	for _, id := range unitIDs {
		if pathIDs[id] == nil {
			return nil, nil, notFound("org unit", id)
		}
	}
	var pathUnits []*models.OrgUnit
	if err := db.Where("id IN ?", all).Find(&pathUnits).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	var versions []*models.PolicyVersion
	if err := db.Where("org_unit_id IN ?", all).Order("org_unit_id, version").Find(&versions).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	byID := keyBy(pathUnits, func(u *models.OrgUnit) int64 { return u.ID })
	byUnit := map[int64][]*models.PolicyVersion{}
	for _, v := range versions {
		byUnit[v.OrgUnitID] = append(byUnit[v.OrgUnitID], v)
	}
	paths, vers := map[int64][]*models.OrgUnit{}, map[int64][]*models.PolicyVersion{}
	for unit, ids := range pathIDs {
		for _, id := range ids {
			if u := byID[id]; u != nil {
				paths[unit] = append(paths[unit], u)
				vers[unit] = append(vers[unit], byUnit[id]...)
			}
		}
		slices.SortFunc(vers[unit], func(a, b *models.PolicyVersion) int {
			return cmp.Or(cmp.Compare(a.OrgUnitID, b.OrgUnitID), cmp.Compare(a.Version, b.Version))
		})
	}
	return paths, vers, nil
}

// visibleUsers is a subquery of those of users that p may reach for op.
func (s *Store) visibleUsers(ctx context.Context, p *authz.Principal, op authz.Op, users []int64) (any, error) {
	scope, err := s.userScope(ctx, p, op)
	if err != nil {
		return nil, err
	}
	return s.db.Model(&models.User{}).Select("users.id").Scopes(scope).Where("users.id IN ?", users), nil
}
