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

// PolicyPath returns the org units from the root down to unitID, root
// first, and every policy version of each, ordered by unit and version:
// what compliance.Resolve needs. For callers that may read policies
// (authz.ReadPolicy; FORBIDDEN otherwise); NOT_FOUND for an unknown unit.
// Three statements, whatever the depth.
func (s *Store) PolicyPath(ctx context.Context, p *authz.Principal, unitID int64) ([]*models.OrgUnit, []*models.PolicyVersion, error) {
	if _, err := reach(p, authz.ReadPolicy); err != nil {
		return nil, nil, err
	}
	db := s.db.WithContext(ctx)
	var unit models.OrgUnit
	if err := db.Select("id", "path").First(&unit, unitID).Error; err != nil {
		return nil, nil, notFoundOr(err, "org unit", unitID)
	}
	var ids []int64
	for _, part := range strings.Split(strings.Trim(unit.Path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, nil, models.E(models.CodeInternal, "org unit %d has a malformed path %q", unitID, unit.Path)
		}
		ids = append(ids, id)
	}
	var units []*models.OrgUnit
	if err := db.Where("id IN ?", ids).Find(&units).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	byID := keyBy(units, func(u *models.OrgUnit) int64 { return u.ID })
	path := make([]*models.OrgUnit, 0, len(ids))
	for _, id := range ids {
		if u := byID[id]; u != nil {
			path = append(path, u)
		}
	}
	var versions []*models.PolicyVersion
	err := db.Where("org_unit_id IN ?", ids).Order("org_unit_id, version").Find(&versions).Error
	return path, versions, mapErr(err)
}

// PolicyVersions pages through the versions of unitID's policy, oldest
// first, for callers that may read policies (FORBIDDEN otherwise).
func (s *Store) PolicyVersions(ctx context.Context, p *authz.Principal, unitID int64, page Page) ([]*models.PolicyVersion, PageInfo, error) {
	if _, err := reach(p, authz.ReadPolicy); err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.PolicyVersion{}).Where("policy_versions.org_unit_id = ?", unitID)
	return list(q, "policy_versions", page, func(v *models.PolicyVersion) int64 { return v.ID })
}

// LatestPolicyVersion returns unitID's newest policy version, nil when it
// has none, for callers that may change the unit's policy (authz.WritePolicy:
// FORBIDDEN outside the caller's reach); NOT_FOUND for an unknown unit.
func (s *Store) LatestPolicyVersion(ctx context.Context, p *authz.Principal, unitID int64) (*models.PolicyVersion, error) {
	db := s.db.WithContext(ctx)
	if err := s.checkUnit(db, p, authz.WritePolicy, unitID); err != nil {
		return nil, err
	}
	var n int64
	if err := db.Model(&models.OrgUnit{}).Where("id = ?", unitID).Count(&n).Error; err != nil {
		return nil, mapErr(err)
	}
	if n == 0 {
		return nil, notFound("org unit", unitID)
	}
	var v []*models.PolicyVersion
	if err := db.Where("org_unit_id = ?", unitID).Order("version DESC").Limit(1).Find(&v).Error; err != nil {
		return nil, mapErr(err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v[0], nil
}

// AddPolicyVersion stores v, the next version of its unit's policy, with
// its ledger leaf and the audit entry ev (done by p) in one transaction,
// for callers that may change the unit's policy (FORBIDDEN otherwise). It
// fails with CONFLICT when the unit's newest version is no longer
// v.Version−1 (another change came first: read the policy again), and
// then nothing is stored; UNAVAILABLE when the database fails.
func (s *Store) AddPolicyVersion(ctx context.Context, p *authz.Principal, v *models.PolicyVersion, leaf models.Leaf, ev AuditEvent) error {
	return s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		if err := s.checkUnit(tx, p, authz.WritePolicy, v.OrgUnitID); err != nil {
			return err
		}
		// The unit's row is the lock two changes of one unit queue on.
		var unit models.OrgUnit
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").First(&unit, v.OrgUnitID).Error; err != nil {
			return notFoundOr(err, "org unit", v.OrgUnitID)
		}
		var newest int
		if err := tx.Model(&models.PolicyVersion{}).Where("org_unit_id = ?", v.OrgUnitID).
			Select("COALESCE(MAX(version), 0)").Scan(&newest).Error; err != nil {
			return err
		}
		if newest != v.Version-1 {
			return models.E(models.CodeConflict, "the policy of org unit %d is at version %d now, not %d; read it again", v.OrgUnitID, newest, v.Version-1)
		}
		if err := tx.Create(v).Error; err != nil {
			return err
		}
		st := insertLeaves([]models.Leaf{leaf}, s.db.Config.NowFunc())
		if err := tx.Exec(st.sql, st.args...).Error; err != nil {
			return err
		}
		return record(ev)
	})
}

// UnitsWithoutPolicy returns the root org units (no parent) that have no
// policy version yet: where the server writes the province's baseline.
// Only the server asks (FORBIDDEN otherwise).
func (s *Store) UnitsWithoutPolicy(ctx context.Context, p *authz.Principal) ([]*models.OrgUnit, error) {
	if !p.IsSystem() {
		return nil, models.E(models.CodeForbidden, "only the server writes the baseline policy")
	}
	var units []*models.OrgUnit
	err := s.db.WithContext(ctx).Where("parent_id IS NULL").
		Where("NOT EXISTS (SELECT 1 FROM policy_versions v WHERE v.org_unit_id = org_units.id)").Order("id").Find(&units).Error
	return units, mapErr(err)
}
