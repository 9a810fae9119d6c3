package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/store/storetest"
)

// postFrom sends a GraphQL request as a proxy in front of the server would,
// naming the client address in X-Forwarded-For.
func (s *testServer) postFrom(t *testing.T, client, token, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &gqlResponse{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("response is not JSON: %.300s", raw)
	}
	return out
}

const auditQuery = `query($action: String, $actor: String) {
  securityAudit(action: $action, actor: $actor, first: 100) { edges { node { seq actor actorRole clientAddr action targetId detail outcome } } }
}`

type auditOut struct {
	SecurityAudit struct {
		Edges []struct {
			Node struct {
				Seq                                                             int
				Actor, ActorRole, ClientAddr, Action, TargetID, Detail, Outcome string
			}
		}
	}
}

// TestLoginLockoutThroughAProxy: behind a trusted proxy, failed logins are
// counted per account and client address from X-Forwarded-For: a
// stranger's guesses lock out only the stranger's address, the owner signs
// in from its own (once the account's short delay passed), the security
// administrator lifts the lockout with unlockAccount, and the audit
// administrator reads every failure and the lockout, with the address.
func TestLoginLockoutThroughAProxy(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)), withEnv("ONSITE_LOGIN_ATTEMPTS=3", "ONSITE_TRUSTED_PROXIES=127.0.0.1/32, ::1"))
		w := setupField(t, s)
		login := func(client, pw string) *gqlResponse {
			s.clock.Advance(account.DefaultDelayMax) // past the account's delay: the lockout is what is tested
			return s.postFrom(t, client, "", loginMutation, map[string]any{"u": "sup", "p": pw, "d": "sup-phone"})
		}
		for i := range 3 {
			if r := login("203.0.113.5", "guess-"+string(rune('a'+i))); r.Code() != "UNAUTHENTICATED" {
				t.Fatalf("guess %d: %s", i, r.Raw)
			}
		}
		if r := login("203.0.113.5", "password-1"); r.Code() != "RATE_LIMITED" {
			t.Errorf("the stranger's address with the right password: %s, want RATE_LIMITED", r.Raw)
		}
		if r := login("198.51.100.7", "password-1"); len(r.Errors) > 0 {
			t.Errorf("the owner's address: %s, want a session", r.Raw)
		}

		sec := s.login(t, "secadmin", s.SecPW, "sec-laptop").Login.AccessToken
		var sup struct {
			Users struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, sec, `{ users(role: SUPERVISOR) { edges { node { id } } } }`, nil).into(t, &sup)
		unlock := `mutation($u: ID!) { unlockAccount(userId: $u) { username } }`
		if r := s.post(t, w.admin, unlock, map[string]any{"u": sup.Users.Edges[0].Node.ID}); r.Code() != "FORBIDDEN" {
			t.Errorf("unlock by the system administrator: %s, want FORBIDDEN", r.Raw)
		}
		s.post(t, sec, unlock, map[string]any{"u": sup.Users.Edges[0].Node.ID}).into(t, &struct{}{})
		if r := login("203.0.113.5", "password-1"); len(r.Errors) > 0 {
			t.Errorf("the first address after the unlock: %s, want a session", r.Raw)
		}

		auditor := s.login(t, "auditadmin", s.AuditPW, "audit-laptop").Login.AccessToken
		var out auditOut
		s.post(t, auditor, auditQuery, map[string]any{"action": "login.", "actor": "sup"}).into(t, &out)
		got := map[string]int{}
		for _, e := range out.SecurityAudit.Edges {
			n := e.Node
			got[n.Action+" "+n.ClientAddr]++
		}
		for k, n := range map[string]int{"login.failure 203.0.113.5": 3, "login.lockout 203.0.113.5": 1, "login.success 198.51.100.7": 1, "login.success 203.0.113.5": 1} {
			if got[k] != n {
				t.Errorf("audit %q: %d entries, want %d (all: %v)", k, got[k], n, got)
			}
		}
		s.post(t, auditor, auditQuery, map[string]any{"action": "user.unlock"}).into(t, &out)
		if len(out.SecurityAudit.Edges) != 1 || out.SecurityAudit.Edges[0].Node.Actor != "secadmin" {
			t.Errorf("unlock entries: %+v, want one by secadmin", out.SecurityAudit.Edges)
		}
	})
}

