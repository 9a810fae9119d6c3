package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// runUntilListening runs run's code with args and env over a base of test
// settings (port 0, a fresh SQLite file and key). If the server comes up, it
// is stopped at once; the result is its configuration, or run's error.
func runUntilListening(t *testing.T, args []string, env map[string]string) (*config, error) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"ONSITE_ADDR": "127.0.0.1:0", "ONSITE_DSN": filepath.Join(dir, "onsite.db"),
		"ONSITE_JWT_KEY_FILE": filepath.Join(dir, "key.pem"), "ONSITE_BCRYPT_COST": "4",
		"ONSITE_METRICS_ADDR": "127.0.0.1:0",
	}
	for k, v := range env {
		all[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got *config
	opts := runOptions{now: time.Now, started: func(a *app, _ net.Addr) { got = &a.cfg; cancel() }}
	logs := &syncBuffer{}
	err := runWith(ctx, args, func(k string) string { return all[k] }, logs, opts)
	if err == nil && got == nil {
		t.Fatalf("run returned nil without listening\n%s", logs.String())
	}
	return got, err
}

// TestBadSettingRefused: an environment variable that does not parse stops
// start-up with an error naming it, for the server and the import command.
func TestBadSettingRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want []string // in the error
	}{
		{nil, map[string]string{"ONSITE_DEV": "yes please"}, []string{"ONSITE_DEV", "yes please"}},
		{nil, map[string]string{"ONSITE_ACCESS_TTL": "15"}, []string{"ONSITE_ACCESS_TTL"}},
		{nil, map[string]string{"ONSITE_REFRESH_TTL": "a month"}, []string{"ONSITE_REFRESH_TTL"}},
		{nil, map[string]string{"ONSITE_BCRYPT_COST": "twelve"}, []string{"ONSITE_BCRYPT_COST"}},
		{nil, map[string]string{"ONSITE_REQUEST_TIMEOUT": "15 s"}, []string{"ONSITE_REQUEST_TIMEOUT"}},
		{nil, map[string]string{"ONSITE_LOG_LEVEL": "loud"}, []string{"ONSITE_LOG_LEVEL"}},
		{nil, map[string]string{"ONSITE_LOGIN_ATTEMPTS": "10.5"}, []string{"ONSITE_LOGIN_ATTEMPTS"}},
		{nil, map[string]string{"ONSITE_LOGIN_WINDOW": "-"}, []string{"ONSITE_LOGIN_WINDOW"}},
		{nil, map[string]string{"ONSITE_CHECKIN_BATCH": "64k"}, []string{"ONSITE_CHECKIN_BATCH"}},
		{nil, map[string]string{"ONSITE_CHECKIN_WORKERS": "three"}, []string{"ONSITE_CHECKIN_WORKERS"}},
		{nil, map[string]string{"ONSITE_LEDGER_INTERVAL": "fast"}, []string{"ONSITE_LEDGER_INTERVAL"}},
		{nil, map[string]string{"ONSITE_SHUTDOWN_DRAIN": "2"}, []string{"ONSITE_SHUTDOWN_DRAIN"}},
		{nil, map[string]string{"ONSITE_DB": "postgres"}, []string{"ONSITE_DB", "postgres"}},
		{nil, map[string]string{"ONSITE_MEMORY_LIMIT": "512M"}, []string{"ONSITE_MEMORY_LIMIT", "512M"}},
		{nil, map[string]string{"ONSITE_MEMORY_LIMIT": "-1MiB"}, []string{"ONSITE_MEMORY_LIMIT"}},
		{[]string{"-memory-limit", "lots"}, nil, []string{"memory-limit"}},
		{nil, map[string]string{"ONSITE_METRICS_ADDR": "127.0.0.1:99999"}, []string{"99999"}},
		{nil, map[string]string{"ONSITE_DEV": "maybe", "ONSITE_BCRYPT_COST": "high"}, []string{"ONSITE_DEV", "ONSITE_BCRYPT_COST"}},
		{nil, map[string]string{"ONSITE_TLS_CERT": "cert.pem"}, []string{"ONSITE_TLS_CERT", "ONSITE_TLS_KEY"}},
		{nil, map[string]string{"ONSITE_TLS_CERT": "missing-cert.pem", "ONSITE_TLS_KEY": "missing-key.pem"}, []string{"ONSITE_TLS_CERT"}},
		{nil, map[string]string{"ONSITE_AUDIT_RETENTION": "720h"}, []string{"ONSITE_AUDIT_RETENTION", "180 days"}},
		{nil, map[string]string{"ONSITE_TRUSTED_PROXIES": "10.0.0.0/8, the-lb"}, []string{"ONSITE_TRUSTED_PROXIES", "the-lb"}},
		{nil, map[string]string{"ONSITE_SESSION_IDLE_PHONE": "a week"}, []string{"ONSITE_SESSION_IDLE_PHONE"}},
		{nil, map[string]string{"ONSITE_PASSWORD_MAX_AGE": "-1h"}, []string{"ONSITE_PASSWORD_MAX_AGE"}},
		{nil, map[string]string{"ONSITE_ADMIN_PASSWORD": "password"}, []string{"ONSITE_ADMIN_PASSWORD", "at least 3"}},
		{nil, map[string]string{"ONSITE_SECURITY_ADMIN_PASSWORD": "Password1"}, []string{"ONSITE_SECURITY_ADMIN_PASSWORD", "common"}},
		{[]string{"serve"}, map[string]string{"ONSITE_DEV": "yes please"}, []string{"ONSITE_DEV"}},
		{[]string{"import-regions", "regions.geojson"}, map[string]string{"ONSITE_DEV": "yes please"}, []string{"ONSITE_DEV"}},
	} {
		t.Run(strings.Join(append(tc.args, mapKeys(tc.env)...), " "), func(t *testing.T) {
			_, err := runUntilListening(t, tc.args, tc.env)
			if err == nil {
				t.Fatalf("run started, want an error naming %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to name %q", err, w)
				}
			}
		})
	}
}

