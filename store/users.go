package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// UserInput is what createUser and updateUser take. Nil fields are left
// unchanged on update. The password is hashed by the caller.
type UserInput struct {
	Username        *string
	DisplayName     *string
	Role            *models.Role
	OrgUnitID       *int64
	Rank            *models.Rank
	GrassrootsDept  *bool
	SchoolWorkGroup *bool
	TenureStart     *time.Time
	Disabled        *bool
}

func (in UserInput) validate(create bool) error {
	if create && (in.Username == nil || in.Role == nil || in.OrgUnitID == nil) {
		return models.E(models.CodeInvalid, "username, role and orgUnitId are required")
	}
	if in.Username != nil {
		n := strings.TrimSpace(*in.Username)
		if n == "" || len(n) > 64 || n != *in.Username {
			return models.E(models.CodeInvalid, "username must be 1–64 characters without surrounding spaces")
		}
	}
	if in.DisplayName != nil && len(*in.DisplayName) > 200 {
		return models.E(models.CodeInvalid, "displayName must be at most 200 characters")
	}
	if in.Role != nil && !in.Role.Valid() {
		return models.E(models.CodeInvalid, "unknown role %q", *in.Role)
	}
	if in.Rank != nil && !in.Rank.Valid() {
		return models.E(models.CodeInvalid, "unknown rank %q", *in.Rank)
	}
	return nil
}

// grantable refuses a role the caller may not hand out: only admins create
// admins and discipline inspectors.
func grantable(p *authz.Principal, r *models.Role) error {
	if r == nil || p.Role == models.RoleAdmin {
		return nil
	}
	if *r == models.RoleCadre || *r == models.RoleSupervisor {
		return nil
	}
	return models.E(models.CodeForbidden, "only an admin may grant the role %s", *r)
}

// CreateUser creates an account in org unit in.OrgUnitID with the given
// password hash. FORBIDDEN outside the caller's reach or for a role it may not
// grant; CONFLICT if the username is taken.
func (s *Store) CreateUser(ctx context.Context, p *authz.Principal, in UserInput, passwordHash string) (*models.User, error) {
	if err := in.validate(true); err != nil {
		return nil, err
	}
	u := &models.User{Username: *in.Username, Role: *in.Role, OrgUnitID: *in.OrgUnitID, PasswordHash: passwordHash, Rank: models.RankStaff}
	in.apply(u)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.checkUnit(tx, p, authz.WriteUsers, u.OrgUnitID); err != nil {
			return err
		}
		if err := grantable(p, in.Role); err != nil {
			return err
		}
		if err := tx.Create(u).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "username %q is taken", u.Username)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (in UserInput) apply(u *models.User) {
	if in.Username != nil {
		u.Username = *in.Username
	}
	if in.DisplayName != nil {
		u.DisplayName = *in.DisplayName
	}
	if in.Role != nil {
		u.Role = *in.Role
	}
	if in.OrgUnitID != nil {
		u.OrgUnitID = *in.OrgUnitID
	}
	if in.Rank != nil {
		u.Rank = *in.Rank
	}
	if in.GrassrootsDept != nil {
		u.GrassrootsDept = *in.GrassrootsDept
	}
	if in.SchoolWorkGroup != nil {
		u.SchoolWorkGroup = *in.SchoolWorkGroup
	}
	if in.TenureStart != nil {
		t := in.TenureStart.UTC()
		u.TenureStart = &t
	}
	if in.Disabled != nil {
		u.Disabled = *in.Disabled
	}
}

// UpdateUser changes an account. The caller must reach both the user's
// current and new org unit; FORBIDDEN otherwise, NOT_FOUND if absent.
func (s *Store) UpdateUser(ctx context.Context, p *authz.Principal, id int64, in UserInput) (*models.User, error) {
	if err := in.validate(false); err != nil {
		return nil, err
	}
	var u models.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&u, id).Error; err != nil {
			return notFoundOr(err, "user", id)
		}
		if err := s.checkUnit(tx, p, authz.WriteUsers, u.OrgUnitID); err != nil {
			return err
		}
		if in.OrgUnitID != nil {
			if err := s.checkUnit(tx, p, authz.WriteUsers, *in.OrgUnitID); err != nil {
				return err
			}
		}
		if err := grantable(p, in.Role); err != nil {
			return err
		}
		if p.Role != models.RoleAdmin && (u.Role == models.RoleAdmin || u.Role == models.RoleDiscipline) {
			return models.E(models.CodeForbidden, "only an admin may change this account")
		}
		in.apply(&u)
		if err := tx.Save(&u).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "username %q is taken", u.Username)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// User returns one account the caller may read. An account outside its reach
