package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	_ "github.com/glebarez/go-sqlite"
	_ "github.com/go-sql-driver/mysql"

	"github.com/henan-youth/onsite/store/storetest"
)

func TestComplexityLimit(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	tok := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken
	nested := `{ users(first: 100) { edges { node { orgUnit { users(first: 100) { edges { node { id } } } } } } } }`
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 10 {
		fmt.Fprintf(&aliases, " a%d: users(first: 100) { edges { node { id username } } }", i)
	}
	aliases.WriteString("}")
	for name, q := range map[string]string{"nested lists": nested, "aliases": aliases.String()} {
		r := s.post(t, tok, q, nil)
		if got, want := r.Code(), "COMPLEXITY_LIMIT_EXCEEDED"; got != want {
			t.Errorf("%s: code %q, want %q (%.200s)", name, got, want, r.Raw)
		}
	}
	if r := s.post(t, tok, `{ users(first: 100) { edges { node { id orgUnit { name } } } } }`, nil); len(r.Errors) > 0 {
		t.Errorf("an ordinary page was refused: %s", r.Raw)
	}
}

func TestOversizeBodyRefusedWithoutEcho(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	marker := "ZZMARKERZZ"
	big := `{"query":"{ me { id } }","variables":{"x":"` + marker + strings.Repeat("a", 10<<20) + `"}}`
	r := s.send(t, http.MethodPost, "", strings.NewReader(big), "")
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", r.Status)
	}
	if strings.Contains(r.Raw, marker) || len(r.Raw) > 1000 {
		t.Errorf("the refusal echoes the body (%d bytes)", len(r.Raw))
	}
	// Chunked (no Content-Length) is cut by the reader limit instead.
	r = s.send(t, http.MethodPost, "", struct{ *strings.Reader }{strings.NewReader(big)}, "")
	if len(r.Errors) == 0 || strings.Contains(r.Raw, marker) {
		t.Errorf("chunked oversize body: %.300s", r.Raw)
	}
}

func TestProductionModeHidesSchema(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	tok := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken
	if r := s.post(t, tok, `{ __schema { types { name } } }`, nil); len(r.Errors) == 0 {
		t.Errorf("introspection answered outside dev mode: %.200s", r.Raw)
	}
	r := s.post(t, tok, `{ mee { id } usr(id: "1") { id } }`, nil)
	if len(r.Errors) == 0 || strings.Contains(r.Raw, "Did you mean") {
		t.Errorf("typo query: %s, want an error without suggestions", r.Raw)
	}

	dev := start(t, storetest.Backends(t)[0], withEnv("ONSITE_DEV=true"))
	dtok := dev.login(t, "admin", dev.AdminPW, "d").Login.AccessToken
	if r := dev.post(t, dtok, `{ __schema { queryType { name } } }`, nil); len(r.Errors) > 0 {
		t.Errorf("dev mode introspection refused: %s", r.Raw)
	}
}

func TestMutationOverGETRefused(t *testing.T) {
	s := start(t, storetest.Backends(t)[0])
	q := url.Values{"query": {`mutation { login(username: "admin", password: "x", deviceId: "d") { accessToken } }`}}
	r := s.send(t, http.MethodGet, "", nil, "?"+q.Encode())
	if len(r.Errors) == 0 || !strings.Contains(r.Raw, "only allow query") {
		t.Errorf("mutation over GET: %s", r.Raw)
	}
	q = url.Values{"query": {`{ me { id } }`}}
	if r := s.send(t, http.MethodGet, "", nil, "?"+q.Encode()); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("query over GET: %s, want it executed (UNAUTHENTICATED without a token)", r.Raw)
	}
}

// TestDatabaseErrorIsMasked breaks the schema under a running server: the
// client sees "internal error" with a request id, never SQL.
func TestDatabaseErrorIsMasked(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		tok := s.login(t, "admin", s.AdminPW, "d").Login.AccessToken
		db, err := sql.Open(map[string]string{"sqlite": "sqlite", "mysql": "mysql"}[b.Name], b.Config.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("DROP TABLE org_units"); err != nil {
			t.Fatal(err)
		}
		r := s.post(t, tok, `{ orgUnits { edges { node { id name } } } }`, nil)
		if got, want := r.Code(), "INTERNAL"; got != want {
			t.Fatalf("code %q, want %q: %s", got, want, r.Raw)
		}
		msg := r.Errors[0].Message
		if !strings.HasPrefix(msg, "internal error (request id ") {
			t.Errorf("message %q, want internal error with a request id", msg)
		}
		for _, leak := range []string{"SELECT", "org_units", "no such table", "doesn't exist"} {
			if strings.Contains(r.Raw, leak) {
				t.Errorf("response leaks %q: %s", leak, r.Raw)
			}
		}
		rid := r.Errors[0].Extensions["requestId"].(string)
		if !strings.Contains(s.logs.String(), rid) {
			t.Errorf("request id %s not in the log", rid)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b)
		first := s.login(t, "admin", s.AdminPW, "d").Login
		refresh := `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken user { username } } }`
		var second struct {
			RefreshToken struct{ AccessToken, RefreshToken string }
		}
		s.post(t, "", refresh, map[string]any{"t": first.RefreshToken}).into(t, &second)
		if second.RefreshToken.RefreshToken == first.RefreshToken {
			t.Fatal("refresh did not rotate the token")
		}
		if r := s.post(t, "", refresh, map[string]any{"t": first.RefreshToken}); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("reuse of a spent token: %s", r.Raw)
		}
		if r := s.post(t, "", refresh, map[string]any{"t": second.RefreshToken.RefreshToken}); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("the family survived a reuse: %s", r.Raw)
		}
		// The access token still works until it expires (stateless), and as
		// a refresh token it is refused.
		if r := s.post(t, "", refresh, map[string]any{"t": second.RefreshToken.AccessToken}); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("access token as refresh token: %s", r.Raw)
		}
		if r := s.post(t, first.RefreshToken, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("refresh token as access token: %s", r.Raw)
		}
	})
}

// TestLoginLimitCountsAliases sends one document with many aliased login
// fields: each is an attempt, so the later ones are RATE_LIMITED.
func TestLoginLimitCountsAliases(t *testing.T) {
	s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_LOGIN_ATTEMPTS=3"))
	var q strings.Builder
	q.WriteString("mutation {")
	for i := range 6 {
		fmt.Fprintf(&q, ` l%d: login(username: "admin", password: "wrong-%d", deviceId: "d") { accessToken }`, i, i)
	}
	q.WriteString("}")
	r := s.post(t, "", q.String(), nil)
	codes := map[string]int{}
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		codes[c]++
	}
	if codes["UNAUTHENTICATED"] != 3 || codes["RATE_LIMITED"] != 3 {
		t.Errorf("codes = %v, want 3 UNAUTHENTICATED then 3 RATE_LIMITED", codes)
	}
	if r := s.post(t, "", loginMutation, map[string]any{"u": "admin", "p": s.AdminPW, "d": "d"}); r.Code() != "RATE_LIMITED" {
		t.Errorf("the right password right after: %s, want RATE_LIMITED", r.Raw)
	}
}
