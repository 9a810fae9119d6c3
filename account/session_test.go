package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// TestRefreshRotation: a refresh token is spent once for a new pair in the
// same session; presenting a spent one again ends the whole session.
func TestRefreshRotation(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.user(t, "cadre1", models.RoleCadre, 1)
		first := w.login(t, "cadre1", "cadre1-password", "phone-A")
		second, err := w.svc.Refresh(ctx, first.RefreshToken, "10.0.0.1")
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
			t.Errorf("refresh gave refresh token %q after %q, want a new one and an access token", second.RefreshToken, first.RefreshToken)
		}
		if got, want := second.Principal.SessionID, first.Principal.SessionID; got != want {
			t.Errorf("session after refresh = %q, want %q", got, want)
		}
		if got, want := second.Principal.DeviceID, "phone-A"; got != want {
			t.Errorf("device after refresh = %q, want %q", got, want)
		}
		if _, err := w.svc.Refresh(ctx, first.RefreshToken, "10.0.0.1"); codeOf(err) != models.CodeUnauthenticated {
			t.Fatalf("spent token again: got %v, want UNAUTHENTICATED", err)
		}
		if _, err := w.svc.Refresh(ctx, second.RefreshToken, "10.0.0.1"); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("the pair after a reused token: got %v, want UNAUTHENTICATED (the session revoked)", err)
		}
		other := w.login(t, "cadre1", "cadre1-password", "phone-A")
		if _, err := w.svc.Refresh(ctx, other.RefreshToken, "10.0.0.1"); err != nil {
			t.Errorf("a separate session of the same cadre after the reuse: %v, want it untouched", err)
		}
	})
}

// TestRefreshRefused: tokens that are malformed, unknown or expired, and
// sessions of disabled accounts or replaced devices, are UNAUTHENTICATED.
func TestRefreshRefused(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		cadre := w.user(t, "cadre1", models.RoleCadre, 1)
		sup := w.user(t, "sup1", models.RoleSupervisor, 1)
		for _, tc := range []struct {
			name  string
			token func() string
		}{
			{"empty", func() string { return "" }},
			{"too long", func() string { return strings.Repeat("x", 257) }},
			{"unknown", func() string { return "not-a-token" }},
			{"expired", func() string {
				s := w.login(t, "sup1", "sup1-password", "desk")
				w.clock.Advance(refreshTTL)
				return s.RefreshToken
			}},
			{"disabled account", func() string {
				s := w.login(t, "sup1", "sup1-password", "desk")
				yes := true
				if _, err := w.store.UpdateUser(ctx, w.admin, sup.ID, store.UserInput{Disabled: &yes}); err != nil {
					t.Fatal(err)
				}
				return s.RefreshToken
			}},
			{"device replaced", func() string {
				s := w.login(t, "cadre1", "cadre1-password", "phone-A")
				dev, err := w.store.BindDevice(ctx, authz.System("test"), cadre.ID, "phone-B") // pending
				if codeOf(err) != models.CodeDeviceNotBound {
					t.Fatalf("phone-B: %v, want DEVICE_NOT_BOUND", err)
				}
				if _, err := w.svc.ApproveDevice(ctx, w.secadmin, dev.ID); err != nil {
					t.Fatal(err)
				}
				return s.RefreshToken
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := w.svc.Refresh(ctx, tc.token(), "10.0.0.1"); codeOf(err) != models.CodeUnauthenticated {
					t.Errorf("got %v, want UNAUTHENTICATED", err)
				}
			})
		}
	})
}

// TestLogout ends one session, by refresh token or by the caller's access
// token; it is idempotent.
func TestLogout(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.user(t, "sup1", models.RoleSupervisor, 1)
		byToken := w.login(t, "sup1", "sup1-password", "desk")
		byCaller := w.login(t, "sup1", "sup1-password", "laptop")
		kept := w.login(t, "sup1", "sup1-password", "tablet")
		for _, tc := range []struct {
			name string
			err  error
			want models.Code
		}{
			{"by refresh token", w.svc.Logout(ctx, nil, byToken.RefreshToken), ""},
			{"by refresh token again", w.svc.Logout(ctx, nil, byToken.RefreshToken), ""},
			{"unknown refresh token", w.svc.Logout(ctx, nil, "not-a-token"), ""},
			{"by the caller's session", w.svc.Logout(ctx, byCaller.Principal, ""), ""},
			{"neither", w.svc.Logout(ctx, nil, ""), models.CodeUnauthenticated},
		} {
			if got := codeOf(tc.err); got != tc.want {
				t.Errorf("%s: got %q (%v), want %q", tc.name, got, tc.err, tc.want)
			}
		}
		for _, tc := range []struct {
			name    string
			refresh string
			want    models.Code
		}{
			{"logged out by token", byToken.RefreshToken, models.CodeUnauthenticated},
			{"logged out by caller", byCaller.RefreshToken, models.CodeUnauthenticated},
			{"another session", kept.RefreshToken, ""},
		} {
			_, err := w.svc.Refresh(ctx, tc.refresh, "10.0.0.1")
			if got := codeOf(err); got != tc.want {
				t.Errorf("refresh of %s: got %q (%v), want %q", tc.name, got, err, tc.want)
			}
		}
	})
}