// is NOT_FOUND, exactly as one that does not exist.
func (s *Store) User(ctx context.Context, p *authz.Principal, id int64) (*models.User, error) {
	scope, err := s.userScope(ctx, p, authz.ReadUsers)
	if err != nil {
		return nil, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Scopes(scope).First(&u, id).Error; err != nil {
		return nil, notFoundOr(err, "user", id)
	}
	return &u, nil
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	OrgUnitID *int64 // only this unit (not its subtree)
	Subtree   bool   // with OrgUnitID: the unit and its whole subtree
	Role      *models.Role
}

// ListUsers pages through the accounts the caller may read that match f.
func (s *Store) ListUsers(ctx context.Context, p *authz.Principal, f UserFilter, page Page) ([]*models.User, PageInfo, error) {
	scope, err := s.userScope(ctx, p, authz.ReadUsers)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.User{}).Scopes(scope)
	if f.OrgUnitID != nil && f.Subtree {
		q = q.Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").
			Where("path LIKE (?)", s.db.Model(&models.OrgUnit{}).Select(s.concatPath()).Where("id = ?", *f.OrgUnitID)))
	} else if f.OrgUnitID != nil {
		q = q.Where("users.org_unit_id = ?", *f.OrgUnitID)
	}
	if f.Role != nil {
		q = q.Where("users.role = ?", *f.Role)
	}
	return list(q, "users", page, func(u *models.User) int64 { return u.ID })
}

// concatPath is the SQL expression path || '%' in the store's dialect.
func (s *Store) concatPath() string {
	if s.driver == DriverMySQL {
		return "CONCAT(path, '%')"
	}
	return "path || '%'"
}

// UserByUsername returns an account for login: the server's own work
// (authz.SignIn, the system principal only), since the caller is not signed
// in yet. NOT_FOUND when absent.
func (s *Store) UserByUsername(ctx context.Context, p *authz.Principal, username string) (*models.User, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Where("username = ?", username).First(&u).Error; err != nil {
		return nil, notFoundOr(err, "user", username)
	}
	return &u, nil
}

// UserByID returns an account with its password hash, for the sign-in
// service (authz.SignIn: the system principal only). NOT_FOUND when absent.
func (s *Store) UserByID(ctx context.Context, p *authz.Principal, id int64) (*models.User, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, notFoundOr(err, "user", id)
	}
	return &u, nil
}

// SetPasswordHash replaces a password hash and revokes every refresh-token
// family of the user, in one transaction. The caller has already checked the
// old password (own change) or holds authz.ResetPassword (checked here when p is
// not the user).
func (s *Store) SetPasswordHash(ctx context.Context, p *authz.Principal, userID int64, hash string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if p.UserID != userID {
			var u models.User
			if err := tx.First(&u, userID).Error; err != nil {
				return notFoundOr(err, "user", userID)
			}
			if err := s.checkUnit(tx, p, authz.ResetPassword, u.OrgUnitID); err != nil {
				return err
			}
		}
		res := tx.Model(&models.User{}).Where("id = ?", userID).Update("password_hash", hash)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return notFound("user", userID)
		}
		now := s.now().UTC()
		return tx.Model(&models.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error
	})
}

// Bootstrap creates the root org unit and the first admin when the database
// has no users (the system principal only). It returns false when users
// already exist.
func (s *Store) Bootstrap(ctx context.Context, p *authz.Principal, rootCode, rootName, adminName, passwordHash string) (bool, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return false, err
	}
	created := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.User{}).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		root := &models.OrgUnit{Code: rootCode, Name: rootName, Kind: models.OrgProvince, Path: "/pending/"}
		if err := tx.Where("code = ?", rootCode).FirstOrCreate(root).Error; err != nil {
			return err
		}
		if err := tx.Model(root).Update("path", unitPath("/", root.ID)).Error; err != nil {
			return err
		}
		created = true
		return tx.Create(&models.User{Username: adminName, DisplayName: "Administrator", PasswordHash: passwordHash,
			Role: models.RoleAdmin, OrgUnitID: root.ID, Rank: models.RankStaff}).Error
	})
	return created, err
}

// UsersByID loads accounts for a data loader in one query, only those the
// caller may read; others are absent from the map.
func (s *Store) UsersByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.User, error) {
	scope, err := s.userScope(ctx, p, authz.ReadUsers)
	if err != nil {
		return nil, err
	}
	var rows []*models.User
	if err := s.db.WithContext(ctx).Scopes(scope).Where("users.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.User) int64 { return r.ID }), nil
}

// CheckUnit refuses (FORBIDDEN) unless p may apply op to records of the org
// unit; services call it before expensive work such as password hashing.
func (s *Store) CheckUnit(ctx context.Context, p *authz.Principal, op authz.Op, unitID int64) error {
	return s.checkUnit(s.db.WithContext(ctx), p, op, unitID)
}