// TestSecurityAuditLog: the audit administrator, and only it, reads the
// security audit log and verifies its chain over GraphQL; role, unit and
// password changes, device approvals and token revocations are in it, who
// did them and from where; every entry is in the structured log too.
func TestSecurityAuditLog(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		_, cadre := w.cadre(t, s, "cadre1")
		s.post(t, w.admin, updateUserMutation, map[string]any{"id": cadre, "in": map[string]any{"rank": "SECTION"}}).into(t, &struct{}{})
		s.post(t, w.admin, updateUserMutation, map[string]any{"id": cadre, "in": map[string]any{"disabled": true}}).into(t, &struct{}{})
		s.post(t, w.sup, `mutation { logoutEverywhere }`, nil).into(t, &struct{}{})

		for who, tok := range map[string]string{"system administrator": w.admin,
			"security administrator": s.login(t, "secadmin", s.SecPW, "x").Login.AccessToken} {
			if r := s.post(t, tok, auditQuery, nil); r.Code() != "FORBIDDEN" {
				t.Errorf("%s reading the audit log: %s, want FORBIDDEN", who, r.Raw)
			}
			if r := s.post(t, tok, `{ verifySecurityAudit { ok } }`, nil); r.Code() != "FORBIDDEN" {
				t.Errorf("%s verifying the audit log: %s, want FORBIDDEN", who, r.Raw)
			}
		}
		auditor := s.login(t, "auditadmin", s.AuditPW, "audit-laptop").Login.AccessToken
		var out auditOut
		s.post(t, auditor, auditQuery, nil).into(t, &out)
		seen := map[string]string{}
		for _, e := range out.SecurityAudit.Edges {
			seen[e.Node.Action] += e.Node.Actor + ": " + e.Node.Detail + "; "
			if e.Node.ClientAddr == "" && !strings.HasPrefix(e.Node.Actor, "system:") {
				t.Errorf("entry %+v has no client address", e.Node)
			}
		}
		for action, want := range map[string]string{
			"user.create":              "admin: cadre1: role CADRE",
			"user.update":              "admin: cadre1: disabled false → true",
			"password.change":          "cadre1: cadre1: 1 refresh tokens revoked",
			"session.logoutEverywhere": "sup: ",
			"login.success":            "auditadmin: ",
			"key.change":               "system:start-up: access tokens are signed",
			"policy.change":            "system:start-up: password ≥8 chars of ≥3 classes",
			"admin.create":             "system:bootstrap: SECURITY_ADMIN secadmin",
		} {
			if !strings.Contains(seen[action], want) {
				t.Errorf("%s entries %q, want one containing %q", action, seen[action], want)
			}
		}
		if !strings.Contains(seen["user.update"], "rank STAFF → SECTION") {
			t.Errorf("user.update entries %q, want the rank change too", seen["user.update"])
		}
		var v struct {
			VerifySecurityAudit struct {
				Ok               bool
				Checked, LastSeq int
			}
		}
		s.post(t, auditor, `{ verifySecurityAudit { ok checked lastSeq } }`, nil).into(t, &v)
		if !v.VerifySecurityAudit.Ok || v.VerifySecurityAudit.Checked != v.VerifySecurityAudit.LastSeq || v.VerifySecurityAudit.Checked < 10 {
			t.Errorf("verification: %+v, want every entry checked and the chain whole", v.VerifySecurityAudit)
		}
		if logs := s.logs.String(); strings.Count(logs, `"msg":"security audit"`) < v.VerifySecurityAudit.Checked ||
			!strings.Contains(logs, `"action":"session.logoutEverywhere"`) {
			t.Error("the structured log lacks the audit entries")
		}
	})
}

