// Package account is the sign-in use case: login with device binding, refresh
// rotation with reuse detection, logout, password changes and account
// creation. It joins auth (credentials, tokens, limits) and store
// (persistence, authorization), so GraphQL, the CLI and tests share it.
package account

import (
	"context"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Service signs users in and manages their credentials.
type Service struct {
	Store      *store.Store
	Tokens     *auth.Tokens
	Hasher     auth.Hasher
	Limiter    *auth.Limiter    // login attempts, keyed per account and per client address
	RefreshTTL time.Duration    // lifetime of a refresh token; 30 days when zero
	Now        func() time.Time // the clock
	// dummyHash is checked against when the user does not exist, so that an
	// unknown username costs the same time as a wrong password.
	dummyHash string
	// system is the principal the service signs users in as: the caller
	// is not signed in yet.
	system *authz.Principal
}

// New returns a service. It fails only if hashing the timing dummy fails.
func New(s *store.Store, tokens *auth.Tokens, h auth.Hasher, lim *auth.Limiter, now func() time.Time) (*Service, error) {
	dummy, err := h.Hash("onsite-timing-equaliser")
	if err != nil {
		return nil, err
	}
	return &Service{Store: s, Tokens: tokens, Hasher: h, Limiter: lim, Now: now, dummyHash: dummy, system: authz.System("sign-in")}, nil
}

// Session is what a successful login or refresh returns.
type Session struct {
	AccessToken  string
	AccessExpiry time.Time
	RefreshToken string
	User         *models.User
	Principal    *authz.Principal // what the access token says
}

// Login checks the password and the device and opens a session. Every
// attempt counts against the per-account and per-address limits (an aliased
// login field in one GraphQL document is one more attempt): over the limit it
// is RATE_LIMITED. A wrong username or password is UNAUTHENTICATED with the
// same message; a cadre on an unapproved device is DEVICE_NOT_BOUND.
func (s *Service) Login(ctx context.Context, username, password, deviceID, clientAddr string) (*Session, error) {
	if deviceID == "" || len(deviceID) > 128 {
		return nil, models.E(models.CodeInvalid, "deviceId must be 1–128 characters")
	}
	keys, err := s.reserve(username, clientAddr)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByUsername(ctx, s.system, username)
	if err != nil && models.CodeOf(err) != models.CodeNotFound {
		s.settle(keys, false)
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if perr := s.Hasher.Check(hash, password); perr != nil || u == nil || u.Disabled {
		s.settle(keys, true)
		return nil, models.E(models.CodeUnauthenticated, "wrong username or password")
	}
	if u.Role == models.RoleCadre {
		if _, err := s.Store.BindDevice(ctx, s.system, u.ID, deviceID); err != nil {
			s.settle(keys, false)
			return nil, err
		}
	}
	s.Limiter.Reset(keys[0])
	s.Limiter.Done(keys[1])
	return s.open(ctx, u, deviceID, uuid.NewString())
}

// reserve takes one attempt from the account's and the address's budgets;
// RATE_LIMITED when either is used up.
func (s *Service) reserve(username, clientAddr string) ([]string, error) {
	addr, _ := netip.ParseAddr(clientAddr)
	keys := []string{auth.UserKey(username), auth.AddrKey(addr)}
	for i, k := range keys {
		if err := s.Limiter.Allow(k); err != nil {
			s.settle(keys[:i], false)
			return nil, err
		}
	}
	return keys, nil
}

// settle closes the reservations, counting them as failures or not.
func (s *Service) settle(keys []string, failed bool) {
	for _, k := range keys {
		if failed {
			s.Limiter.Fail(k)
		} else {
			s.Limiter.Done(k)
		}
	}
}

// open mints a token pair for u in the refresh family.
func (s *Service) open(ctx context.Context, u *models.User, deviceID, family string) (*Session, error) {
	plain, hash := auth.NewRefreshToken()
	rt := &models.RefreshToken{Hash: hash, FamilyID: family, UserID: u.ID, DeviceID: deviceID, ExpiresAt: s.Now().Add(s.refreshTTL()).UTC()}
	if err := s.Store.CreateRefreshToken(ctx, s.system, rt); err != nil {
		return nil, err
	}
	return s.mint(u, deviceID, family, plain)
}

func (s *Service) mint(u *models.User, deviceID, family, refresh string) (*Session, error) {
	p := &authz.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, OrgUnitID: u.OrgUnitID, DeviceID: deviceID, SessionID: family}
	tok, exp, err := s.Tokens.IssueAccess(*p)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: tok, AccessExpiry: exp, RefreshToken: refresh, User: u, Principal: p}, nil
}

