package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/store/storetest"
)

const updateUserMutation = `mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { id } }`

// storedCheckIns is how many check-ins user id has in the database.
func storedCheckIns(t *testing.T, s *testServer, id string) int64 {
	t.Helper()
	var uid int64
	fmt.Sscan(id, &uid)
	n, err := s.app.store.CountCheckIns(t.Context(), authz.System("test"), uid)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAccountChangesEndSessions: a disabled, demoted or moved supervisor
// loses its powers on its very next request — the disabled one cannot
// create an account, the demoted one cannot confirm a check-in, the moved
// one cannot act in its old unit — and its refresh token is refused too,
// or, for a unit change, renews as the account now is.
func TestAccountChangesEndSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		tok, cadreID := w.cadre(t, s, "cadre1")
		mock := fix("m1", near(lankaoGCJ, 1), 15, "GCJ02", s.clock.Now())
		mock["mockLocation"] = true
		pending := s.checkIn(t, tok, mock).CheckIn.CheckIn.ID
		var other struct{ CreateOrgUnit struct{ ID string } }
		s.post(t, w.admin, `mutation { createOrgUnit(input: {code: "410300", name: "洛阳团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(t, &other)

		for i, tc := range []struct {
			name    string
			change  map[string]any
			act     func(sup string) *gqlResponse
			renewed bool // the refresh token still renews, as the account now is
		}{
			{"disabled supervisor creates an account", map[string]any{"disabled": true}, func(sup string) *gqlResponse {
				return s.post(t, sup, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
					"username": "rogue", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": w.unit}})
			}, false},
			{"demoted supervisor confirms a check-in", map[string]any{"role": "CADRE"}, func(sup string) *gqlResponse {
				return s.post(t, sup, reviewMutation, map[string]any{"id": pending, "d": "CONFIRM", "r": "looks fine"})
			}, false}, // a cadre's session needs a bound device, which the desk is not
			{"moved supervisor reads its old unit", map[string]any{"orgUnitId": other.CreateOrgUnit.ID}, func(sup string) *gqlResponse {
				return s.post(t, sup, `query($u: ID!) { user(id: $u) { username } }`, map[string]any{"u": cadreID})
			}, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				name := fmt.Sprintf("sup%d", i)
				var u struct{ CreateUser struct{ ID string } }
				s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
					"username": name, "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": w.unit}}).into(t, &u)
				sup := s.activate(t, name, "Supervisor-pw-1", "desk").Login
				if r := s.post(t, sup.AccessToken, `{ me { id } }`, nil); len(r.Errors) > 0 {
					t.Fatalf("before the change: %s", r.Raw)
				}
				s.post(t, w.admin, updateUserMutation, map[string]any{"id": u.CreateUser.ID, "in": tc.change}).into(t, &struct{}{})
				if r := tc.act(sup.AccessToken); r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Raw, "the session has ended") {
					t.Errorf("next request: %s, want UNAUTHENTICATED (the session has ended)", r.Raw)
				}
				r := s.post(t, "", `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken user { role } } }`, map[string]any{"t": sup.RefreshToken})
				if renewed := len(r.Errors) == 0; renewed != tc.renewed {
					t.Errorf("refresh after the change: %s, want renewed=%v", r.Raw, tc.renewed)
				}
			})
		}
		var list struct {
			CheckIns struct {
				Edges []struct{ Node struct{ ID, Status string } }
			}
		}
		s.post(t, w.admin, `query($u: ID!) { checkIns(userId: $u) { edges { node { id status } } } }`, map[string]any{"u": cadreID}).into(t, &list)
		for _, e := range list.CheckIns.Edges {
			if e.Node.ID == pending && e.Node.Status != "PENDING" {
				t.Errorf("the check-in the demoted supervisor tried to confirm is %s, want PENDING", e.Node.Status)
			}
		}
	})
}

// TestRevokedCadreCannotCheckIn: a cadre's access token stops checking in
// on the next request after its account is disabled, its password reset by
// an admin, or it logs out everywhere; nothing is stored.
func TestRevokedCadreCannotCheckIn(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		for i, tc := range []struct {
			name   string
			revoke func(name, id string)
		}{
			{"disabled", func(_, id string) {
				s.post(t, w.admin, updateUserMutation, map[string]any{"id": id, "in": map[string]any{"disabled": true}}).into(t, &struct{}{})
			}},
			{"password reset", func(_, id string) {
				s.post(t, w.admin, `mutation($u: ID!) { resetPassword(userId: $u, newPassword: "Reset-pass-3") }`, map[string]any{"u": id}).into(t, &struct{}{})
			}},
			{"logged out everywhere", func(name, _ string) { // from another session of the cadre's
				other := s.login(t, name, "password-1", name+"-phone").Login
				s.post(t, other.AccessToken, `mutation { logoutEverywhere }`, nil).into(t, &struct{}{})
				r := s.post(t, "", `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`, map[string]any{"t": other.RefreshToken})
				if r.Code() != "UNAUTHENTICATED" {
					t.Errorf("refresh after logout everywhere: %s, want UNAUTHENTICATED", r.Raw)
				}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				name := fmt.Sprintf("cadre%d", i)
				tok, id := w.cadre(t, s, name)
				s.checkIn(t, tok, fix(name+"-1", near(lankaoGCJ, 1), 15, "GCJ02", s.clock.Now()))
				tc.revoke(name, id)
				r := s.post(t, tok, checkInMutation, map[string]any{"in": fix(name+"-2", near(lankaoGCJ, 2), 15, "GCJ02", s.clock.Now())})
				if r.Code() != "UNAUTHENTICATED" {
					t.Errorf("check-in after the revocation: %s, want UNAUTHENTICATED", r.Raw)
				}
				if n := storedCheckIns(t, s, id); n != 1 {
					t.Errorf("%d check-ins stored, want only the one before", n)
				}
			})
		}
	})
}

// TestDeviceReplacementEndsTheOldPhone: once the security administrator
// approves a cadre's new phone, the old phone's access token is refused,
// and its refresh is told the session ended — not that its token was
// reused, and no reuse alarm is raised.
func TestDeviceReplacementEndsTheOldPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		w.cadre(t, s, "cadre1")
		old := s.login(t, "cadre1", "password-1", "cadre1-phone").Login
		if r := s.post(t, "", loginMutation, map[string]any{"u": "cadre1", "p": "password-1", "d": "new-phone"}); r.Code() != "DEVICE_NOT_BOUND" {
			t.Fatalf("the new phone: %s, want DEVICE_NOT_BOUND", r.Raw)
		}
		sec := s.login(t, "secadmin", s.SecPW, "sec-laptop").Login.AccessToken
		var pending struct {
			Devices struct {
				Edges []struct{ Node struct{ ID, DeviceID string } }
			}
		}
		s.post(t, sec, `{ devices(status: PENDING) { edges { node { id deviceId } } } }`, nil).into(t, &pending)
		if len(pending.Devices.Edges) != 1 {
			t.Fatalf("pending devices: %+v", pending)
		}
		s.post(t, sec, `mutation($id: ID!) { approveDevice(id: $id) { status } }`, map[string]any{"id": pending.Devices.Edges[0].Node.ID}).into(t, &struct{}{})

		if r := s.post(t, old.AccessToken, checkInMutation, map[string]any{"in": fix("old-phone", lankaoGCJ, 15, "GCJ02", s.clock.Now())}); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("the old phone's check-in: %s, want UNAUTHENTICATED", r.Raw)
		}
		r := s.post(t, "", `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`, map[string]any{"t": old.RefreshToken})
		if r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Raw, "the session has ended") || strings.Contains(r.Raw, "already used") {
			t.Errorf("the old phone's refresh: %s, want UNAUTHENTICATED (the session has ended)", r.Raw)
		}
		if strings.Contains(s.logs.String(), "refresh token reuse") {
			t.Error("the device replacement raised a refresh-token reuse alarm")
		}
		s.login(t, "cadre1", "password-1", "new-phone")
	})
}

// TestRevocationReachesEveryServer: two servers on one database. A cadre
// disabled through one is refused by the other within the state cache's
// maximum age (the servers' clock moves by it; nobody waits), and even
// inside that age its check-in on the other server is refused by the
// check-in transaction, which reads the account under the cadre's lock:
// nothing of a disabled cadre is ever accepted.
func TestRevocationReachesEveryServer(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		clock := testclock.New(at(2026, 11, 2, 9, 0))
		key := withEnv("ONSITE_JWT_KEY_FILE=" + filepath.Join(t.TempDir(), "key.pem")) // one key: a token of one server is good on the other
		a := start(t, b, withTestClock(clock), key)
		other := start(t, b, withTestClock(clock), key)
		w := setupField(t, a)
		tok, id := w.cadre(t, a, "cadre1")
		other.checkIn(t, tok, fix("b-1", near(lankaoGCJ, 1), 15, "GCJ02", clock.Now()))

		a.post(t, w.admin, updateUserMutation, map[string]any{"id": id, "in": map[string]any{"disabled": true}}).into(t, &struct{}{})
		if r := a.post(t, tok, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("the server that disabled it: %s, want UNAUTHENTICATED", r.Raw)
		}
		if r := other.post(t, tok, `{ me { id } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("the other server within the maximum age: %s; this test needs its cached state", r.Raw)
		}
		r := other.post(t, tok, checkInMutation, map[string]any{"in": fix("b-2", near(lankaoGCJ, 2), 15, "GCJ02", clock.Now())})
		if r.Code() != "UNAUTHENTICATED" {
			t.Errorf("check-in on the other server within the maximum age: %s, want UNAUTHENTICATED", r.Raw)
		}
		if n := storedCheckIns(t, a, id); n != 1 {
			t.Errorf("%d check-ins stored, want only the one before", n)
		}
		clock.Advance(time.Second)
		if r := other.post(t, tok, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("the other server a second later: %s, want UNAUTHENTICATED", r.Raw)
		}
	})
}
