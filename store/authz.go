package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// reach looks p up in the authorization matrix (authz.Check).
func reach(p *authz.Principal, op authz.Op) (authz.Reach, error) { return authz.Check(p, op) }

// subtreePrefix returns the materialized path of p's org unit, the prefix of
// every unit in its subtree.
func (s *Store) subtreePrefix(db *gorm.DB, p *authz.Principal) (string, error) {
	var u models.OrgUnit
	if err := db.Select("path").First(&u, p.OrgUnitID).Error; err != nil {
		return "", mapErr(err)
	}
	return u.Path, nil
}

// userScope returns a GORM scope restricting a query on users (or a table
// joined to users as "users") to the rows p may reach for op. The scope joins
// org_units for subtree reach.
func (s *Store) userScope(ctx context.Context, p *authz.Principal, op authz.Op) (func(*gorm.DB) *gorm.DB, error) {
	r, err := reach(p, op)
	if err != nil {
		return nil, err
	}
	switch r {
	case authz.All:
		return func(db *gorm.DB) *gorm.DB { return db }, nil
	case authz.Self:
		return func(db *gorm.DB) *gorm.DB { return db.Where("users.id = ?", p.UserID) }, nil
	case authz.Subtree:
		prefix, err := s.subtreePrefix(s.db.WithContext(ctx), p)
		if err != nil {
			return nil, err
		}
		return func(db *gorm.DB) *gorm.DB {
			return db.Where("users.org_unit_id IN (?)",
				s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(prefix)))
		}, nil
	}
	return nil, models.E(models.CodeForbidden, "not allowed")
}

// checkUnit refuses unless p may apply op to records of org unit unitID.
func (s *Store) checkUnit(db *gorm.DB, p *authz.Principal, op authz.Op, unitID int64) error {
	r, err := reach(p, op)
	if err != nil {
		return err
	}
	switch r {
	case authz.All:
		return nil
	case authz.Subtree:
		prefix, err := s.subtreePrefix(db, p)
		if err != nil {
			return err
		}
		var n int64
		if err := db.Model(&models.OrgUnit{}).Where("id = ? AND path LIKE ?", unitID, likePrefix(prefix)).Count(&n).Error; err != nil {
			return mapErr(err)
		}
		if n == 1 {
			return nil
		}
	}
	return models.E(models.CodeForbidden, "org unit %d is outside your reach", unitID)
}

// likePrefix escapes a path for a LIKE prefix match. Paths hold only digits
// and slashes, so no escaping is needed beyond appending the wildcard.
func likePrefix(path string) string { return path + "%" }

func unitPath(parent string, id int64) string {
	if parent == "" {
		parent = "/"
	}
	return fmt.Sprintf("%s%d/", parent, id)
}
