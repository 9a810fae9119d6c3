package account_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

const (
	adminPW  = "admin-password-1"
	attempts = 3 // failed logins allowed per account and per address in a window
	window   = 15 * time.Minute
	// refreshTTL is the refresh tokens' lifetime.
	refreshTTL = 24 * time.Hour
)

// world is the account service on a real store with a fake clock, and the
// admin signed in.
type world struct {
	svc      *account.Service
	store    *store.Store
	clock    *testclock.Clock
	admin    *authz.Principal // the system administrator
	secadmin *authz.Principal // the security administrator
	auditor  *authz.Principal // the audit administrator
}

// eachWorld runs fn on a fresh world per backend (SQLite always, MariaDB
// when ONSITE_TEST_MYSQL_DSN is set).
func eachWorld(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, newWorld(t, b)) })
	}
}

func newWorld(t *testing.T, b storetest.Backend) *world {
	t.Helper()
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	st := storetest.Open(t, b, clock.Now)
	kid, key := auth.GenerateKey()
	keys, err := auth.NewKeySet(kid, key)
	if err != nil {
		t.Fatal(err)
	}
	tokens := &auth.Tokens{Keys: keys, Issuer: "onsite", Audience: "onsite-api", AccessTTL: 15 * time.Minute, Now: clock.Now}
	h := auth.Hasher{Cost: 4}
	svc, err := account.New(st, tokens, h, auth.NewLimiter(attempts, window, clock.Now), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc.RefreshTTL = refreshTTL
	hash, err := h.Hash(adminPW)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Bootstrap(context.Background(), authz.System("test"), "410000", "共青团河南省委", "admin", hash, false); err != nil {
		t.Fatal(err)
	}
	w := &world{svc: svc, store: st, clock: clock}
	w.admin = w.login(t, "admin", adminPW, "admin-laptop").Principal
	for _, a := range []struct {
		role models.Role
		name string
		p    **authz.Principal
	}{{models.RoleSecurityAdmin, "secadmin", &w.secadmin}, {models.RoleAuditAdmin, "auditadmin", &w.auditor}} {
		if _, err := st.EnsureAdministrator(context.Background(), authz.System("test"), a.role, a.name, a.name, hash, false); err != nil {
			t.Fatal(err)
		}
		*a.p = w.login(t, a.name, adminPW, a.name+"-laptop").Principal
	}
	return w
}

// login signs in from 10.0.0.1, failing the test on error.
func (w *world) login(t *testing.T, user, pw, device string) *account.Session {
	t.Helper()
	s, err := w.svc.Login(context.Background(), user, pw, device, "10.0.0.1")
	if err != nil {
		t.Fatalf("login %s on %s: %v", user, device, err)
	}
	return s
}

// initialPW is the password the admin gives a new account, which the
// account must replace at its first sign-in.
const initialPW = "Initial-pass-1"

// user creates an account in org unit unit (the root is 1) as the admin,
// and its holder replaces the initial password with name+"-password", as
// at a first sign-in.
func (w *world) user(t *testing.T, name string, role models.Role, unit int64) *models.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.svc.CreateUser(ctx, w.admin, store.UserInput{Username: &name, Role: &role, OrgUnitID: &unit}, initialPW)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if err := w.svc.ChangePassword(ctx, &authz.Principal{UserID: u.ID, Username: name, Role: role}, initialPW, name+"-password"); err != nil {
		t.Fatalf("%s's first password change: %v", name, err)
	}
	return u
}

// codeOf is err's code, or "" for nil.
func codeOf(err error) models.Code {
	if err == nil {
		return ""
	}
	return models.CodeOf(err)
}

// TestLogin runs one account's logins in order: the cadre's first device
// binds, another device is refused until approved, bad credentials are
// refused alike for known and unknown names, and only cadres are bound.
func TestLogin(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.user(t, "cadre1", models.RoleCadre, 1)
		w.user(t, "sup1", models.RoleSupervisor, 1)
		disabled := w.user(t, "gone1", models.RoleCadre, 1)
		yes := true
		if _, err := w.store.UpdateUser(context.Background(), w.admin, disabled.ID, store.UserInput{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		for i, tc := range []struct {
			user, pw, device string
			want             models.Code
		}{
			{"cadre1", "cadre1-password", "phone-A", ""}, // the first login binds phone-A
			{"cadre1", "cadre1-password", "phone-A", ""},
			{"cadre1", "cadre1-password", "phone-B", models.CodeDeviceNotBound},
			{"cadre1", "wrong-password", "phone-A", models.CodeUnauthenticated},
			{"nobody", "cadre1-password", "phone-A", models.CodeUnauthenticated},
			{"gone1", "gone1-password", "phone-G", models.CodeUnauthenticated},
			{"cadre1", "cadre1-password", "", models.CodeInvalid},
			{"cadre1", "cadre1-password", strings.Repeat("x", 129), models.CodeInvalid},
			{"sup1", "sup1-password", "desk", ""},
			{"sup1", "sup1-password", "laptop", ""}, // supervisors are not bound to a device
		} {
			// A new address each time, so the address budget does not run out.
			addr := fmt.Sprintf("10.1.0.%d", i+1)
			s, err := w.svc.Login(context.Background(), tc.user, tc.pw, tc.device, addr)
			if got := codeOf(err); got != tc.want {
				t.Fatalf("step %d: login %s on %q: got code %q (%v), want %q", i, tc.user, tc.device, got, err, tc.want)
			}
			if err != nil {
				continue
			}
			if s.Principal.Username != tc.user || s.Principal.DeviceID != tc.device || s.User.Username != tc.user {
				t.Errorf("step %d: session for %s/%s on %s, want %s on %s", i, s.Principal.Username, s.User.Username, s.Principal.DeviceID, tc.user, tc.device)
			}
			p, err := w.svc.Tokens.VerifyAccess(s.AccessToken)
			if err != nil || p.Username != tc.user || p.SessionID != s.Principal.SessionID {
				t.Errorf("step %d: access token verifies as %+v (%v), want %s in session %s", i, p, err, tc.user, s.Principal.SessionID)
			}
		}
	})
}

// TestLoginUnknownUserLooksLikeWrongPassword: the two refusals say the same.
func TestLoginUnknownUserLooksLikeWrongPassword(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.user(t, "cadre1", models.RoleCadre, 1)
		_, wrong := w.svc.Login(context.Background(), "cadre1", "wrong-password", "p", "10.0.0.2")
		_, unknown := w.svc.Login(context.Background(), "nobody", "wrong-password", "p", "10.0.0.3")
		if wrong == nil || unknown == nil || wrong.Error() != unknown.Error() {
			t.Errorf("wrong password: %v; unknown user: %v; want the same error", wrong, unknown)
		}
	})
}