func (s *Service) refreshTTL() time.Duration {
	if s.RefreshTTL > 0 {
		return s.RefreshTTL
	}
	return 30 * 24 * time.Hour
}

// Refresh spends a refresh token and returns a new pair in the same session.
// A spent token presented again revokes the whole session
// (UNAUTHENTICATED). A disabled account, or a cadre whose device is no
// longer the bound one, is refused and its session revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	if refreshToken == "" || len(refreshToken) > 256 {
		return nil, models.E(models.CodeUnauthenticated, "invalid refresh token")
	}
	plain, hash := auth.NewRefreshToken()
	next := &models.RefreshToken{Hash: hash, ExpiresAt: s.Now().Add(s.refreshTTL()).UTC()}
	old, err := s.Store.RotateRefreshToken(ctx, s.system, auth.HashRefreshToken(refreshToken), next)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, s.system, old.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Disabled && u.Role == models.RoleCadre {
		bound, err := s.Store.ActiveDevice(ctx, s.system, u.ID)
		if err != nil && models.CodeOf(err) != models.CodeNotFound {
			return nil, err
		}
		if bound != old.DeviceID {
			u.Disabled = true // treat as ended below
		}
	}
	if u.Disabled {
		if err := s.Store.RevokeFamily(ctx, s.system, old.FamilyID); err != nil {
			return nil, err
		}
		return nil, models.E(models.CodeUnauthenticated, "the session has ended; sign in again")
	}
	return s.mint(u, old.DeviceID, old.FamilyID, plain)
}

// Logout ends the session of refreshToken, or the caller's current session
// when it is empty. It is idempotent.
func (s *Service) Logout(ctx context.Context, p *authz.Principal, refreshToken string) error {
	if refreshToken != "" {
		return s.Store.RevokeFamilyOf(ctx, s.system, auth.HashRefreshToken(refreshToken))
	}
	if p == nil {
		return models.E(models.CodeUnauthenticated, "sign in first, or pass the refresh token")
	}
	return s.Store.RevokeFamily(ctx, s.system, p.SessionID)
}

// ChangePassword replaces the caller's password after checking the old one
// (UNAUTHENTICATED when wrong, counted by the limiter) and ends all of the
// caller's sessions. A too-short or too-long new password is INVALID.
func (s *Service) ChangePassword(ctx context.Context, p *authz.Principal, oldPW, newPW string) error {
	key := []string{auth.UserKey(p.Username)}
	if err := s.Limiter.Allow(key[0]); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, s.system, p.UserID)
	if err != nil {
		s.settle(key, false)
		return err
	}
	if err := s.Hasher.Check(u.PasswordHash, oldPW); err != nil {
		s.settle(key, true)
		return models.E(models.CodeUnauthenticated, "the current password is wrong")
	}
	s.settle(key, false)
	hash, err := s.Hasher.Hash(newPW)
	if err != nil {
		return err
	}
	return s.Store.SetPasswordHash(ctx, p, p.UserID, hash)
}

// ResetPassword sets another user's password (admin; FORBIDDEN otherwise)
// and ends all of that user's sessions.
func (s *Service) ResetPassword(ctx context.Context, p *authz.Principal, userID int64, newPW string) error {
	u, err := s.Store.UserByID(ctx, s.system, userID)
	if err != nil {
		return err
	}
	if err := s.Store.CheckUnit(ctx, p, authz.ResetPassword, u.OrgUnitID); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(newPW)
	if err != nil {
		return err
	}
	return s.Store.SetPasswordHash(ctx, p, userID, hash)
}

// CreateUser hashes the initial password and creates the account within the
// caller's reach (see store.CreateUser for refusals).
func (s *Service) CreateUser(ctx context.Context, p *authz.Principal, in store.UserInput, password string) (*models.User, error) {
	if in.OrgUnitID != nil {
		if err := s.Store.CheckUnit(ctx, p, authz.WriteUsers, *in.OrgUnitID); err != nil {
			return nil, err
		}
	}
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	return s.Store.CreateUser(ctx, p, in, hash)
}
