package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// grantable refuses a role the caller may not hand out: supervisors grant
// cadre and supervisor; the system administrator also admin and
// discipline; the security and audit administrators are made only by the
// server itself (at first start or by command), so that the administrator
// who manages accounts cannot create or take over the other two.
func grantable(p *authz.Principal, r *models.Role) error {
	switch {
	case r == nil || p.IsSystem():
		return nil
	case r.Separated():
		return models.E(models.CodeForbidden, "the %s account is created by the server (create-admin), not through the API", *r)
	case *r == models.RoleCadre || *r == models.RoleSupervisor || p.Role == models.RoleAdmin:
		return nil
	}
	return models.E(models.CodeForbidden, "only an admin may grant the role %s", *r)
}

// changeable refuses a change by p of an account holding role r: the
// separated administrators are changed only by the server, admins and
// discipline inspectors only by an admin.
func changeable(p *authz.Principal, r models.Role) error {
	switch {
	case p.IsSystem():
		return nil
	case r.Separated():
		return models.E(models.CodeForbidden, "the %s account is managed by the server's commands, not through the API", r)
	case p.Role != models.RoleAdmin && (r == models.RoleAdmin || r == models.RoleDiscipline):
		return models.E(models.CodeForbidden, "only an admin may change this account")
	}
	return nil
}

// CreateUser creates an account in org unit in.OrgUnitID with the given
// password hash, which someone other than its holder chose: the account
// must change it at first sign-in. FORBIDDEN outside the caller's reach or
// for a role it may not grant; CONFLICT if the username is taken.
func (s *Store) CreateUser(ctx context.Context, p *authz.Principal, in UserInput, passwordHash string) (*models.User, error) {
	if err := in.validate(true); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &models.User{Username: *in.Username, Role: *in.Role, OrgUnitID: *in.OrgUnitID, PasswordHash: passwordHash, Rank: models.RankStaff,
		MustChangePassword: true, PasswordChangedAt: &now}
	in.apply(u)
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
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
		return record(AuditEvent{Action: models.AuditUserCreate, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
			Detail: fmt.Sprintf("%s: role %s, unit %d", u.Username, u.Role, u.OrgUnitID), Outcome: models.AuditSuccess})
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
// current and new org unit; FORBIDDEN otherwise, NOT_FOUND if absent. A
// change of role, unit or disabled flag ends the account's access tokens in
// the same transaction (its next request is refused), disabling also
// revokes its refresh tokens, and the change is audited.
func (s *Store) UpdateUser(ctx context.Context, p *authz.Principal, id int64, in UserInput) (*models.User, error) {
	if err := in.validate(false); err != nil {
		return nil, err
	}
	var u models.User
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		// Locked: the Save below writes every column it read, so a change
		// committed in between (a concurrent disable) must not be undone.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&u, id).Error; err != nil {
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
		if err := changeable(p, u.Role); err != nil {
			return err
		}
		before := u
		in.apply(&u)
		u.FactsVersion++ // the unit and the flags are facts of the cadre's verdicts
		// The columns of sign-in state are written only by the statements
		// that change them, never by a Save of the whole row.
		if err := tx.Omit("password_hash", "auth_version", "auth_changed_at", "must_change_password", "password_changed_at",
			"login_generation", "created_at").Save(&u).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "username %q is taken", u.Username)
			}
			return err
		}
		changes := userChanges(&before, &u)
		if before.Role != u.Role || before.OrgUnitID != u.OrgUnitID || before.Disabled != u.Disabled {
			if u.Disabled && !before.Disabled {
				if _, err := s.revokeSessions(tx, u.ID, RevokedDisabled); err != nil {
					return err
				}
			}
			if err := s.bumpAuth(tx, u.ID); err != nil {
				return err
			}
		}
		if changes == "" {
			return nil
		}
		return record(AuditEvent{Action: models.AuditUserUpdate, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
			Detail: u.Username + ": " + changes, Outcome: models.AuditSuccess})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// userChanges describes what changed between two versions of an account,
// for the audit log; "" when nothing did.
func userChanges(a, b *models.User) string {
	var out []string
	add := func(field string, from, to any) {
		if from != to {
			out = append(out, fmt.Sprintf("%s %v → %v", field, from, to))
		}
	}
	add("role", a.Role, b.Role)
	add("unit", a.OrgUnitID, b.OrgUnitID)
	add("disabled", a.Disabled, b.Disabled)
	add("rank", a.Rank, b.Rank)
	add("displayName", a.DisplayName, b.DisplayName)
	add("grassrootsDept", a.GrassrootsDept, b.GrassrootsDept)
	add("schoolWorkGroup", a.SchoolWorkGroup, b.SchoolWorkGroup)
	if (a.TenureStart == nil) != (b.TenureStart == nil) || (a.TenureStart != nil && !a.TenureStart.Equal(*b.TenureStart)) {
		out = append(out, "tenureStart")
	}
	return strings.Join(out, ", ")
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

// SetPasswordHash replaces a password hash, ends every session of the
// user (its refresh tokens are revoked and its access tokens stop
// working) and audits the change, in one transaction. The caller has
// already checked the old password (own change: p is the user) or holds
// authz.ResetPassword over the user (checked here when p is not the user);
// a password set by someone else must be changed at the next sign-in.
// FORBIDDEN for the security and audit administrators' accounts, which only
// the server's commands change.
func (s *Store) SetPasswordHash(ctx context.Context, p *authz.Principal, userID int64, hash string) error {
	own := p.UserID == userID && !p.IsSystem()
	return s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		var u models.User
		if err := tx.First(&u, userID).Error; err != nil {
			return notFoundOr(err, "user", userID)
		}
		action := models.AuditPasswordChange
		if !own {
			if err := s.checkUnit(tx, p, authz.ResetPassword, u.OrgUnitID); err != nil {
				return err
			}
			if err := changeable(p, u.Role); err != nil {
				return err
			}
			action = models.AuditPasswordReset
		}
		err := tx.Model(&models.User{}).Where("id = ?", userID).Updates(map[string]any{"password_hash": hash,
			"must_change_password": !own, "password_changed_at": s.now().UTC()}).Error
		if err != nil {
			return err
		}
		n, err := s.revokeSessions(tx, userID, RevokedPassword)
		if err != nil {
			return err
		}
		if err := s.bumpAuth(tx, userID); err != nil {
			return err
		}
		return record(AuditEvent{Action: action, TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
			Detail: fmt.Sprintf("%s: %d refresh tokens revoked", u.Username, n), Outcome: models.AuditSuccess})
	})
}

// Bootstrap creates the root org unit and the first admin (the system
// administrator) when the database has no users (the system principal
// only); mustChange flags its password as one to replace at first sign-in.
// It returns false when users already exist.
func (s *Store) Bootstrap(ctx context.Context, p *authz.Principal, rootCode, rootName, adminName, passwordHash string, mustChange bool) (bool, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return false, err
	}
	created := false
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
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
		now := s.now().UTC()
		admin := &models.User{Username: adminName, DisplayName: "Administrator", PasswordHash: passwordHash,
			Role: models.RoleAdmin, OrgUnitID: root.ID, Rank: models.RankStaff, MustChangePassword: mustChange, PasswordChangedAt: &now}
		if err := tx.Create(admin).Error; err != nil {
			return err
		}
		return record(AuditEvent{Action: models.AuditAdminCreate, TargetType: "user", TargetID: strconv.FormatInt(admin.ID, 10),
			Detail: string(models.RoleAdmin) + " " + adminName, Outcome: models.AuditSuccess})
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
