// Package account is the sign-in use case: login with device binding and
// login limits, refresh rotation with reuse detection and session
// timeouts, logout, the per-request check of an access token against the
// account's current state, password changes and the account changes that
// end sessions. It joins auth (credentials, tokens, limits) and store
// (persistence, authorization, the security audit log), so GraphQL, the
// CLI and tests share it.
package account

import (
	"context"
	"net/netip"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Login-limit defaults; the server's configuration may change them.
const (
	DefaultAddrAttempts = 100              // failed logins per client address per window, whatever the accounts
	DefaultFreeFailures = 3                // failures of an account before its delays start
	DefaultDelayBase    = time.Second      // the first delay, doubling with each failure
	DefaultDelayMax     = time.Minute      // the longest delay
	DefaultDelayForget  = 15 * time.Minute // failures are forgotten this long after the last
)

// SessionPolicy bounds refresh-token sessions: an absolute lifetime, and
// an idle timeout (a refresh token not spent within it is refused) that
// differs between the phone app (cadres) and the browser console (every
// other role). Zero idle timeouts mean none.
type SessionPolicy struct {
	Lifetime    time.Duration // from sign-in to the end of the session; 30 days when zero
	IdlePhone   time.Duration // cadres' sessions
	IdleBrowser time.Duration // other roles' sessions
}

// DefaultSessionPolicy: 30 days in all; idle 14 days on the phone (village
// signal is poor and check-ins queue offline), 30 minutes in the browser.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{Lifetime: 30 * 24 * time.Hour, IdlePhone: 14 * 24 * time.Hour, IdleBrowser: 30 * time.Minute}
}

// Service signs users in and manages their credentials.
type Service struct {
	Store   *store.Store
	Tokens  *auth.Tokens
	Hasher  auth.Hasher
	Limiter *auth.Limiter // login attempts per account and client address: a lockout of one pair
	// AddrLimiter limits failed logins per client address, whatever the
	// accounts (one address guessing many names).
	AddrLimiter *auth.Limiter
	Backoff     *auth.Backoff // per account: a delay growing with its failures, from any address
	Passwords   auth.PasswordPolicy
	Sessions    SessionPolicy
	RefreshTTL  time.Duration    // the absolute session lifetime; Sessions.Lifetime when zero
	Now         func() time.Time // the clock
	// dummyHash is checked against when the user does not exist, so that an
	// unknown username costs the same time as a wrong password.
	dummyHash string
	// system is the principal the service signs users in as: the caller
	// is not signed in yet.
	system *authz.Principal
	states *states
}

// New returns a service with the default login limits beside lim (the
// per account+address limit), password and session policies. It fails only
// if hashing the timing dummy fails.
func New(s *store.Store, tokens *auth.Tokens, h auth.Hasher, lim *auth.Limiter, now func() time.Time) (*Service, error) {
	dummy, err := h.Hash("onsite-timing-equaliser")
	if err != nil {
		return nil, err
	}
	sys := authz.System("sign-in")
	return &Service{Store: s, Tokens: tokens, Hasher: h, Limiter: lim,
		AddrLimiter: auth.NewLimiter(DefaultAddrAttempts, DefaultDelayForget, now),
		Backoff:     auth.NewBackoff(DefaultFreeFailures, DefaultDelayBase, DefaultDelayMax, DefaultDelayForget, now),
		Passwords:   auth.DefaultPasswordPolicy(), Sessions: DefaultSessionPolicy(),
		Now: now, dummyHash: dummy, system: sys, states: newStates(s, sys, now)}, nil
}

// SetStateMaxAge sets how stale this server's view of an account may be
// (DefaultStateMaxAge unless set); zero reads the account on every
// request. Call it before the service is used.
func (s *Service) SetStateMaxAge(d time.Duration) { s.states.maxAge = d }

