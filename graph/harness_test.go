package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// testAPI is the GraphQL endpoint on a real SQLite store holding the
// bootstrap admin, called in-process.
type testAPI struct {
	h     http.Handler
	deps  Deps
	logs  *logBuffer
	admin string // the admin's access token
}

// newAPI builds the endpoint; change adjusts its Deps (Dev, limits) first.
func newAPI(t testing.TB, change func(*Deps)) *testAPI {
	t.Helper()
	ctx := context.Background()
	// SQLite only: these tests are of the GraphQL layer, not of storage.
	sqlite := storetest.Backend{Name: store.DriverSQLite, Config: store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "onsite.db")}}
	st := storetest.Open(t, sqlite, time.Now)
	kid, key := auth.GenerateKey()
	keys, err := auth.NewKeySet(kid, key)
	if err != nil {
		t.Fatal(err)
	}
	tokens := &auth.Tokens{Keys: keys, Issuer: "onsite", Audience: "onsite-api", Now: time.Now}
	h := auth.Hasher{Cost: 4}
	acc, err := account.New(st, tokens, h, auth.NewLimiter(100, time.Minute, time.Now), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Bootstrap(ctx, authz.System("test"), "410000", "共青团河南省委", "admin", "unused-hash", false); err != nil {
		t.Fatal(err)
	}
	log, logs := newTestLog()
	regs, err := regions.New(ctx, st, log)
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Store: st, Accounts: acc, Tokens: tokens, Regions: regs, Log: log}
	if change != nil {
		change(&d)
	}
	admin, _, err := tokens.IssueAccess(authz.Principal{UserID: 1, Username: "admin", Role: models.RoleAdmin, OrgUnitID: 1, SessionID: "s"})
	if err != nil {
		t.Fatal(err)
	}
	return &testAPI{h: NewHandler(d), deps: d, logs: logs, admin: admin}
}

// response is a GraphQL answer with its HTTP side.
type response struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
	header http.Header
	raw    string
}

// code is the first error's extensions.code, or "".
func (r *response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post sends a GraphQL POST with an optional bearer token.
func (a *testAPI) post(t *testing.T, token, query string) *response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	return a.do(t, req)
}

func (a *testAPI) do(t *testing.T, req *http.Request) *response {
	t.Helper()
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	out := &response{status: rec.Code, header: rec.Header(), raw: string(raw)}
	json.Unmarshal(raw, out) // HTML (GraphiQL) stays in raw
	return out
}
