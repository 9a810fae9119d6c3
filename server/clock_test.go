package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// fakeClock is the injected clock of a test app.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var cst = time.FixedZone("CST", 8*3600)

// at is a wall-clock time in Asia/Shanghai.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, cst) }

// testApp is the whole server wired by open, with an injected clock, served
// over real HTTP by httptest.
type testApp struct {
	*testServer
	app   *app
	clock *fakeClock
}

// startApp starts the server on backend b with a fake clock at start;
// extra is more configuration as KEY=value.
func startApp(t *testing.T, b storetest.Backend, start time.Time, extra ...string) *testApp {
	t.Helper()
	env := map[string]string{
		"ONSITE_DB": b.Config.Driver, "ONSITE_DSN": b.Config.DSN, "ONSITE_ADMIN_PASSWORD": "admin-password-1",
		"ONSITE_JWT_KEY_FILE": filepath.Join(t.TempDir(), "key.pem"), "ONSITE_BCRYPT_COST": "4",
		"ONSITE_LOGIN_ATTEMPTS": "1000", "ONSITE_ACCESS_TTL": "2160h", // the fake clock moves days
	}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cfg, err := parseConfig("test", nil, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: start}
	logs := &syncBuffer{}
	a, err := open(context.Background(), cfg, logs, clock.Now)
	if err != nil {
		t.Fatalf("open: %v\n%s", err, logs.String())
	}
	srv := httptest.NewServer(a.routes())
	t.Cleanup(func() {
		srv.Close()
		a.close()
	})
	return &testApp{testServer: &testServer{URL: srv.URL, AdminPW: env["ONSITE_ADMIN_PASSWORD"], logs: logs}, app: a, clock: clock}
}