// Session is what a successful login or refresh returns.
type Session struct {
	AccessToken  string
	AccessExpiry time.Time
	RefreshToken string
	User         *models.User
	Principal    *authz.Principal // what the access token says
	// MustChangePassword: until the password is changed, the session serves
	// only changePassword and logout (PASSWORD_CHANGE_REQUIRED otherwise).
	MustChangePassword bool
}

// Login checks the password and the device and opens a session. Every
// attempt counts against the login limits (an aliased login field in one
// GraphQL document is one more attempt): per client address; per account
// and address, whose lockout shuts out only that address; and per account,
// a delay that grows with its failures from anywhere. Over a limit it is
// RATE_LIMITED. A wrong username or password is UNAUTHENTICATED with the
// same message; a cadre on an unapproved device is DEVICE_NOT_BOUND. Each
// outcome is audited.
func (s *Service) Login(ctx context.Context, username, password, deviceID, clientAddr string) (*Session, error) {
	if deviceID == "" || len(deviceID) > 128 {
		return nil, models.E(models.CodeInvalid, "deviceId must be 1–128 characters")
	}
	addr, _ := netip.ParseAddr(clientAddr)
	addrKey := auth.AddrKey(addr)
	if err := s.AddrLimiter.Allow(addrKey); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByUsername(ctx, s.system, username)
	if err != nil && models.CodeOf(err) != models.CodeNotFound {
		s.AddrLimiter.Done(addrKey)
		return nil, err
	}
	gen := int64(0)
	if u != nil {
		gen = u.LoginGeneration
	}
	acct := auth.AccountKey(username, gen)
	pair := auth.PairKey(acct, addr)
	// The pair first: an address locked out of the account is refused
	// without taking the account's next slot from its owner.
	if err := s.Limiter.Allow(pair); err != nil {
		s.AddrLimiter.Done(addrKey)
		return nil, err
	}
	if err := s.Backoff.Allow(acct); err != nil {
		s.Limiter.Done(pair)
		s.AddrLimiter.Done(addrKey)
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if perr := s.Hasher.Check(hash, password); perr != nil || u == nil || u.Disabled {
		return nil, s.failed(ctx, u, username, clientAddr, addrKey, acct, pair)
	}
	if u.Role == models.RoleCadre {
		if _, err := s.Store.BindDevice(ctx, s.system, u.ID, deviceID); err != nil {
			s.Limiter.Done(pair)
			s.AddrLimiter.Done(addrKey)
			if models.CodeOf(err) == models.CodeDeviceNotBound {
				s.audit(ctx, nil, username, clientAddr, store.AuditEvent{Action: models.AuditLoginFailure, TargetType: "user",
					TargetID: strconv.FormatInt(u.ID, 10), Detail: "device " + deviceID + " is not the approved one", Outcome: models.AuditDenied})
			}
			return nil, err
		}
	}
	s.Limiter.Reset(pair)
	s.AddrLimiter.Done(addrKey)
	s.Backoff.Reset(acct)
	sess, err := s.open(ctx, u, deviceID, uuid.NewString(), clientAddr)
	if err != nil {
		return nil, err
	}
	detail := "device " + deviceID
	if sess.MustChangePassword {
		detail += "; must change the password"
	}
	if err := s.Store.Audit(ctx, sess.Principal, "", "", store.AuditEvent{Action: models.AuditLoginSuccess, TargetType: "user",
		TargetID: strconv.FormatInt(u.ID, 10), Detail: detail, Outcome: models.AuditSuccess}); err != nil {
		return nil, err
	}
	return sess, nil
}

// failed counts a failed login against every limit, audits it (and a
// lockout it causes) and returns the one refusal for a wrong name or
// password.
func (s *Service) failed(ctx context.Context, u *models.User, username, clientAddr, addrKey, acct, pair string) error {
	addrLocked := s.AddrLimiter.Fail(addrKey)
	pairLocked := s.Limiter.Fail(pair)
	n := s.Backoff.Fail(acct)
	target, why := "", "wrong username or password"
	if u != nil {
		target = strconv.FormatInt(u.ID, 10)
		if u.Disabled {
			why = "the account is disabled"
		}
	}
	s.audit(ctx, nil, username, clientAddr, store.AuditEvent{Action: models.AuditLoginFailure, TargetType: "user", TargetID: target,
		Detail: why + "; failure " + strconv.Itoa(n) + " of this account", Outcome: models.AuditFailure})
	if pairLocked {
		s.audit(ctx, nil, username, clientAddr, store.AuditEvent{Action: models.AuditLoginLockout, TargetType: "user", TargetID: target,
			Detail: "this account is locked out from this address for the rest of the window", Outcome: models.AuditDenied})
	}
	if addrLocked {
		s.audit(ctx, nil, username, clientAddr, store.AuditEvent{Action: models.AuditLoginLockout, TargetType: "address", TargetID: clientAddr,
			Detail: "this address is locked out for the rest of the window", Outcome: models.AuditDenied})
	}
	return models.E(models.CodeUnauthenticated, "wrong username or password")
}

// audit records an event that must not change the answer (a refusal is
// refused whether or not it could be recorded); a failure to record it is
// logged by the store's caller path as a warning.
func (s *Service) audit(ctx context.Context, p *authz.Principal, actor, addr string, ev store.AuditEvent) {
	if err := s.Store.Audit(ctx, p, actor, addr, ev); err != nil {
		s.Store.Logger().Warn("security audit entry not recorded", "action", string(ev.Action), "actor", actor, "err", err)
	}
}

// open mints a token pair for u in a new refresh family with the session
// policy of u's client: the phone's idle timeout for cadres, the browser's
// for everyone else.
func (s *Service) open(ctx context.Context, u *models.User, deviceID, family, clientAddr string) (*Session, error) {
	now := s.Now().UTC()
	end := now.Add(s.lifetime())
	idle := s.Sessions.IdleBrowser
	if u.Role == models.RoleCadre {
		idle = s.Sessions.IdlePhone
	}
	exp := end
	if idle > 0 && now.Add(idle).Before(end) {
		exp = now.Add(idle)
	}
	plain, hash := auth.NewRefreshToken()
	rt := &models.RefreshToken{Hash: hash, FamilyID: family, UserID: u.ID, DeviceID: deviceID, ExpiresAt: exp,
		SessionExpiresAt: &end, IdleSeconds: int64(idle / time.Second)}
	if err := s.Store.CreateRefreshToken(ctx, s.system, rt); err != nil {
		return nil, err
	}
	return s.mint(u, deviceID, family, plain, clientAddr)
}

// mint issues an access token for u as it is now: its role, unit and auth
// version.
func (s *Service) mint(u *models.User, deviceID, family, refresh, clientAddr string) (*Session, error) {
	must := u.MustChangePassword || s.Passwords.Expired(u.PasswordChangedAt, s.Now())
	p := &authz.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, OrgUnitID: u.OrgUnitID, DeviceID: deviceID,
		SessionID: family, AuthVersion: u.AuthVersion, MustChangePassword: must, ClientAddr: clientAddr}
	tok, exp, err := s.Tokens.IssueAccess(*p)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: tok, AccessExpiry: exp, RefreshToken: refresh, User: u, Principal: p, MustChangePassword: must}, nil
}

