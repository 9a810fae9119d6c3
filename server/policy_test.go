package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

const changePolicyMutation = `mutation($in: ChangePolicyInput!) { changePolicy(input: $in) {
  replayed version { id version effectiveFrom reason createdByName settings { key value } orgUnit { code } } } }`

type changePolicyOut struct {
	ChangePolicy struct {
		Replayed bool
		Version  struct {
			ID, EffectiveFrom, Reason, CreatedByName string
			Version                                  int
			Settings                                 []struct{ Key, Value string }
			OrgUnit                                  struct{ Code string }
		}
	}
}

const effectivePolicyQuery = `query($u: ID!, $d: String) { effectivePolicy(orgUnitId: $u, date: $d) {
  date version orgUnit { code } values { key { key rule } value source { code } sourceVersion sourceFrom } } }`

type effectivePolicyOut struct {
	EffectivePolicy struct {
		Date, Version string
		Values        []struct {
			Key           struct{ Key, Rule string }
			Value         string
			Source        *struct{ Code string }
			SourceVersion *int
			SourceFrom    *string
		}
	}
}

// value returns a key's value and its source ("410200 v1 2026-10-01").
func (e effectivePolicyOut) value(key string) (string, string) {
	for _, v := range e.EffectivePolicy.Values {
		if v.Key.Key == key {
			if v.Source == nil {
				return v.Value, "default"
			}
			return v.Value, fmt.Sprintf("%s v%d %s", v.Source.Code, *v.SourceVersion, *v.SourceFrom)
		}
	}
	return "", "absent"
}

