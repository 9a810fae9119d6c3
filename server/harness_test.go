package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/store/storetest"
)

// testServer is a server started through run on port 0.
type testServer struct {
	URL     string
	OpsURL  string           // the operations listener: /metrics, /debug/pprof/
	AdminPW string           // the system administrator admin's
	SecPW   string           // the security administrator secadmin's
	AuditPW string           // the audit administrator auditadmin's
	app     *app             // the running server's parts, as run's started hook reports them
	clock   *testclock.Clock // the server's clock when the test set one (withClock); nil for the real clock
	client  *http.Client     // the test's own connections, closed before the server stops
	logs    *syncBuffer
	stop    func() error // cancels run's context and waits for it to return
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startConfig is what start runs: settings, and run's options.
type startConfig struct {
	env   map[string]string
	clock *testclock.Clock
	opts  runOptions
}

// option changes what start runs.
type option func(*startConfig)

// withEnv adds settings given as KEY=value, over the harness's own.
func withEnv(kv ...string) option {
	return func(c *startConfig) {
		for _, s := range kv {
			k, v, _ := strings.Cut(s, "=")
			c.env[k] = v
		}
	}
}

// withClock runs the server on a fake clock standing at t, which the test
// moves through testServer.clock. Access tokens then last 90 days and login
// limits are wide, since the clock moves days while the test runs in
// milliseconds.
func withClock(t time.Time) option { return withTestClock(testclock.New(t)) }

// withTestClock is withClock on a clock the test holds: several servers
// on one database may share it.
func withTestClock(clock *testclock.Clock) option {
	return func(c *startConfig) {
		c.clock = clock
		c.opts.now = c.clock.Now
		c.env["ONSITE_ACCESS_TTL"] = "2160h"
		c.env["ONSITE_LOGIN_ATTEMPTS"] = "1000"
	}
}

// withHooks sets run's handler wrapper and its stopping hook.
func withHooks(handler func(http.Handler) http.Handler, stopping func()) option {
	return func(c *startConfig) { c.opts.handler, c.opts.stopping = handler, stopping }
}

// start runs the server through runWith on backend b, waits until it
// listens, and stops it when the test ends, checking that run returned
// cleanly. Options apply in order, so a later withEnv overrides withClock's
// settings.
func start(t testing.TB, b storetest.Backend, options ...option) *testServer {
	t.Helper()
	c := &startConfig{env: map[string]string{
		"ONSITE_ADDR":                    "127.0.0.1:0",
		"ONSITE_DB":                      b.Config.Driver,
		"ONSITE_DSN":                     b.Config.DSN,
		"ONSITE_ADMIN_PASSWORD":          "admin-password-1",
		"ONSITE_SECURITY_ADMIN_PASSWORD": "security-password-1",
		"ONSITE_AUDIT_ADMIN_PASSWORD":    "audit-password-1",
		"ONSITE_JWT_KEY_FILE":            filepath.Join(t.TempDir(), "key.pem"),
		"ONSITE_BCRYPT_COST":             "4",
		"ONSITE_CONTACT_KEY_FILE":        filepath.Join(t.TempDir(), "contact-key.pem"),
		"ONSITE_BLOB_DIR":                filepath.Join(t.TempDir(), "blobs"),
		"ONSITE_METRICS_ADDR":            "127.0.0.1:0",
		"ONSITE_CHECK_STORED_VERDICTS":   "true",
	}, opts: runOptions{now: time.Now}}
	for _, o := range options {
		o(c)
	}
	type listening struct {
		app  *app
		addr net.Addr
	}
	up := make(chan listening, 1)
	c.opts.started = func(a *app, addr net.Addr) { up <- listening{a, addr} }
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runWith(ctx, nil, func(k string) string { return c.env[k] }, logs, c.opts) }()
	select {
	case l := <-up:
		var once sync.Once
		var runErr error
		s := &testServer{URL: "http://" + l.addr.String(), AdminPW: c.env["ONSITE_ADMIN_PASSWORD"], SecPW: c.env["ONSITE_SECURITY_ADMIN_PASSWORD"],
			AuditPW: c.env["ONSITE_AUDIT_ADMIN_PASSWORD"], app: l.app, clock: c.clock, logs: logs,
			client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
		if l.app.opsAddr != nil {
			s.OpsURL = "http://" + l.app.opsAddr.String()
		}
		s.stop = func() error {
			// A connection the client dialled but never used would hold
			// graceful shutdown for five seconds; close the idle ones first.
			once.Do(func() { s.client.CloseIdleConnections(); cancel(); runErr = <-done })
			return runErr
		}
		t.Cleanup(func() {
			if err := s.stop(); err != nil {
				t.Errorf("run returned %v", err)
			}
		})
		return s
	case err := <-done:
		cancel()
		t.Fatalf("run failed before listening: %v\n%s", err, logs.String())
	}
	return nil
}

var cst = time.FixedZone("CST", 8*3600)

// at is a wall-clock time in Asia/Shanghai.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cst) }

// gqlResponse is a GraphQL response with errors flattened for assertions.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Status int    `json:"-"`
	Raw    string `json:"-"`
}

// Code returns the first error's extensions.code, or "".
func (r *gqlResponse) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// into decodes data into v, failing the test on errors in the response.
func (r *gqlResponse) into(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// post sends one GraphQL request over real HTTP.
func (s *testServer) post(t testing.TB, token, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return s.send(t, http.MethodPost, token, bytes.NewReader(body), "")
}

func (s *testServer) send(t testing.TB, method, token string, body io.Reader, rawQuery string) *gqlResponse {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/graphql"+rawQuery, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s /graphql: %v", method, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &gqlResponse{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil && !strings.Contains(resp.Header.Get("Content-Type"), "html") {
		t.Fatalf("response is not JSON (%d): %.300s", resp.StatusCode, raw)
	}
	return out
}

const loginMutation = `mutation($u: String!, $p: String!, $d: String!) {
  login(username: $u, password: $p, deviceId: $d) { accessToken refreshToken mustChangePassword user { id username role } }
}`

type loginResult struct {
	Login struct {
		AccessToken        string
		RefreshToken       string
		MustChangePassword bool
		User               struct{ ID, Username, Role string }
	}
}

// initialPassword is the password tests give createUser: an
// administrator's choice, which the account must change at its first
// sign-in (activate).
const initialPassword = "Initial-pass-1"

const changePasswordMutation = `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`

// activate is a new account's first sign-in: on device with
// initialPassword, which it must change, then the change to pw, then a
// sign-in with pw on device, whose result it returns.
func (s *testServer) activate(t testing.TB, user, pw, device string) loginResult {
	t.Helper()
	first := s.login(t, user, initialPassword, device)
	if !first.Login.MustChangePassword {
		t.Fatalf("%s: first sign-in with the initial password does not ask for a change", user)
	}
	s.post(t, first.Login.AccessToken, changePasswordMutation, map[string]any{"o": initialPassword, "n": pw}).into(t, &struct{}{})
	return s.login(t, user, pw, device)
}

// login signs in and returns the tokens; it fails the test on error.
func (s *testServer) login(t testing.TB, user, pw, device string) loginResult {
	t.Helper()
	var out loginResult
	s.post(t, "", loginMutation, map[string]any{"u": user, "p": pw, "d": device}).into(t, &out)
	return out
}

func eachBackend(t *testing.T, fn func(t *testing.T, b storetest.Backend)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}
