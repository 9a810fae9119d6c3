package account

import (
	"context"
	"net/netip"
	"strconv"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// ChangePassword replaces the caller's password after checking the old one
// (UNAUTHENTICATED when wrong, counted by the login limits and audited),
// and ends every session of the caller, this one included, on every
// server: the caller signs in again with the new password. It is the one
// operation, with logout, open to a caller that must change its password.
// A new password that breaks the policy, or equals the old one, is
// INVALID.
func (s *Service) ChangePassword(ctx context.Context, p *authz.Principal, oldPW, newPW string) error {
	if p == nil || p.UserID <= 0 {
		return models.E(models.CodeUnauthenticated, "sign in first")
	}
	u, err := s.Store.UserByID(ctx, s.system, p.UserID)
	if err != nil {
		return err
	}
	addr, _ := netip.ParseAddr(p.ClientAddr)
	acct := auth.AccountKey(u.Username, u.LoginGeneration)
	pair := auth.PairKey(acct, addr)
	if err := s.Limiter.Allow(pair); err != nil {
		return err
	}
	if err := s.Backoff.Allow(acct); err != nil {
		s.Limiter.Done(pair)
		return err
	}
	if err := s.Hasher.Check(u.PasswordHash, oldPW); err != nil {
		s.Limiter.Fail(pair)
		s.Backoff.Fail(acct)
		s.audit(ctx, p, "", "", store.AuditEvent{Action: models.AuditPasswordChange, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
			Detail: "the current password was wrong", Outcome: models.AuditFailure})
		return models.E(models.CodeUnauthenticated, "the current password is wrong")
	}
	s.Limiter.Reset(pair)
	s.Backoff.Reset(acct)
	if oldPW == newPW {
		return models.E(models.CodeInvalid, "the new password must differ from the current one")
	}
	if err := s.Passwords.Check(newPW, u.Username); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(newPW)
	if err != nil {
		return err
	}
	if err := s.Store.SetPasswordHash(ctx, p, p.UserID, hash); err != nil {
		return err
	}
	s.states.forget(p.UserID)
	return nil
}

// ResetPassword sets another user's password (the system administrator:
// FORBIDDEN otherwise, and for the security and audit administrators'
// accounts), ends all of that user's sessions and makes the user change it
// at the next sign-in. A password that breaks the policy is INVALID.
func (s *Service) ResetPassword(ctx context.Context, p *authz.Principal, userID int64, newPW string) error {
	u, err := s.Store.UserByID(ctx, s.system, userID)
	if err != nil {
		return err
	}
	if err := s.Store.CheckUnit(ctx, p, authz.ResetPassword, u.OrgUnitID); err != nil {
		return err
	}
	if err := s.Passwords.Check(newPW, u.Username); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(newPW)
	if err != nil {
		return err
	}
	if err := s.Store.SetPasswordHash(ctx, p, userID, hash); err != nil {
		return err
	}
	s.states.forget(userID)
	return nil
}

// CreateUser checks the initial password against the policy, hashes it and
// creates the account within the caller's reach (see store.CreateUser for
// refusals); the account must change the password at first sign-in.
func (s *Service) CreateUser(ctx context.Context, p *authz.Principal, in store.UserInput, password string) (*models.User, error) {
	if in.OrgUnitID != nil {
		if err := s.Store.CheckUnit(ctx, p, authz.WriteUsers, *in.OrgUnitID); err != nil {
			return nil, err
		}
	}
	name := ""
	if in.Username != nil {
		name = *in.Username
	}
	if err := s.Passwords.Check(password, name); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	return s.Store.CreateUser(ctx, p, in, hash)
}
