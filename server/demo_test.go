package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestDemoProvince: the demo subcommand builds a small province into an
// empty database, its accounts sign in with the printed password and see
// verdicts, and a second run on the same database is refused. The
// province has its paperwork: work summaries in every state, make-up
// requests approved (the day counts, labelled) and pending, absences, a
// seminar with talks, and verdicts of R8 met and missed and R9 met.
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
		var v verdictTally
		for _, e := range users.Users.Edges {
			var vs struct{ Verdicts []ruleOut }
			s.post(t, tok, `query($u: ID!) { verdicts(userId: $u, year: 2026, quarter: 3) { rule item met madeUpDays } }`,
				map[string]any{"u": e.Node.ID}).into(t, &vs)
			v.add(vs.Verdicts)
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
		if v.r8Met == 0 || v.r8Not == 0 || v.r9Met == 0 || v.r9Not == 0 || v.madeUp == 0 {
			t.Errorf("2026Q3 verdicts: %+v; want R8 met and not, R9 met and not, a made-up day", v)
		}
		checkPaperwork(t, s, tok)
	})
}

// verdictTally counts the cadres' verdicts of a quarter.
type verdictTally struct{ r8Met, r8Not, r9Met, r9Not, madeUp int }

func (v *verdictTally) add(results []ruleOut) {
	for _, r := range results {
		switch {
		case r.Rule == "R8" && r.Item == "SUMMARY" && r.Met:
			v.r8Met++
		case r.Rule == "R8" && r.Item == "SUMMARY":
			v.r8Not++
		case r.Rule == "R9" && r.Met:
			v.r9Met++
		case r.Rule == "R9":
			v.r9Not++
		case r.Rule == "R2":
			v.madeUp += r.MadeUpDays
		}
	}
}

// checkPaperwork checks, as the provincial supervisor of tok, that the
// demo province has summaries in every state, approved and pending
// make-ups, absences (one withdrawn) and a seminar with talks.
func checkPaperwork(t *testing.T, s *testServer, tok string) {
	t.Helper()
	var me struct {
		Me struct{ OrgUnit struct{ ID string } }
	}
	s.post(t, tok, `{ me { orgUnit { id } } }`, nil).into(t, &me)
	states := map[string]int{}
	for _, q := range []int{3, 4} {
		var out struct {
			Summaries struct {
				Edges []struct {
					Node struct {
						Status   string
						Versions []struct{ Review *struct{ Decision string } }
					}
				}
			}
		}
		s.post(t, tok, `query($u: ID!, $q: Int) { summaries(orgUnitId: $u, year: 2026, quarter: $q, first: 30) {
  edges { node { status versions { review { decision } } } } } }`, map[string]any{"u": me.Me.OrgUnit.ID, "q": q}).into(t, &out)
		for _, e := range out.Summaries.Edges {
			n := e.Node
			states[fmt.Sprintf("Q%d %s", q, n.Status)]++
			if len(n.Versions) == 2 && n.Versions[0].Review != nil && n.Versions[0].Review.Decision == "RETURN" {
				states[fmt.Sprintf("Q%d returned, resubmitted", q)]++
			}
		}
	}
	for _, want := range []string{"Q3 ACCEPTED", "Q3 RETURNED", "Q3 returned, resubmitted", "Q3 SUBMITTED", "Q4 DRAFT", "Q4 SUBMITTED"} {
		if states[want] == 0 {
			t.Errorf("summaries: %v; want some %s", states, want)
		}
	}
	for _, status := range []string{"APPROVED", "REFUSED", "PENDING"} {
		var out struct {
			MakeUps struct {
				Edges []struct {
					Node struct{ Date, WitnessName string }
				}
			}
		}
		s.post(t, tok, `query($s: MakeUpStatus) { makeUps(status: $s, first: 50) { edges { node { date witnessName } } } }`,
			map[string]any{"s": status}).into(t, &out)
		if len(out.MakeUps.Edges) == 0 {
			t.Errorf("no %s make-up request", status)
		}
	}
	var abs struct {
		Absences struct {
			Edges []struct {
				Node struct {
					Kind       string
					Withdrawal *struct{ Reason string }
				}
			}
		}
	}
	s.post(t, tok, `{ absences(from: "2026-10-01", to: "2026-12-31", includeWithdrawn: true, first: 50) { edges { node { kind withdrawal { reason } } } } }`, nil).into(t, &abs)
	kinds := map[string]int{}
	for _, e := range abs.Absences.Edges {
		kinds[e.Node.Kind]++
		if e.Node.Withdrawal != nil {
			kinds["withdrawn"]++
		}
	}
	if kinds["TRAINING"] == 0 || kinds["LEAVE"] == 0 || kinds["withdrawn"] != 1 {
		t.Errorf("absences: %v; want training, leave and one withdrawn", kinds)
	}
	var sem struct {
		Seminars struct {
			Edges []struct {
				Node struct {
					Speakers []struct{ UserID string }
					Talks    []struct {
						SpeakerID string
						Score     int
					}
				}
			}
		}
	}
	s.post(t, tok, `{ seminars(first: 10) { edges { node { speakers { userId } talks { speakerId score } } } } }`, nil).into(t, &sem)
	if e := sem.Seminars.Edges; len(e) != 1 || len(e[0].Node.Speakers) < 2 || len(e[0].Node.Talks) != len(e[0].Node.Speakers) {
		t.Errorf("seminars: %+v; want one with a talk by each of its speakers", e)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