// TestPolicyOverrideInOneCity: 开封's supervisor lowers R2 for its cadres
// from 2026-10-01; a 开封 cadre's Q4 is judged by the new numbers and names
// the new version, while its Q3 keeps the province's version, and a 洛阳
// cadre with the same days is judged by the province's numbers. The change
// is ledgered and audited; a change reaching back, another city's change
// and a value out of range are refused, and a resend makes no new version.
func TestPolicyOverrideInOneCity(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 9, 20, 9, 0)))
		w := setupField(t, s)
		kf, kfID := w.cadre(t, s, "kaifeng-cadre")
		var unit struct{ CreateOrgUnit struct{ ID string } }
		s.post(t, w.admin, `mutation { createOrgUnit(input: {code: "410300", name: "洛阳团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(t, &unit)
		luoyang := unit.CreateOrgUnit.ID
		var u struct{ CreateUser struct{ ID string } }
		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "luoyang-cadre", "password": initialPassword, "role": "CADRE", "orgUnitId": luoyang}}).into(t, &u)
		lyID := u.CreateUser.ID
		s.post(t, w.admin, `mutation($u: ID!, $r: ID!) { assign(input: {userId: $u, regionId: $r, validFrom: "2026-01-01"}) { id } }`,
			map[string]any{"u": lyID, "r": w.lankao}).into(t, &struct{}{})
		ly := s.activate(t, "luoyang-cadre", "password-1", "ly-phone").Login.AccessToken

		change := func(tok, unitID, from string, set map[string]string, inherit ...string) *gqlResponse {
			settings := []map[string]any{}
			inherit = append([]string{}, inherit...)
			for k, v := range set {
				settings = append(settings, map[string]any{"key": k, "value": v})
			}
			return s.post(t, tok, changePolicyMutation, map[string]any{"in": map[string]any{"orgUnitId": unitID, "effectiveFrom": from,
				"set": settings, "inherit": inherit, "reason": "市级团委参照执行"}})
		}
		for name, c := range map[string]struct {
			tok, unit, from string
			set             map[string]string
			code            string
		}{
			"reaching back":         {w.sup, w.unit, "2026-09-19", map[string]string{"r2.days": "6"}, "INVALID"},
			"another city's policy": {w.sup, luoyang, "2026-10-01", map[string]string{"r2.days": "6"}, "FORBIDDEN"},
			"a value out of range":  {w.sup, w.unit, "2026-10-01", map[string]string{"r2.days": "91"}, "INVALID"},
			"an unknown key":        {w.sup, w.unit, "2026-10-01", map[string]string{"r2.hours": "6"}, "INVALID"},
			"a cadre":               {kf, w.unit, "2026-10-01", map[string]string{"r2.days": "6"}, "FORBIDDEN"},
		} {
			if r := change(c.tok, c.unit, c.from, c.set); r.Code() != c.code {
				t.Errorf("%s: %s, want %s", name, r.Raw, c.code)
			}
		}
		var made changePolicyOut
		change(w.sup, w.unit, "2026-10-01", map[string]string{"r2.days": "6", "r2.trips": "1"}).into(t, &made)
		v := made.ChangePolicy.Version
		if made.ChangePolicy.Replayed || v.Version != 1 || v.EffectiveFrom != "2026-10-01" || v.OrgUnit.Code != "410200" || v.CreatedByName != "sup" ||
			len(v.Settings) != 2 || v.Settings[0].Key != "r2.days" || v.Settings[0].Value != "6" {
			t.Errorf("the new version: %+v", made.ChangePolicy)
		}
		var again changePolicyOut
		change(w.sup, w.unit, "2026-10-01", map[string]string{"r2.days": "6", "r2.trips": "1"}).into(t, &again)
		if !again.ChangePolicy.Replayed || again.ChangePolicy.Version.ID != v.ID {
			t.Errorf("a resend: %+v, want the same version, replayed", again.ChangePolicy)
		}

		var eff effectivePolicyOut
		s.post(t, kf, effectivePolicyQuery, map[string]any{"u": w.unit, "d": "2026-10-05"}).into(t, &eff)
		for key, want := range map[string]string{"r2.days": "6 410200 v1 2026-10-01", "r2.trips": "1 410200 v1 2026-10-01",
			"r2.tripDays": "3 410000 v1 2022-03-01", "r3.days": "50 410000 v1 2022-03-01"} {
			if val, src := eff.value(key); val+" "+src != want {
				t.Errorf("%s on 2026-10-05 = %s %s, want %s", key, val, src, want)
			}
		}
		if eff.EffectivePolicy.Version != "410000:v1/410200:v1" {
			t.Errorf("version on 2026-10-05 = %s", eff.EffectivePolicy.Version)
		}
		s.post(t, kf, effectivePolicyQuery, map[string]any{"u": w.unit}).into(t, &eff)
		if val, src := eff.value("r2.days"); eff.EffectivePolicy.Date != "2026-09-20" || val != "10" || !strings.HasPrefix(src, "410000 v1") {
			t.Errorf("today (%s): r2.days %s from %s, want 10 from the province", eff.EffectivePolicy.Date, val, src)
		}

		// The same six days in Q3 (9-21..26) and in Q4 (10-05..10) for both.
		for _, c := range []struct{ tok, prefix string }{{kf, "kf"}, {ly, "ly"}} {
			for i, d := range []struct{ m, from int }{{9, 21}, {10, 5}} {
				for day := d.from; day < d.from+6; day++ {
					for j, hh := range []int{9, 14} {
						s.clock.Set(at(2026, time.Month(d.m), day, hh, 0))
						s.checkIn(t, c.tok, fix(fmt.Sprintf("%s-%d-%d-%d", c.prefix, d.m, day, j), near(lankaoGCJ, day*2+j+i*100), 20, "GCJ02", s.clock.Now()))
					}
				}
			}
		}
		s.clock.Set(at(2026, 10, 12, 9, 0))
		for _, c := range []struct {
			who, id string
			q       int
			status  string
			numbers string
			version string
		}{
			{"开封, Q4", kfID, 4, "MET", "days 6/6, trips 1/1", "410000:v1/410200:v1"},
			{"洛阳, Q4", lyID, 4, "ON_TRACK", "days 6/10, trips 1/2", "410000:v1"},
			{"开封, Q3", kfID, 3, "MISSED", "days 6/10, trips 1/2", "410000:v1"},
		} {
			r2 := s.verdicts(t, w.admin, c.id, 2026, c.q)["R2"]
			if r2.Status != c.status || r2.numbers() != c.numbers || r2.PolicyVersion != c.version {
				t.Errorf("%s: R2 %s [%s] under %s; want %s [%s] under %s (%s)", c.who, r2.Status, r2.numbers(), r2.PolicyVersion,
					c.status, c.numbers, c.version, r2.Message)
			}
		}

		var versions struct {
			PolicyVersions struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, w.admin, `query($u: ID!) { policyVersions(orgUnitId: $u) { edges { node { id } } } }`, map[string]any{"u": w.unit}).into(t, &versions)
		if len(versions.PolicyVersions.Edges) != 1 {
			t.Fatalf("开封's versions: %+v, want one", versions.PolicyVersions.Edges)
		}
		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "inspector", "password": initialPassword, "role": "DISCIPLINE", "orgUnitId": "1"}}).into(t, &struct{}{})
		inspector := s.activate(t, "inspector", "Inspector-pass-1", "insp").Login.AccessToken
		var entry struct {
			LedgerEntry struct {
				Key     string
				Matches bool
			}
		}
		s.post(t, inspector, `query($id: ID!) { ledgerEntry(kind: POLICY, id: $id) { key matches } }`,
			map[string]any{"id": versions.PolicyVersions.Edges[0].Node.ID}).into(t, &entry)
		if !entry.LedgerEntry.Matches || entry.LedgerEntry.Key != "policy org_unit="+w.unit+" version=1" {
			t.Errorf("the version's ledger entry: %+v", entry.LedgerEntry)
		}
		auditor := s.login(t, "auditadmin", s.AuditPW, "audit-laptop").Login.AccessToken
		var audit auditOut
		s.post(t, auditor, auditQuery, map[string]any{"action": "policy.change"}).into(t, &audit)
		var byWhom []string
		for _, e := range audit.SecurityAudit.Edges {
			if strings.Contains(e.Node.Detail, "rules policy") { // the server's start-up settings are policy changes too
				byWhom = append(byWhom, e.Node.Actor+": "+e.Node.Detail)
			}
		}
		if len(byWhom) != 2 || !strings.Contains(byWhom[0], "sup: rules policy v1 from 2026-10-01: r2.days=6, r2.trips=1") {
			t.Errorf("policy changes audited: %q, want the baseline and sup's change", byWhom)
		}
	})
}
