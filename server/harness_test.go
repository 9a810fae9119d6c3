package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// testServer is a server started through run on port 0.
type testServer struct {
	URL     string
	AdminPW string
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

// start runs the server on backend b with extra settings and stops it when
// the test ends, checking that run returned cleanly.
func start(t *testing.T, b storetest.Backend, extra map[string]string) *testServer {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"ONSITE_ADDR":           "127.0.0.1:0",
		"ONSITE_DB":             b.Config.Driver,
		"ONSITE_DSN":            b.Config.DSN,
		"ONSITE_ADMIN_PASSWORD": "admin-password-1",
		"ONSITE_JWT_KEY_FILE":   filepath.Join(dir, "key.pem"),
		"ONSITE_BCRYPT_COST":    "4",
	}
	for k, v := range extra {
		env[k] = v
	}
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, func(k string) string { return env[k] }, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			logs.Write([]byte(line + "\n"))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
	}()
	select {
	case a := <-addr:
		var once sync.Once
		var runErr error
		s := &testServer{URL: "http://" + a, AdminPW: env["ONSITE_ADMIN_PASSWORD"], logs: logs}
		s.stop = func() error {
			once.Do(func() { cancel(); runErr = <-done })
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
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("server did not start\n%s", logs.String())
	}
	return nil
}

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
func (r *gqlResponse) into(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// post sends one GraphQL request over real HTTP.
func (s *testServer) post(t *testing.T, token, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return s.send(t, http.MethodPost, token, bytes.NewReader(body), "")
}

func (s *testServer) send(t *testing.T, method, token string, body io.Reader, rawQuery string) *gqlResponse {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/graphql"+rawQuery, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
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
  login(username: $u, password: $p, deviceId: $d) { accessToken refreshToken user { id username role } }
}`

type loginResult struct {
	Login struct {
		AccessToken  string
		RefreshToken string
		User         struct{ ID, Username, Role string }
	}
}

// login signs in and returns the tokens; it fails the test on error.
func (s *testServer) login(t *testing.T, user, pw, device string) loginResult {
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
