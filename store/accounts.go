package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// AccountState is what a request is checked against: the account's
// current auth version, whether it may sign in, and its current role and
// unit (which win over the access token's).
type AccountState struct {
	ID                 int64
	Username           string
	Role               models.Role
	OrgUnitID          int64
	Disabled           bool
	AuthVersion        int64
	MustChangePassword bool
	PasswordChangedAt  *time.Time
	AuthChangedAt      *time.Time
}

const accountStateColumns = "id, username, role, org_unit_id, disabled, auth_version, must_change_password, password_changed_at, auth_changed_at"

// AccountStates returns the state of the accounts with the given ids, for
// the sign-in service (authz.SignIn: the system principal only); unknown
// ids are absent from the map.
func (s *Store) AccountStates(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]AccountState, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var rows []AccountState
	if err := s.db.WithContext(ctx).Model(&models.User{}).Select(accountStateColumns).Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r AccountState) int64 { return r.ID }), nil
}

// AccountChangesSince returns the state of every account whose auth
// version changed at or after since (by the clock of the server that
// changed it), for the sign-in service's cache (authz.SignIn). It reads an
// index range, so a poll costs a few rows however many accounts exist.
func (s *Store) AccountChangesSince(ctx context.Context, p *authz.Principal, since time.Time) ([]AccountState, error) {
	if _, err := reach(p, authz.SignIn); err != nil {
		return nil, err
	}
	var rows []AccountState
	err := s.db.WithContext(ctx).Model(&models.User{}).Select(accountStateColumns).Where("auth_changed_at >= ?", since.UTC()).Scan(&rows).Error
	return rows, mapErr(err)
}

// bumpAuth ends every access token of the user: its auth version moves on,
// stamped with the time for the other servers' polls. It runs in the
// transaction of the change that ends them.
func (s *Store) bumpAuth(tx *gorm.DB, userID int64) error {
	return tx.Model(&models.User{}).Where("id = ?", userID).
		Updates(map[string]any{"auth_version": gorm.Expr("auth_version + 1"), "auth_changed_at": s.now().UTC()}).Error
}

// revokeSessions revokes every live refresh token of the user, saying why.
func (s *Store) revokeSessions(tx *gorm.DB, userID int64, reason string) (int64, error) {
	res := tx.Model(&models.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Updates(map[string]any{"revoked_at": s.now().UTC(), "revoke_reason": reason})
	return res.RowsAffected, res.Error
}

// Revocation reasons recorded on refresh tokens.
const (
	RevokedLogout     = "logout"
	RevokedEverywhere = "logout-everywhere"
	RevokedPassword   = "password"
	RevokedDisabled   = "disabled"
	RevokedDevice     = "device-replaced"
	RevokedReuse      = "reuse"
)

// LogoutEverywhere ends every session of the caller: all its refresh tokens
// are revoked and its access tokens stop working, in one transaction, and
// the revocation is audited. UNAUTHENTICATED without a principal.
func (s *Store) LogoutEverywhere(ctx context.Context, p *authz.Principal) error {
	if p == nil || p.UserID <= 0 {
		return models.E(models.CodeUnauthenticated, "sign in first")
	}
	return s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		n, err := s.revokeSessions(tx, p.UserID, RevokedEverywhere)
		if err != nil {
			return err
		}
		if err := s.bumpAuth(tx, p.UserID); err != nil {
			return err
		}
		return record(AuditEvent{Action: models.AuditLogoutEverywhere, TargetType: "user", TargetID: strconv.FormatInt(p.UserID, 10),
			Detail: strconv.FormatInt(n, 10) + " refresh tokens revoked", Outcome: models.AuditSuccess})
	})
}