func (s *Service) lifetime() time.Duration {
	switch {
	case s.RefreshTTL > 0:
		return s.RefreshTTL
	case s.Sessions.Lifetime > 0:
		return s.Sessions.Lifetime
	}
	return 30 * 24 * time.Hour
}

// Refresh spends a refresh token and returns a new pair in the same
// session, as the account is now (role, unit, auth version). A spent token
// presented again revokes the whole session (UNAUTHENTICATED, audited). A
// session that ended — idle too long, past its lifetime, revoked by a
// logout, a password change or a device replacement — is UNAUTHENTICATED
// without alarm; so is a disabled account, or a cadre whose device is no
// longer the bound one, whose session is revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken, clientAddr string) (*Session, error) {
	if refreshToken == "" || len(refreshToken) > 256 {
		return nil, models.E(models.CodeUnauthenticated, "invalid refresh token")
	}
	sys := *s.system
	sys.ClientAddr = clientAddr
	plain, hash := auth.NewRefreshToken()
	next := &models.RefreshToken{Hash: hash, ExpiresAt: s.Now().Add(s.lifetime()).UTC()}
	old, err := s.Store.RotateRefreshToken(ctx, &sys, auth.HashRefreshToken(refreshToken), next)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, s.system, old.UserID)
	if err != nil {
		return nil, err
	}
	ended := ""
	if u.Disabled {
		ended = store.RevokedDisabled
	} else if u.Role == models.RoleCadre {
		bound, err := s.Store.ActiveDevice(ctx, s.system, u.ID)
		if err != nil && models.CodeOf(err) != models.CodeNotFound {
			return nil, err
		}
		if bound != old.DeviceID {
			ended = store.RevokedDevice
		}
	}
	if ended != "" {
		if err := s.Store.RevokeFamily(ctx, s.system, old.FamilyID, ended); err != nil {
			return nil, err
		}
		return nil, authz.SessionEnded()
	}
	return s.mint(u, old.DeviceID, old.FamilyID, plain, clientAddr)
}

