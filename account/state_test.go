package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// TestAuthenticateFollowsTheAccount: a request's principal carries the
// account's current role and unit, and an access token stops working at
// the account's next request once a change ends its sessions — made
// through this server at once, made on another server (here: straight in
// the store, which this server's cache does not hear of) within the
// state cache's maximum age.
func TestAuthenticateFollowsTheAccount(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		sup := w.user(t, "sup1", models.RoleSupervisor, 1)
		tok := w.login(t, "sup1", "sup1-password", "desk").AccessToken
		p, err := w.svc.Authenticate(ctx, tok, "10.0.0.9")
		if err != nil || p.Role != models.RoleSupervisor || p.ClientAddr != "10.0.0.9" || p.UserID != sup.ID {
			t.Fatalf("before any change: %+v, %v", p, err)
		}

		// Another server renames the account (no session ends) and then
		// disables it; this one sees both within the maximum age.
		name := "Renamed"
		if _, err := w.store.UpdateUser(ctx, w.admin, sup.ID, store.UserInput{DisplayName: &name}); err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := w.store.UpdateUser(ctx, w.admin, sup.ID, store.UserInput{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Authenticate(ctx, tok, ""); err != nil {
			t.Fatalf("within the maximum age of the last poll: %v, want the cached state", err)
		}
		w.clock.Advance(account.DefaultStateMaxAge)
		if _, err := w.svc.Authenticate(ctx, tok, ""); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("a maximum age after another server disabled the account: %v, want UNAUTHENTICATED", err)
		}

		// Through this server the change counts at once.
		cadre := w.user(t, "cadre1", models.RoleCadre, 1)
		ctok := w.login(t, "cadre1", "cadre1-password", "phone").AccessToken
		if _, err := w.svc.Authenticate(ctx, ctok, ""); err != nil {
			t.Fatal(err)
		}
		sv := models.RoleSupervisor
		if _, err := w.svc.UpdateUser(ctx, w.admin, cadre.ID, store.UserInput{Role: &sv}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Authenticate(ctx, ctok, ""); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("after a role change through this server: %v, want UNAUTHENTICATED at once", err)
		}
		s := w.login(t, "cadre1", "cadre1-password", "phone")
		if p, err := w.svc.Authenticate(ctx, s.AccessToken, ""); err != nil || p.Role != models.RoleSupervisor {
			t.Errorf("a new sign-in after the change: %+v, %v; want a SUPERVISOR", p, err)
		}
	})
}

// TestStateCheckEveryRequest: with a maximum age of zero every request
// reads the account, so another server's change counts at once.
func TestStateCheckEveryRequest(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.svc.SetStateMaxAge(0)
		sup := w.user(t, "sup1", models.RoleSupervisor, 1)
		tok := w.login(t, "sup1", "sup1-password", "desk").AccessToken
		if _, err := w.svc.Authenticate(ctx, tok, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.store.LogoutEverywhere(ctx, &authz.Principal{UserID: sup.ID, Username: sup.Username, Role: sup.Role}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Authenticate(ctx, tok, ""); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("after logout everywhere elsewhere: %v, want UNAUTHENTICATED", err)
		}
	})
}

// TestPasswordExpiry: with a maximum password age, a password older than it
// must be changed: the sign-in says so and the session serves nothing else.
func TestPasswordExpiry(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.svc.Passwords.MaxAge = 90 * 24 * time.Hour
		w.user(t, "sup1", models.RoleSupervisor, 1)
		if s := w.login(t, "sup1", "sup1-password", "desk"); s.MustChangePassword {
			t.Fatal("a fresh password must be changed")
		}
		w.clock.Advance(91 * 24 * time.Hour)
		s := w.login(t, "sup1", "sup1-password", "desk")
		if !s.MustChangePassword {
			t.Fatal("a 91-day-old password need not be changed")
		}
		p, err := w.svc.Authenticate(ctx, s.AccessToken, "")
		if err != nil || !p.MustChangePassword {
			t.Fatalf("the request's principal: %+v, %v; want one that must change its password", p, err)
		}
		if _, _, err := w.store.ListUsers(ctx, p, store.UserFilter{}, store.Page{}); codeOf(err) != models.CodePasswordChangeRequired {
			t.Errorf("a read by it: %v, want PASSWORD_CHANGE_REQUIRED", err)
		}
		if err := w.svc.ChangePassword(ctx, p, "sup1-password", "sup1-password"); codeOf(err) != models.CodeInvalid {
			t.Errorf("the same password again: %v, want INVALID", err)
		}
		if err := w.svc.ChangePassword(ctx, p, "sup1-password", "sup1-Password-2"); err != nil {
			t.Fatal(err)
		}
		if s := w.login(t, "sup1", "sup1-Password-2", "desk"); s.MustChangePassword {
			t.Error("the new password must be changed")
		}
	})
}

// TestSessionTimeouts: a refresh token not spent within the idle timeout
// is refused (the phone's and the browser's differ), and no session
// outlives its absolute lifetime however often it is refreshed.
func TestSessionTimeouts(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.svc.Sessions = account.SessionPolicy{IdlePhone: 7 * 24 * time.Hour, IdleBrowser: 30 * time.Minute}
		w.svc.RefreshTTL = 20 * 24 * time.Hour
		w.user(t, "sup1", models.RoleSupervisor, 1)
		w.user(t, "cadre1", models.RoleCadre, 1)
		browser := w.login(t, "sup1", "sup1-password", "desk")
		phone := w.login(t, "cadre1", "cadre1-password", "phone")
		w.clock.Advance(29 * time.Minute)
		browser, err := w.svc.Refresh(ctx, browser.RefreshToken, "")
		if err != nil {
			t.Fatalf("browser refresh within the idle timeout: %v", err)
		}
		w.clock.Advance(31 * time.Minute)
		if _, err := w.svc.Refresh(ctx, browser.RefreshToken, ""); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("browser refresh after 31 idle minutes: %v, want UNAUTHENTICATED", err)
		}
		for day := 1; day <= 18; day += 6 { // days 6, 12, 18: each within a week of the last
			w.clock.Advance(6 * 24 * time.Hour)
			if phone, err = w.svc.Refresh(ctx, phone.RefreshToken, ""); err != nil {
				t.Fatalf("phone refresh on day %d: %v", day+5, err)
			}
		}
		w.clock.Advance(3 * 24 * time.Hour) // day 21: within a week of day 18, past 20 days
		if _, err := w.svc.Refresh(ctx, phone.RefreshToken, ""); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("phone refresh past the absolute lifetime: %v, want UNAUTHENTICATED", err)
		}
		idle := w.login(t, "cadre1", "cadre1-password", "phone")
		w.clock.Advance(8 * 24 * time.Hour)
		if _, err := w.svc.Refresh(ctx, idle.RefreshToken, ""); codeOf(err) != models.CodeUnauthenticated {
			t.Errorf("phone refresh after 8 idle days: %v, want UNAUTHENTICATED", err)
		}
	})
}