// UnlockAccount ends the login lockout of an account on every server: its
// login generation moves on, and login limits are keyed by it. The
// security administrator only (authz.UnlockAccount: FORBIDDEN otherwise);
// NOT_FOUND for an unknown user.
func (s *Store) UnlockAccount(ctx context.Context, p *authz.Principal, userID int64) (*models.User, error) {
	if _, err := reach(p, authz.UnlockAccount); err != nil {
		return nil, err
	}
	var u models.User
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		res := tx.Model(&models.User{}).Where("id = ?", userID).Update("login_generation", gorm.Expr("login_generation + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return notFound("user", userID)
		}
		if err := tx.First(&u, userID).Error; err != nil {
			return err
		}
		return record(AuditEvent{Action: models.AuditAccountUnlock, TargetType: "user", TargetID: strconv.FormatInt(userID, 10),
			Detail: "login lockout ended for " + u.Username, Outcome: models.AuditSuccess})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// EnsureAdministrator creates an account of an administrator role in the
// root org unit when no account holds that role yet (the system principal
// only). It returns false when one exists; CONFLICT when the username is
// taken by another account. mustChange flags the password as one to
// replace at first sign-in.
func (s *Store) EnsureAdministrator(ctx context.Context, p *authz.Principal, role models.Role, username, displayName, passwordHash string, mustChange bool) (bool, error) {
	if !p.IsSystem() {
		return false, models.E(models.CodeForbidden, "only the server creates administrators")
	}
	created := false
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		var n int64
		if err := tx.Model(&models.User{}).Where("role = ?", role).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		var root models.OrgUnit
		if err := tx.Where("parent_id IS NULL").Order("id").First(&root).Error; err != nil {
			return notFoundOr(err, "root org unit", "")
		}
		now := s.now().UTC()
		u := &models.User{Username: username, DisplayName: displayName, PasswordHash: passwordHash, Role: role,
			OrgUnitID: root.ID, Rank: models.RankStaff, MustChangePassword: mustChange, PasswordChangedAt: &now}
		if err := tx.Create(u).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "username %q is taken", username)
			}
			return err
		}
		created = true
		return record(AuditEvent{Action: models.AuditAdminCreate, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
			Detail: string(role) + " " + username, Outcome: models.AuditSuccess})
	})
	return created, err
}

// CreateAdministrator creates another account of an administrator role in
// the root org unit, or replaces the password of an existing account of
// that role and name (the system principal only: a command, never the
// API). CONFLICT when the username belongs to an account of another role.
// The password must be changed at first sign-in.
func (s *Store) CreateAdministrator(ctx context.Context, p *authz.Principal, role models.Role, username, passwordHash string) (*models.User, error) {
	if !p.IsSystem() {
		return nil, models.E(models.CodeForbidden, "only the server creates administrators")
	}
	var u models.User
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, record func(AuditEvent) error) error {
		now := s.now().UTC()
		err := tx.Where("username = ?", username).First(&u).Error
		switch {
		case err == nil && u.Role != role:
			return models.E(models.CodeConflict, "username %q belongs to a %s account", username, u.Role)
		case err == nil:
			if err := tx.Model(&u).Updates(map[string]any{"password_hash": passwordHash, "must_change_password": true,
				"password_changed_at": now, "disabled": false}).Error; err != nil {
				return err
			}
			if _, err := s.revokeSessions(tx, u.ID, RevokedPassword); err != nil {
				return err
			}
			if err := s.bumpAuth(tx, u.ID); err != nil {
				return err
			}
			return record(AuditEvent{Action: models.AuditPasswordReset, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
				Detail: string(role) + " " + username + ": password replaced by command", Outcome: models.AuditSuccess})
		case !isNotFound(err):
			return err
		}
		var root models.OrgUnit
		if err := tx.Where("parent_id IS NULL").Order("id").First(&root).Error; err != nil {
			return notFoundOr(err, "root org unit", "")
		}
		u = models.User{Username: username, DisplayName: username, PasswordHash: passwordHash, Role: role,
			OrgUnitID: root.ID, Rank: models.RankStaff, MustChangePassword: true, PasswordChangedAt: &now}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return record(AuditEvent{Action: models.AuditAdminCreate, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
			Detail: string(role) + " " + username + " by command", Outcome: models.AuditSuccess})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }
