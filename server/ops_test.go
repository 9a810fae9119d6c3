package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// get fetches path from the server and returns the status and body.
func (s *testServer) get(t *testing.T, path string) (int, string) {
	t.Helper()
	return s.getURL(t, s.URL+path)
}

// getURL fetches url with the test's client and returns the status and body.
func (s *testServer) getURL(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := s.client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadinessMetrics(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	s.login(t, "admin", s.AdminPW, "d")
	if code, body := s.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	if code, body := s.get(t, "/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz: %d %q", code, body)
	}
	code, body := s.getURL(t, s.OpsURL+"/metrics")
	if code != 200 {
		t.Errorf("metrics: %d", code)
	}
	for _, series := range []string{"onsite_graphql_operations_total", "onsite_checkin_batch_seconds", "onsite_checkin_batch_reads_seconds",
		"onsite_checkin_batch_writes_seconds", "go_goroutines"} {
		if !strings.Contains(body, series) {
			t.Errorf("metrics: no %s", series)
		}
	}
	// Operations are counted by their first root field; a client's operation
	// name never becomes a label (each would be a series kept for good).
	token := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken
	for i := range 3 {
		s.post(t, token, fmt.Sprintf("mutation Chosen%d { ping }", i), nil).into(t, &struct{}{})
	}
	_, body = s.getURL(t, s.OpsURL+"/metrics")
	if strings.Contains(body, "Chosen") {
		t.Error("metrics: a client's operation name became a label")
	}
	if !strings.Contains(body, `onsite_graphql_operations_total{operation="ping",outcome="ok"} 3`) {
		t.Errorf("metrics: three pings not counted under operation=\"ping\":\n%s", grepLines(body, "onsite_graphql_operations_total"))
	}
	if strings.Contains(s.logs.String(), "admin-password-1") {
		t.Error("the admin password set by ONSITE_ADMIN_PASSWORD appears in the log")
	}
}

// TestPasswordsAndLogout: changing one's password needs the old one and
// ends the sessions; an admin reset does too, and makes the user change the
// password again; logout ends a session, even one that must change its
// password.
func TestPasswordsAndLogout(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	admin := s.login(t, "admin", s.AdminPW, "d").Login
	s.post(t, admin.AccessToken, `mutation { createUser(input: {username: "li", password: "first-pass-1", role: SUPERVISOR, orgUnitId: "1"}) { id } }`, nil).into(t, &struct{}{})
	li := s.login(t, "li", "first-pass-1", "p").Login
	change := `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`
	if r := s.post(t, li.AccessToken, change, map[string]any{"o": "wrong-pass-1", "n": "second-pass-2"}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("wrong old password: %s", r.Raw)
	}
	for _, weak := range []string{"short", "12345678", "password", "Password1", "li"} {
		if r := s.post(t, li.AccessToken, change, map[string]any{"o": "first-pass-1", "n": weak}); r.Code() != "INVALID" {
			t.Errorf("new password %q: %s, want INVALID", weak, r.Raw)
		}
	}
	s.post(t, li.AccessToken, change, map[string]any{"o": "first-pass-1", "n": "second-pass-2"}).into(t, &struct{}{})
	refresh := `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`
	if r := s.post(t, "", refresh, map[string]any{"t": li.RefreshToken}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("session survived a password change: %s", r.Raw)
	}
	if r := s.post(t, "", loginMutation, map[string]any{"u": "li", "p": "first-pass-1", "d": "p"}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("old password still works: %s", r.Raw)
	}
	li = s.login(t, "li", "second-pass-2", "p").Login
	var me struct{ Me struct{ ID string } }
	s.post(t, li.AccessToken, `{ me { id } }`, nil).into(t, &me)
	reset := `mutation($u: ID!, $p: String!) { resetPassword(userId: $u, newPassword: $p) }`
	if r := s.post(t, li.AccessToken, reset, map[string]any{"u": "1", "p": "hijacked-1"}); r.Code() != "FORBIDDEN" {
		t.Errorf("supervisor resetting the admin: %s", r.Raw)
	}
	s.post(t, admin.AccessToken, reset, map[string]any{"u": me.Me.ID, "p": "third-pass-3"}).into(t, &struct{}{})
	if r := s.post(t, "", refresh, map[string]any{"t": li.RefreshToken}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("session survived an admin reset: %s", r.Raw)
	}
	li = s.login(t, "li", "third-pass-3", "p").Login
	if !li.MustChangePassword {
		t.Error("after an admin reset the sign-in does not ask for a password change")
	}
	if r := s.post(t, li.AccessToken, `{ me { id } }`, nil); r.Code() != "PASSWORD_CHANGE_REQUIRED" {
		t.Errorf("a session that must change its password read me: %s", r.Raw)
	}
	s.post(t, li.AccessToken, `mutation { logout }`, nil).into(t, &struct{}{})
	if r := s.post(t, "", refresh, map[string]any{"t": li.RefreshToken}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("session survived logout: %s", r.Raw)
	}
}

func TestParserTokenLimit(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	q := "{ " + strings.Repeat("me { id } ", 3000) + "}" // 12,000+ tokens
	r := s.post(t, "", q, nil)
	if len(r.Errors) == 0 || !strings.Contains(strings.ToLower(r.Raw), "token") {
		t.Errorf("oversize query: %.300s", r.Raw)
	}
}

// TestImportRegionsCommand runs the import-regions subcommand twice on the
// same SQLite file: the campus is created, then unchanged.
func TestImportRegionsCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "campus.geojson")
	if err := os.WriteFile(file, []byte(syntheticCampus), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ONSITE_DSN": filepath.Join(dir, "onsite.db"), "ONSITE_JWT_KEY_FILE": filepath.Join(dir, "k.pem"),
		"ONSITE_ADMIN_PASSWORD": "admin-password-1", "ONSITE_BCRYPT_COST": "4"}
	getenv := func(k string) string { return env[k] }
	for _, want := range []string{"1 created", "1 unchanged"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"import-regions", "-kind", "campus", file}, getenv, &out); err != nil {
			t.Fatalf("import-regions: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q, want %q", out.String(), want)
		}
	}
	var out bytes.Buffer
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(strings.Replace(syntheticCampus, "[113.520,34.810]]]", "[113.520,34.811]]]", 1)), 0o644)
	if err := run(context.Background(), []string{"import-regions", "-kind", "campus", bad}, getenv, &out); err == nil || !strings.Contains(err.Error(), "SYN-CAMPUS-1") {
		t.Errorf("unclosed ring: %v, want an error naming the feature", err)
	}
}

// grepLines returns the lines of text that contain sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestOperationsListener: metrics and profiles are served on the
// operations listener only, in production and in dev mode; the API's
// listener answers 404 for them.
func TestOperationsListener(t *testing.T) {
	for _, dev := range []string{"false", "true"} {
		s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_DEV="+dev))
		for path, content := range map[string]string{"/metrics": "go_goroutines", "/debug/pprof/": "goroutine", "/debug/pprof/cmdline": "-test."} {
			// In dev mode the API's unknown paths lead to GraphiQL.
			if code, body := s.get(t, path); strings.Contains(body, content) {
				t.Errorf("dev=%s: %s answered on the API listener: %d %.100s", dev, path, code, body)
			}
			if code, body := s.getURL(t, s.OpsURL+path); code != 200 || !strings.Contains(body, content) {
				t.Errorf("dev=%s: %s on the operations listener: %d %.100s", dev, path, code, body)
			}
		}
	}
	off := start(t, storetest.Backends(t)[0], withEnv("ONSITE_METRICS_ADDR=off"))
	if off.OpsURL != "" {
		t.Errorf("ONSITE_METRICS_ADDR=off: an operations listener at %s", off.OpsURL)
	}
}
