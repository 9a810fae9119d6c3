package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// OrgUnitInput is what createOrgUnit and updateOrgUnit take. Nil fields are
// left unchanged on update.
type OrgUnitInput struct {
	ParentID *int64
	Code     *string
	Name     *string
	Kind     *models.OrgUnitKind
}

func (in OrgUnitInput) validate(create bool) error {
	if create && (in.Code == nil || in.Name == nil || in.Kind == nil) {
		return models.E(models.CodeInvalid, "code, name and kind are required")
	}
	if in.Code != nil && (strings.TrimSpace(*in.Code) == "" || len(*in.Code) > 64) {
		return models.E(models.CodeInvalid, "code must be 1–64 characters")
	}
	if in.Name != nil && (strings.TrimSpace(*in.Name) == "" || len(*in.Name) > 200) {
		return models.E(models.CodeInvalid, "name must be 1–200 characters")
	}
	if in.Kind != nil && !in.Kind.Valid() {
		return models.E(models.CodeInvalid, "unknown org unit kind %q", *in.Kind)
	}
	return nil
}

// CreateOrgUnit creates a unit under in.ParentID. Supervisors create only
// inside their subtree (FORBIDDEN otherwise); a duplicate code is CONFLICT;
// only an admin may create a root (no parent).
func (s *Store) CreateOrgUnit(ctx context.Context, p *authz.Principal, in OrgUnitInput) (*models.OrgUnit, error) {
	if err := in.validate(true); err != nil {
		return nil, err
	}
	u := &models.OrgUnit{Code: *in.Code, Name: *in.Name, Kind: *in.Kind, ParentID: in.ParentID}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		parentPath := "/"
		if in.ParentID != nil {
			if err := s.checkUnit(tx, p, authz.WriteOrgUnits, *in.ParentID); err != nil {
				return err
			}
			var parent models.OrgUnit
			if err := tx.First(&parent, *in.ParentID).Error; err != nil {
				return notFoundOr(err, "org unit", *in.ParentID)
			}
			parentPath = parent.Path
		} else if r, err := reach(p, authz.WriteOrgUnits); err != nil {
			return err
		} else if r != authz.All {
			return models.E(models.CodeForbidden, "only an admin may create a root org unit")
		}
		u.Path = parentPath + "pending/"
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		u.Path = unitPath(parentPath, u.ID)
		return tx.Model(u).Update("path", u.Path).Error
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateOrgUnit renames a unit or changes its code or kind. Moving a unit to
// another parent is not offered: history is reported by the unit a record was
// made in. FORBIDDEN outside the caller's reach; NOT_FOUND if absent.
func (s *Store) UpdateOrgUnit(ctx context.Context, p *authz.Principal, id int64, in OrgUnitInput) (*models.OrgUnit, error) {
	if err := in.validate(false); err != nil {
		return nil, err
	}
	if in.ParentID != nil {
		return nil, models.E(models.CodeInvalid, "an org unit cannot be moved to another parent")
	}
	var u models.OrgUnit
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.checkUnit(tx, p, authz.WriteOrgUnits, id); err != nil {
			return err
		}
		if err := tx.First(&u, id).Error; err != nil {
			return notFoundOr(err, "org unit", id)
		}
		if in.Code != nil {
			u.Code = *in.Code
		}
		if in.Name != nil {
			u.Name = *in.Name
		}
		if in.Kind != nil {
			u.Kind = *in.Kind
		}
		return tx.Save(&u).Error
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// OrgUnit returns one unit; NOT_FOUND when absent.
func (s *Store) OrgUnit(ctx context.Context, p *authz.Principal, id int64) (*models.OrgUnit, error) {
	if _, err := reach(p, authz.ReadOrgUnits); err != nil {
		return nil, err
	}
	var u models.OrgUnit
	if err := s.db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, notFoundOr(err, "org unit", id)
	}
	return &u, nil
}

// OrgUnitsByID loads units for a data loader, in one query; missing ids are
// simply absent from the map.
func (s *Store) OrgUnitsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.OrgUnit, error) {
	if _, err := reach(p, authz.ReadOrgUnits); err != nil {
		return nil, err
	}
	var rows []*models.OrgUnit
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.OrgUnit) int64 { return r.ID }), nil
}

// ListOrgUnits pages through units, optionally only the children of parentID
// (roots when parentID is 0 and roots is true).
func (s *Store) ListOrgUnits(ctx context.Context, p *authz.Principal, parentID *int64, page Page) ([]*models.OrgUnit, PageInfo, error) {
	if _, err := reach(p, authz.ReadOrgUnits); err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.OrgUnit{})
	if parentID != nil {
		q = q.Where("parent_id = ?", *parentID)
	}
	return list(q, "org_units", page, func(u *models.OrgUnit) int64 { return u.ID })
}

// notFoundOr turns a missing row into a NOT_FOUND naming the object and maps
// any other error.
func notFoundOr(err error, what string, id any) error {
	if models.CodeOf(mapErr(err)) == models.CodeNotFound {
		return notFound(what, id)
	}
	return mapErr(err)
}
