package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestDemoProvince: the demo subcommand builds a small province into an
// empty database, its accounts sign in with the printed password and see
// verdicts, and a second run on the same database is refused.
func TestDemoProvince(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		dir := t.TempDir()
		env := map[string]string{"ONSITE_DB": b.Config.Driver, "ONSITE_DSN": b.Config.DSN, "ONSITE_ADMIN_PASSWORD": "admin-password-1",
			"ONSITE_SECURITY_ADMIN_PASSWORD": "security-password-1", "ONSITE_AUDIT_ADMIN_PASSWORD": "audit-password-1",
			"ONSITE_JWT_KEY_FILE": filepath.Join(dir, "key.pem"), "ONSITE_CONTACT_KEY_FILE": filepath.Join(dir, "ck.pem"),
			"ONSITE_BLOB_DIR": filepath.Join(dir, "blobs"), "ONSITE_METRICS_ADDR": "off"}
		getenv := func(k string) string { return env[k] }
		var out bytes.Buffer
		now := at(2026, 11, 20, 18, 0)
		err := runWith(context.Background(), []string{"demo", "-cadres", "25"}, getenv, &out, runOptions{now: func() time.Time { return now }})
		if err != nil || !strings.Contains(out.String(), "demo province:") {
			t.Fatalf("demo: %v\n%s", err, tail(out.String()))
		}
		if err := runWith(context.Background(), []string{"demo", "-cadres", "25"}, getenv, &out, runOptions{now: func() time.Time { return now }}); err == nil {
			t.Error("a second demo on the same database was not refused")
		}
		s := start(t, b, withEnv("ONSITE_JWT_KEY_FILE="+env["ONSITE_JWT_KEY_FILE"], "ONSITE_CONTACT_KEY_FILE="+env["ONSITE_CONTACT_KEY_FILE"],
			"ONSITE_BLOB_DIR="+env["ONSITE_BLOB_DIR"]), withClock(now))
		tok := s.login(t, "sup-province", "Demo-pass-2022", "laptop").Login.AccessToken
		var users struct {
			Users struct {
				Edges []struct{ Node struct{ ID, Username string } }
			}
		}
		s.post(t, tok, `{ users(subtree: true, role: CADRE, first: 100) { edges { node { id username } } } }`, nil).into(t, &users)
		met, missed := 0, 0
		for _, e := range users.Users.Edges {
			var p struct {
				Presence struct{ R2 *struct{ Met bool } }
			}
			s.post(t, tok, `query($u: ID!) { presence(userId: $u, year: 2026, quarter: 3) { r2 { met } } }`, map[string]any{"u": e.Node.ID}).into(t, &p)
			if p.Presence.R2 == nil {
				continue
			}
			if p.Presence.R2.Met {
				met++
			} else {
				missed++
			}
		}
		if len(users.Users.Edges) < 20 || met == 0 || missed == 0 {
			t.Errorf("%d cadres: R2 met by %d, missed by %d; want a province with both", len(users.Users.Edges), met, missed)
		}
	})
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