// TestSettingsReachTheServer: values that parse reach the running server's
// configuration, and a flag wins over its variable.
func TestSettingsReachTheServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		got  func(*config) any
		want any
	}{
		{"defaults", nil, nil, func(c *config) any { return []any{c.Dev, c.AccessTTL, c.LogLevel, c.LoginAttempts} },
			[]any{false, 15 * time.Minute, slog.LevelInfo, 10}},
		{"ONSITE_DEV=1", nil, map[string]string{"ONSITE_DEV": "1"}, func(c *config) any { return c.Dev }, true},
		{"ONSITE_DEV=true, -dev=false", []string{"-dev=false"}, map[string]string{"ONSITE_DEV": "true"}, func(c *config) any { return c.Dev }, false},
		{"ONSITE_ACCESS_TTL=1h30m", nil, map[string]string{"ONSITE_ACCESS_TTL": "1h30m"}, func(c *config) any { return c.AccessTTL }, 90 * time.Minute},
		{"ONSITE_LOG_LEVEL=warn", nil, map[string]string{"ONSITE_LOG_LEVEL": "warn"}, func(c *config) any { return c.LogLevel }, slog.LevelWarn},
		{"serve -log-level debug", []string{"serve", "-log-level", "debug"}, nil, func(c *config) any { return c.LogLevel }, slog.LevelDebug},
		{"ONSITE_CHECKIN_BATCH=8", nil, map[string]string{"ONSITE_CHECKIN_BATCH": "8"}, func(c *config) any { return c.CheckInBatch }, 8},
		{"the default memory limit", nil, nil, func(c *config) any { return c.MemoryLimit }, int64(512 << 20)},
		{"ONSITE_MEMORY_LIMIT=1GiB", nil, map[string]string{"ONSITE_MEMORY_LIMIT": "1GiB"}, func(c *config) any { return c.MemoryLimit }, int64(1 << 30)},
		{"ONSITE_MEMORY_LIMIT=off", nil, map[string]string{"ONSITE_MEMORY_LIMIT": "off"}, func(c *config) any { return c.MemoryLimit }, int64(0)},
		{"GOMEMLIMIT set", nil, map[string]string{"GOMEMLIMIT": "300MiB"}, func(c *config) any { return c.MemoryLimit }, int64(0)},
		{"-memory-limit 300000000", []string{"-memory-limit", "300000000"}, map[string]string{"ONSITE_MEMORY_LIMIT": "1GiB"},
			func(c *config) any { return c.MemoryLimit }, int64(300000000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := runUntilListening(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.got(cfg); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestOperationsAddressDefault: metrics and profiles listen on loopback
// unless configured.
func TestOperationsAddressDefault(t *testing.T) {
	c, err := parseConfig("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil || c.MetricsAddr != "127.0.0.1:8081" {
		t.Errorf("default operations address %q (%v), want 127.0.0.1:8081", c.MetricsAddr, err)
	}
}

// mapKeys returns m as sorted KEY=value strings, for subtest names.
func mapKeys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// TestUnknownCommandRefused: a word that is not a command, or an argument
// left after the flags, is an error listing the commands, and nothing is
// started or created in the working directory (where the default SQLite
// file and signing key would go).
func TestUnknownCommandRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // named in the error
	}{
		{[]string{"no-such-command"}, "no-such-command"},
		{[]string{"help"}, "help"},
		{[]string{"-dev", "extra"}, "extra"},
		{[]string{"serve", "extra"}, "extra"},
		{[]string{"-dev", "import-regions"}, "import-regions"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			env := map[string]string{"ONSITE_ADDR": "127.0.0.1:0", "ONSITE_BCRYPT_COST": "4"}
			opts := runOptions{now: time.Now, started: func(*app, net.Addr) { cancel() }}
			err := runWith(ctx, tc.args, func(k string) string { return env[k] }, io.Discard, opts)
			if err == nil {
				t.Fatalf("run %q started, want an error", tc.args)
			}
			for _, w := range []string{tc.want, "serve", "import-regions"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to name %q", err, w)
				}
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("run left %d files in the working directory, first %s", len(left), left[0].Name())
			}
		})
	}
}