// Logout ends the session of refreshToken, or the caller's current session
// when it is empty, and audits it. It is idempotent.
func (s *Service) Logout(ctx context.Context, p *authz.Principal, refreshToken string) error {
	if refreshToken == "" && p == nil {
		return models.E(models.CodeUnauthenticated, "sign in first, or pass the refresh token")
	}
	var err error
	if refreshToken != "" {
		err = s.Store.RevokeFamilyOf(ctx, s.system, auth.HashRefreshToken(refreshToken))
	} else {
		err = s.Store.RevokeFamily(ctx, s.system, p.SessionID, store.RevokedLogout)
	}
	if err == nil && p != nil {
		s.audit(ctx, p, "", "", store.AuditEvent{Action: models.AuditLogout, TargetType: "session", TargetID: p.SessionID, Outcome: models.AuditSuccess})
	}
	return err
}

// LogoutEverywhere ends every session of the caller: its refresh tokens
// are revoked and every access token it holds, on every server, is refused
// from its next request. UNAUTHENTICATED without a caller.
func (s *Service) LogoutEverywhere(ctx context.Context, p *authz.Principal) error {
	if p == nil {
		return models.E(models.CodeUnauthenticated, "sign in first")
	}
	if err := s.Store.LogoutEverywhere(ctx, p); err != nil {
		return err
	}
	s.states.forget(p.UserID)
	return nil
}

// Authenticate returns the caller of a request from its bearer access
// token, checked against the account's current state (as of at most the
// state cache's maximum age): the token must be valid (auth.VerifyAccess),
// and the account enabled and at the auth version the token was issued at
// — else UNAUTHENTICATED ("the session has ended; sign in again"). The
// principal carries the account's current role and unit rather than the
// token's, whether it must change its password, and the client address.
// UNAVAILABLE when the database fails.
func (s *Service) Authenticate(ctx context.Context, token, clientAddr string) (*authz.Principal, error) {
	p, err := s.Tokens.VerifyAccess(token)
	if err != nil {
		return nil, err
	}
	st, err := s.states.get(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if st.Disabled || st.AuthVersion != p.AuthVersion {
		return nil, authz.SessionEnded()
	}
	p.Username, p.Role, p.OrgUnitID = st.Username, st.Role, st.OrgUnitID
	p.MustChangePassword = st.MustChangePassword || s.Passwords.Expired(st.PasswordChangedAt, s.Now())
	p.ClientAddr = clientAddr
	return p, nil
}