// TestSeparatedAdministrators: the three administrators exist from the
// first start, each with one role; the system administrator can neither
// create nor change the other two, nor approve devices; the audit
// administrator changes nothing.
func TestSeparatedAdministrators(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	admin := s.login(t, "admin", s.AdminPW, "d").Login
	sec := s.login(t, "secadmin", s.SecPW, "d").Login
	audit := s.login(t, "auditadmin", s.AuditPW, "d").Login
	for name, l := range map[string]loginResult{"admin": {Login: admin}, "secadmin": {Login: sec}, "auditadmin": {Login: audit}} {
		want := map[string]string{"admin": "ADMIN", "secadmin": "SECURITY_ADMIN", "auditadmin": "AUDIT_ADMIN"}[name]
		if l.Login.User.Role != want {
			t.Errorf("%s has role %s, want %s", name, l.Login.User.Role, want)
		}
	}
	create := `mutation($r: Role!) { createUser(input: {username: "another", password: "Another-pass-1", role: $r, orgUnitId: "1"}) { id } }`
	for _, role := range []string{"SECURITY_ADMIN", "AUDIT_ADMIN"} {
		if r := s.post(t, admin.AccessToken, create, map[string]any{"r": role}); r.Code() != "FORBIDDEN" {
			t.Errorf("the system administrator creating a %s: %s, want FORBIDDEN", role, r.Raw)
		}
	}
	for _, target := range []loginResult{{Login: sec}, {Login: audit}} {
		id := target.Login.User.ID
		if r := s.post(t, admin.AccessToken, updateUserMutation, map[string]any{"id": id, "in": map[string]any{"disabled": true}}); r.Code() != "FORBIDDEN" {
			t.Errorf("the system administrator disabling %s: %s, want FORBIDDEN", target.Login.User.Username, r.Raw)
		}
		if r := s.post(t, admin.AccessToken, `mutation($u: ID!) { resetPassword(userId: $u, newPassword: "Taken-over-1") }`, map[string]any{"u": id}); r.Code() != "FORBIDDEN" {
			t.Errorf("the system administrator resetting %s's password: %s, want FORBIDDEN", target.Login.User.Username, r.Raw)
		}
	}
	if r := s.post(t, admin.AccessToken, updateUserMutation, map[string]any{"id": admin.User.ID, "in": map[string]any{"role": "AUDIT_ADMIN"}}); r.Code() != "FORBIDDEN" {
		t.Errorf("the system administrator making itself the audit administrator: %s, want FORBIDDEN", r.Raw)
	}
	for name, q := range map[string]string{
		"create an org unit": `mutation { createOrgUnit(input: {code: "X1", name: "x", kind: CITY, parentId: "1"}) { id } }`,
		"create a user":      `mutation { createUser(input: {username: "x1", password: "Another-pass-1", role: CADRE, orgUnitId: "1"}) { id } }`,
		"read check-ins":     `{ checkIns { edges { node { id } } } }`,
	} {
		if r := s.post(t, audit.AccessToken, q, nil); r.Code() != "FORBIDDEN" {
			t.Errorf("the audit administrator may %s: %s", name, r.Raw)
		}
	}
}

// TestBootstrapAdministratorsWithRandomPasswords: without configured
// passwords the three administrators get random ones, printed once in the
// log, which must be changed at first sign-in.
func TestBootstrapAdministratorsWithRandomPasswords(t *testing.T) {
	s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_ADMIN_PASSWORD=", "ONSITE_SECURITY_ADMIN_PASSWORD=", "ONSITE_AUDIT_ADMIN_PASSWORD="))
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if !strings.Contains(line, "shown once") {
			continue
		}
		var entry struct{ Username, Password string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Password == "" {
			t.Fatalf("log line %s", line)
		}
		l := s.login(t, entry.Username, entry.Password, "d").Login
		if !l.MustChangePassword {
			t.Errorf("%s with its printed password need not change it", entry.Username)
		}
	}
	if n := strings.Count(s.logs.String(), "shown once"); n != 3 {
		t.Errorf("%d passwords printed, want 3 (admin, secadmin, auditadmin)", n)
	}
}

// TestCreateAdminCommand: create-admin makes another security or audit
// administrator, or replaces the password of an existing one (a lost
// password), with a one-time password that must be changed; it refuses
// other roles and a name held by another role.
func TestCreateAdminCommand(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		old := s.login(t, "secadmin", s.SecPW, "d").Login
		env := map[string]string{"ONSITE_DB": b.Config.Driver, "ONSITE_DSN": b.Config.DSN, "ONSITE_BCRYPT_COST": "4"}
		run := func(args ...string) (string, error) {
			var out syncBuffer
			err := runWith(t.Context(), append([]string{"create-admin"}, args...), func(k string) string { return env[k] }, &out, runOptions{now: time.Now})
			return out.String(), err
		}
		password := func(out string) string {
			_, rest, _ := strings.Cut(out, "): password ")
			pw, _, _ := strings.Cut(rest, "\n")
			return pw
		}
		for _, tc := range []struct {
			args []string
			user string
		}{{[]string{"-role", "AUDIT_ADMIN", "-username", "auditor2"}, "auditor2"}, {[]string{"-role", "security_admin", "-username", "secadmin"}, "secadmin"}} {
			out, err := run(tc.args...)
			if err != nil {
				t.Fatalf("create-admin %v: %v\n%s", tc.args, err, out)
			}
			l := s.login(t, tc.user, password(out), "d").Login
			if !l.MustChangePassword {
				t.Errorf("%s with the printed password need not change it", tc.user)
			}
		}
		if r := s.post(t, old.AccessToken, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("secadmin's session from before its password was replaced: %s", r.Raw)
		}
		for _, args := range [][]string{{"-role", "CADRE", "-username", "x"}, {"-role", "AUDIT_ADMIN"}, {"-role", "AUDIT_ADMIN", "-username", "admin"}} {
			if out, err := run(args...); err == nil {
				t.Errorf("create-admin %v succeeded: %s", args, out)
			}
		}
	})
}