// TestChangePassword needs the current password, refuses a short new one,
// and ends every session of the account.
func TestChangePassword(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.user(t, "sup1", models.RoleSupervisor, 1)
		s := w.login(t, "sup1", "sup1-password", "desk")
		other := w.login(t, "sup1", "sup1-password", "laptop")
		for _, tc := range []struct {
			old, new string
			want     models.Code
		}{
			{"wrong-password", "second-pass-2", models.CodeUnauthenticated},
			{"sup1-password", "short", models.CodeInvalid},
			{"sup1-password", "second-pass-2", ""},
		} {
			err := w.svc.ChangePassword(ctx, s.Principal, tc.old, tc.new)
			if got := codeOf(err); got != tc.want {
				t.Errorf("change from %q to %q: got %q (%v), want %q", tc.old, tc.new, got, err, tc.want)
			}
		}
		for _, tok := range []string{s.RefreshToken, other.RefreshToken} {
			if _, err := w.svc.Refresh(ctx, tok, "10.0.0.1"); codeOf(err) != models.CodeUnauthenticated {
				t.Errorf("a session from before the change: got %v, want UNAUTHENTICATED", err)
			}
		}
		if _, err := w.svc.Login(ctx, "sup1", "sup1-password", "desk", "10.3.0.1"); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("old password: got %v, want UNAUTHENTICATED", err)
		}
		w.login(t, "sup1", "second-pass-2", "desk")
	})
}

// TestResetPassword: only an admin sets another user's password; the reset
// ends that user's sessions.
func TestResetPassword(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		cadre := w.user(t, "cadre1", models.RoleCadre, 1)
		w.user(t, "sup1", models.RoleSupervisor, 1)
		sup := w.login(t, "sup1", "sup1-password", "desk")
		before := w.login(t, "cadre1", "cadre1-password", "phone-A")
		for _, tc := range []struct {
			name string
			err  error
			want models.Code
		}{
			{"supervisor resets a cadre", w.svc.ResetPassword(ctx, sup.Principal, cadre.ID, "by-supervisor-1"), models.CodeForbidden},
			{"admin resets a missing user", w.svc.ResetPassword(ctx, w.admin, 9999, "third-pass-3"), models.CodeNotFound},
			{"admin, too short", w.svc.ResetPassword(ctx, w.admin, cadre.ID, "short"), models.CodeInvalid},
			{"admin resets the cadre", w.svc.ResetPassword(ctx, w.admin, cadre.ID, "third-pass-3"), ""},
		} {
			if got := codeOf(tc.err); got != tc.want {
				t.Errorf("%s: got %q (%v), want %q", tc.name, got, tc.err, tc.want)
			}
		}
		if _, err := w.svc.Refresh(ctx, before.RefreshToken, "10.0.0.1"); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("the cadre's session after the reset: got %v, want UNAUTHENTICATED", err)
		}
		w.login(t, "cadre1", "third-pass-3", "phone-A")
	})
}

// TestCreateUser checks the caller's reach before hashing, the password
// rules, and unique names.
func TestCreateUser(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		root, code, name, kind := int64(1), "410200", "开封团市委", models.OrgCity
		unit, err := w.store.CreateOrgUnit(ctx, w.admin, store.OrgUnitInput{ParentID: &root, Code: &code, Name: &name, Kind: &kind})
		if err != nil {
			t.Fatal(err)
		}
		w.user(t, "sup1", models.RoleSupervisor, unit.ID)
		sup := w.login(t, "sup1", "sup1-password", "desk").Principal
		for _, tc := range []struct {
			name     string
			by       string
			user, pw string
			role     models.Role
			unit     int64
			want     models.Code
		}{
			{"supervisor, own unit", "sup", "cadre1", "cadre1-password", models.RoleCadre, unit.ID, ""},
			{"supervisor, the unit above", "sup", "cadre2", "cadre2-password", models.RoleCadre, 1, models.CodeForbidden},
			{"supervisor makes an admin", "sup", "boss", "boss-password-1", models.RoleAdmin, unit.ID, models.CodeForbidden},
			{"admin makes a security administrator", "admin", "sec2", "sec2-password", models.RoleSecurityAdmin, 1, models.CodeForbidden},
			{"admin makes an audit administrator", "admin", "audit2", "audit2-password", models.RoleAuditAdmin, 1, models.CodeForbidden},
			{"short password", "admin", "cadre3", "short", models.RoleCadre, 1, models.CodeInvalid},
			{"digits only", "admin", "cadre3", "12345678", models.RoleCadre, 1, models.CodeInvalid},
			{"a common password", "admin", "cadre3", "Password1", models.RoleCadre, 1, models.CodeInvalid},
			{"the username", "admin", "Cadre3-x", "cadre3-X", models.RoleCadre, 1, models.CodeInvalid},
			{"name taken", "admin", "cadre1", "cadre1-password", models.RoleCadre, 1, models.CodeConflict},
		} {
			p := w.admin
			if tc.by == "sup" {
				p = sup
			}
			name, role, unit := tc.user, tc.role, tc.unit
			u, err := w.svc.CreateUser(ctx, p, store.UserInput{Username: &name, Role: &role, OrgUnitID: &unit}, tc.pw)
			if got := codeOf(err); got != tc.want {
				t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.want)
				continue
			}
			if err == nil && (u.Username != tc.user || u.Role != tc.role || u.OrgUnitID != tc.unit) {
				t.Errorf("%s: created %s %s in unit %d, want %s %s in %d", tc.name, u.Username, u.Role, u.OrgUnitID, tc.user, tc.role, tc.unit)
			}
		}
		w.login(t, "cadre1", "cadre1-password", "phone-1")
	})
}
