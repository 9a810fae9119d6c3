package account_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// TestLockoutIsPerAccountAndAddress: `attempts` failures from one address
// lock the account out from that address only, even for the right
// password, until the window passes; the owner signs in from another
// address (once the account's delay has passed), so a stranger cannot lock
// anyone out by guessing their name.
func TestLockoutIsPerAccountAndAddress(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.user(t, "sup1", models.RoleSupervisor, 1)
		ctx := context.Background()
		try := func(pw, addr string) models.Code {
			_, err := w.svc.Login(ctx, "sup1", pw, "desk", addr)
			return codeOf(err)
		}
		for i := range attempts {
			w.clock.Advance(account.DefaultDelayMax) // past any delay: only the lockout is tested here
			if got := try("wrong-password", "203.0.113.5"); got != models.CodeUnauthenticated {
				t.Fatalf("failure %d: got %q, want UNAUTHENTICATED", i, got)
			}
		}
		w.clock.Advance(account.DefaultDelayMax)
		if got := try("sup1-password", "203.0.113.5"); got != models.CodeRateLimited {
			t.Errorf("the stranger's address, right password: got %q, want RATE_LIMITED", got)
		}
		if got := try("sup1-password", "198.51.100.7"); got != "" {
			t.Errorf("the owner's address: got %q, want success", got)
		}
		w.clock.Advance(window)
		if got := try("sup1-password", "203.0.113.5"); got != "" {
			t.Errorf("the first address after the window: got %q, want success", got)
		}
	})
}

// TestProgressiveDelay: after a few failures from anywhere, each attempt on
// the account must wait longer (RATE_LIMITED until then), doubling up to a
// maximum; a success forgets the failures.
func TestProgressiveDelay(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		w.user(t, "sup1", models.RoleSupervisor, 1)
		ctx := context.Background()
		n := 0
		try := func(pw string) models.Code {
			n++ // every attempt from a new address: no pair lockout
			_, err := w.svc.Login(ctx, "sup1", pw, "desk", fmt.Sprintf("10.9.%d.%d", n/250, n%250+1))
			return codeOf(err)
		}
		for i := range account.DefaultFreeFailures {
			if got := try("wrong-password"); got != models.CodeUnauthenticated {
				t.Fatalf("free failure %d: got %q, want UNAUTHENTICATED", i, got)
			}
		}
		delay := account.DefaultDelayBase
		for i := range 8 {
			if got := try("wrong-password"); got != models.CodeRateLimited {
				t.Fatalf("delay %d (%v): attempt at once: got %q, want RATE_LIMITED", i, delay, got)
			}
			w.clock.Advance(delay - time.Millisecond)
			if got := try("wrong-password"); got != models.CodeRateLimited {
				t.Fatalf("delay %d (%v): attempt just before: got %q, want RATE_LIMITED", i, delay, got)
			}
			w.clock.Advance(time.Millisecond)
			if got := try("wrong-password"); got != models.CodeUnauthenticated {
				t.Fatalf("delay %d (%v): attempt after it: got %q, want UNAUTHENTICATED", i, delay, got)
			}
			delay = min(2*delay, account.DefaultDelayMax)
		}
		w.clock.Advance(delay)
		if got := try("sup1-password"); got != "" {
			t.Fatalf("right password after the delay: got %q, want success", got)
		}
		if got := try("wrong-password"); got != models.CodeUnauthenticated {
			t.Errorf("after a success: got %q, want UNAUTHENTICATED (failures forgotten)", got)
		}
	})
}

// TestUnlock: the security administrator ends a lockout (on every server:
// the limits are keyed by the account's login generation, which the
// unlock moves on); nobody else may.
func TestUnlock(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		sup := w.user(t, "sup1", models.RoleSupervisor, 1)
		ctx := context.Background()
		for range attempts {
			w.clock.Advance(account.DefaultDelayMax)
			w.svc.Login(ctx, "sup1", "wrong-password", "desk", "203.0.113.5")
		}
		w.clock.Advance(account.DefaultDelayMax)
		if _, err := w.svc.Login(ctx, "sup1", "sup1-password", "desk", "203.0.113.5"); codeOf(err) != models.CodeRateLimited {
			t.Fatalf("locked out: got %v, want RATE_LIMITED", err)
		}
		if _, err := w.svc.UnlockAccount(ctx, w.admin, sup.ID); codeOf(err) != models.CodeForbidden {
			t.Errorf("unlock by the system administrator: %v, want FORBIDDEN", err)
		}
		if _, err := w.svc.UnlockAccount(ctx, w.auditor, sup.ID); codeOf(err) != models.CodeForbidden {
			t.Errorf("unlock by the audit administrator: %v, want FORBIDDEN", err)
		}
		if _, err := w.svc.UnlockAccount(ctx, w.secadmin, 9999); codeOf(err) != models.CodeNotFound {
			t.Errorf("unlock of an unknown account: %v, want NOT_FOUND", err)
		}
		if _, err := w.svc.UnlockAccount(ctx, w.secadmin, sup.ID); err != nil {
			t.Fatalf("unlock by the security administrator: %v", err)
		}
		if _, err := w.svc.Login(ctx, "sup1", "sup1-password", "desk", "203.0.113.5"); err != nil {
			t.Errorf("after the unlock: %v, want success", err)
		}
	})
}

// TestFailedLoginsAreAudited: every failed login, the lockout it causes
// and the success after are in the security audit log with the address
// they came from; an unknown name is recorded as typed.
func TestFailedLoginsAreAudited(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		sup := w.user(t, "sup1", models.RoleSupervisor, 1)
		ctx := context.Background()
		for range attempts {
			w.clock.Advance(account.DefaultDelayMax)
			w.svc.Login(ctx, "sup1", "wrong-password", "desk", "203.0.113.5")
		}
		w.svc.Login(ctx, "nobody", "wrong-password", "desk", "203.0.113.6")
		w.clock.Advance(account.DefaultDelayMax)
		w.login(t, "sup1", "sup1-password", "desk")
		rows, _, err := w.store.ListAudit(ctx, w.auditor, store.AuditFilter{Action: "login."}, store.Page{First: 100})
		if err != nil {
			t.Fatal(err)
		}
		count := map[models.AuditAction]int{}
		for _, r := range rows {
			if r.Actor != "sup1" && r.Actor != "nobody" {
				continue
			}
			count[r.Action]++
			switch r.Action {
			case models.AuditLoginFailure, models.AuditLoginLockout:
				if r.Actor == "sup1" && (r.ClientAddr != "203.0.113.5" || r.TargetID != fmt.Sprint(sup.ID) || r.ActorID != nil) {
					t.Errorf("%s entry %+v, want from 203.0.113.5 against user %d, no actor id", r.Action, r, sup.ID)
				}
			case models.AuditLoginSuccess:
				if r.ActorID == nil || *r.ActorID != sup.ID || r.Outcome != models.AuditSuccess {
					t.Errorf("success entry %+v, want by user %d", r, sup.ID)
				}
			}
		}
		want := map[models.AuditAction]int{models.AuditLoginFailure: attempts + 1, models.AuditLoginLockout: 1, models.AuditLoginSuccess: 1}
		for a, n := range want {
			if count[a] != n {
				t.Errorf("%s entries: %d, want %d (all: %v)", a, count[a], n, count)
			}
		}
	})
}
