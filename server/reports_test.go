package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

const reportQuery = `query($o: ID!, $y: Int!, $q: Int!, $first: Int, $after: String, $fail: Boolean, $rule: String) {
  complianceReport(orgUnitId: $o, year: $y, quarter: $q) {
    orgUnit { id } year quarter period cadres closedAt closedBy { username } policyVersions exportUrl
    totals { rule item cadres met onTrack atRisk missed exempt }
    rows(first: $first, after: $after, onlyFailing: $fail, rule: $rule) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { user { id username }
        rules { rule item period from to status policyVersion message messageEn coveredDays periodDays daysLeft madeUpDays
          met achievable days qualifyingTrips gaps due region { name } numbers { name label value required full } }
        changedSinceClosing { rule item closed now closedMessage message } } }
    }
  } }`

type totalsOut struct {
	Rule, Item                                   string
	Cadres, Met, OnTrack, AtRisk, Missed, Exempt int
}

type changeOut struct{ Rule, Item, Closed, Now, ClosedMessage, Message string }

type rowOut struct {
	User                struct{ ID, Username string }
	Rules               []ruleOut
	ChangedSinceClosing []changeOut
}

type reportOut struct {
	OrgUnit        struct{ ID string }
	Year, Quarter  int
	Period         string
	Cadres         int
	ClosedAt       *string
	ClosedBy       *struct{ Username string }
	PolicyVersions []string
	ExportURL      string
	Totals         []totalsOut
	Rows           struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Cursor string
			Node   rowOut
		}
	}
}

// report asks for the report of unit as tok; vars add rows' arguments.
func (s *testServer) report(t *testing.T, tok, unit string, year, q int, vars map[string]any) *gqlResponse {
	t.Helper()
	v := map[string]any{"o": unit, "y": year, "q": q, "first": 3} // full rows: 3 fit the complexity limit
	for k, x := range vars {
		v[k] = x
	}
	return s.post(t, tok, reportQuery, v)
}

func (s *testServer) reportOf(t *testing.T, tok, unit string, year, q int, vars map[string]any) reportOut {
	t.Helper()
	var out struct{ ComplianceReport reportOut }
	s.report(t, tok, unit, year, q, vars).into(t, &out)
	return out.ComplianceReport
}

// allRows pages through the report's rows, size at a time.
func (s *testServer) allRows(t *testing.T, tok, unit string, year, q, size int, vars map[string]any) []rowOut {
	t.Helper()
	var rows []rowOut
	after := ""
	for {
		v := map[string]any{"first": size}
		for k, x := range vars {
			v[k] = x
		}
		if after != "" {
			v["after"] = after
		}
		r := s.reportOf(t, tok, unit, year, q, v)
		for _, e := range r.Rows.Edges {
			rows = append(rows, e.Node)
		}
		if !r.Rows.PageInfo.HasNextPage {
			return rows
		}
		after = *r.Rows.PageInfo.EndCursor
	}
}

// createUnit creates an org unit under parent and a supervisor of it named
// sup, and returns the unit's id and the supervisor's token.
func (w *fieldWorld) createUnit(t *testing.T, s *testServer, parent, code, name, sup string) (id, tok string) {
	t.Helper()
	var unit struct{ CreateOrgUnit struct{ ID string } }
	s.post(t, w.admin, `mutation($p: ID!, $c: String!, $n: String!) { createOrgUnit(input: {code: $c, name: $n, kind: COUNTY, parentId: $p}) { id } }`,
		map[string]any{"p": parent, "c": code, "n": name}).into(t, &unit)
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": sup, "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": unit.CreateOrgUnit.ID}}).into(t, &struct{}{})
	return unit.CreateOrgUnit.ID, s.activate(t, sup, "password-1", sup+"-phone").Login.AccessToken
}

// cadreIn creates a cadre of unit, assigned to 兰考县 from 2026-01-01 when
// assigned, without signing it in; it returns its id.
func (w *fieldWorld) cadreIn(t *testing.T, s *testServer, unit, name string, assigned bool) string {
	t.Helper()
	var u struct{ CreateUser struct{ ID string } }
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": name, "password": initialPassword, "role": "CADRE", "orgUnitId": unit}}).into(t, &u)
	if assigned {
		s.post(t, w.admin, `mutation($u: ID!, $r: ID!) { assign(input: {userId: $u, regionId: $r, validFrom: "2026-01-01"}) { id } }`,
			map[string]any{"u": u.CreateUser.ID, "r": w.lankao}).into(t, &struct{}{})
	}
	return u.CreateUser.ID
}

// expectTotals counts rows' verdicts per rule and item as the report's
// totals do.
func expectTotals(rows []rowOut) []totalsOut {
	by := map[[2]string]*totalsOut{}
	for _, r := range rows {
		for _, v := range r.Rules {
			t := by[[2]string{v.Rule, v.Item}]
			if t == nil {
				t = &totalsOut{Rule: v.Rule, Item: v.Item}
				by[[2]string{v.Rule, v.Item}] = t
			}
			t.Cadres++
			switch v.Status {
			case "MET":
				t.Met++
			case "ON_TRACK":
				t.OnTrack++
			case "AT_RISK":
				t.AtRisk++
			case "MISSED":
				t.Missed++
			case "EXEMPT":
				t.Exempt++
			}
		}
	}
	var out []totalsOut
	for _, t := range by {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rule+"/"+out[i].Item < out[j].Rule+"/"+out[j].Item })
	return out
}

func failing(rules []ruleOut, rule string) bool {
	for _, r := range rules {
		if (rule == "" || r.Rule == rule) && (r.Status == "AT_RISK" || r.Status == "MISSED") {
			return true
		}
	}
	return false
}

func usernames(rows []rowOut) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.User.Username)
	}
	return out
}

// TestComplianceReport: a unit's report lists the cadres of its subtree
// assigned in the quarter; each row equals the cadre's verdicts, the totals
// count them, pages and filters keep user-id order; a supervisor below
// sees only its subtree; closing freezes the verdicts, a second closing is
// CONFLICT, and a later correction shows beside the frozen value.
func TestComplianceReport(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 1, 9, 0)))
		w := setupField(t, s)
		tokA, idA := w.cadre(t, s, "cadre-a")
		_, idB := w.cadre(t, s, "cadre-b")
		w.cadreIn(t, s, w.unit, "cadre-idle", false) // no assignment: not in the report
		child, childSup := w.createUnit(t, s, w.unit, "410225", "兰考县团委", "sup-lk")
		idC := w.cadreIn(t, s, child, "cadre-c", true)
		idsA, _ := s.onSite(t, tokA, "a", lankaoGCJ, 2, 3, 4, 5, 6, 17, 18, 19, 20, 21)
		s.clock.Set(at(2026, 12, 28, 10, 0))

		r := s.reportOf(t, w.sup, w.unit, 2026, 4, map[string]any{"first": 3})
		if r.Cadres != 3 || r.Period != "2026Q4" || r.ClosedAt != nil || r.Rows.TotalCount != 3 || len(r.PolicyVersions) != 1 || r.PolicyVersions[0] != "410000:v1" ||
			r.ExportURL != fmt.Sprintf("/export/compliance.xlsx?orgUnitId=%s&year=2026&quarter=4", w.unit) {
			t.Fatalf("report = cadres %d, period %s, closed %v, rows %d, versions %v, export %s", r.Cadres, r.Period, r.ClosedAt,
				r.Rows.TotalCount, r.PolicyVersions, r.ExportURL)
		}
		var rows []rowOut
		for i, e := range r.Rows.Edges {
			rows = append(rows, e.Node)
			want := []string{idA, idB, idC}[i]
			if e.Node.User.ID != want {
				t.Fatalf("row %d is user %s, want %s (user-id order)", i, e.Node.User.ID, want)
			}
			var v struct{ Verdicts []ruleOut }
			s.post(t, w.sup, verdictsQuery, map[string]any{"u": want, "y": 2026, "q": 4}).into(t, &v)
			if !reflect.DeepEqual(e.Node.Rules, v.Verdicts) {
				t.Errorf("row of %s:\n%+v\nits verdicts:\n%+v", e.Node.User.Username, e.Node.Rules, v.Verdicts)
			}
		}
		got := append([]totalsOut(nil), r.Totals...)
		sort.Slice(got, func(i, j int) bool { return got[i].Rule+"/"+got[i].Item < got[j].Rule+"/"+got[j].Item })
		if want := expectTotals(rows); !reflect.DeepEqual(got, want) {
			t.Errorf("totals = %+v\nwant %+v", got, want)
		}
		if v := rows[0].Rules[0]; v.Rule != "R2" || v.Status != "MET" {
			t.Errorf("cadre-a's R2 = %+v, want MET", v)
		}
		if v := rows[1].Rules[0]; v.Rule != "R2" || v.Status != "AT_RISK" {
			t.Errorf("cadre-b's R2 = %+v, want AT_RISK: four days left", v)
		}

		if paged := s.allRows(t, w.sup, w.unit, 2026, 4, 2, nil); !reflect.DeepEqual(usernames(paged), usernames(rows)) {
			t.Errorf("pages of 2: %v, want %v", usernames(paged), usernames(rows))
		}
		for _, rule := range []string{"", "R2", "R6"} {
			var want []string
			for _, row := range rows {
				if failing(row.Rules, rule) {
					want = append(want, row.User.Username)
				}
			}
			vars := map[string]any{"fail": true}
			if rule != "" {
				vars["rule"] = rule
			}
			if got := usernames(s.allRows(t, w.sup, w.unit, 2026, 4, 1, vars)); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("onlyFailing of %q: %v, want %v", rule, got, want)
			}
		}
		if got := usernames(s.allRows(t, w.sup, w.unit, 2026, 4, 3, map[string]any{"fail": true, "rule": "R2"})); fmt.Sprint(got) != "[cadre-b cadre-c]" {
			t.Errorf("failing R2: %v, want cadre-b and cadre-c", got)
		}

		// Scope: the county's supervisor sees its own subtree only.
		if c := s.reportOf(t, childSup, child, 2026, 4, map[string]any{"first": 3}); c.Cadres != 1 || c.Rows.Edges[0].Node.User.ID != idC {
			t.Errorf("the county's report: %d cadres", c.Cadres)
		}
		for who, tok := range map[string]string{"the county's supervisor": childSup, "a cadre": tokA} {
			if resp := s.report(t, tok, w.unit, 2026, 4, nil); resp.Code() != "FORBIDDEN" {
				t.Errorf("%s reads the city's report: %s, want FORBIDDEN", who, resp.Raw)
			}
		}
		if resp := s.report(t, w.sup, "999999", 2026, 4, nil); resp.Code() != "NOT_FOUND" {
			t.Errorf("an unknown unit: %s, want NOT_FOUND", resp.Raw)
		}
		if resp := s.report(t, w.sup, w.unit, 2026, 5, nil); resp.Code() != "INVALID" {
			t.Errorf("quarter 5: %s, want INVALID", resp.Raw)
		}

		// Closing freezes; a correction shows beside the frozen verdict.
		const closeMutation = `mutation($o: ID!) { closeQuarter(orgUnitId: $o, year: 2026, quarter: 4) { closedAt closedBy { username } cadres } }`
		if resp := s.post(t, tokA, closeMutation, map[string]any{"o": w.unit}); resp.Code() != "FORBIDDEN" {
			t.Errorf("a cadre closes: %s, want FORBIDDEN", resp.Raw)
		}
		var closed struct {
			CloseQuarter struct {
				ClosedAt *string
				ClosedBy *struct{ Username string }
				Cadres   int
			}
		}
		s.post(t, w.sup, closeMutation, map[string]any{"o": w.unit}).into(t, &closed)
		if c := closed.CloseQuarter; c.ClosedAt == nil || c.ClosedBy == nil || c.ClosedBy.Username != "sup" || c.Cadres != 3 {
			t.Fatalf("closeQuarter = %+v", c)
		}
		for who, tok := range map[string]string{"again": w.sup, "below": childSup} {
			unit := map[string]string{"again": w.unit, "below": child}[who]
			if resp := s.post(t, tok, closeMutation, map[string]any{"o": unit}); resp.Code() != "CONFLICT" {
				t.Errorf("closing %s: %s, want CONFLICT", who, resp.Raw)
			}
		}
		// The city's supervisor closed it; the county's supervisor does not
		// read accounts above its unit.
		if r := s.reportOf(t, childSup, child, 2026, 4, nil); r.ClosedAt == nil || r.ClosedBy != nil {
			t.Errorf("the county's report after the city closed: closed at %v by %v", r.ClosedAt, r.ClosedBy)
		}
		s.overturned(t, w.sup, idsA[0], "", "REJECT", "the photo shows another place")
		after := s.reportOf(t, w.sup, w.unit, 2026, 4, map[string]any{"first": 3})
		if after.ClosedAt == nil || *after.ClosedAt != *closed.CloseQuarter.ClosedAt {
			t.Errorf("closedAt = %v, want %v", after.ClosedAt, *closed.CloseQuarter.ClosedAt)
		}
		var changed []changeOut
		for _, e := range after.Rows.Edges {
			if e.Node.User.ID == idA {
				changed = e.Node.ChangedSinceClosing
			} else if len(e.Node.ChangedSinceClosing) != 0 {
				t.Errorf("%s changed: %+v", e.Node.User.Username, e.Node.ChangedSinceClosing)
			}
		}
		var r2 *changeOut
		for i := range changed {
			if changed[i].Rule == "R2" {
				r2 = &changed[i]
			}
		}
		if r2 == nil || r2.Closed != "MET" || r2.Now == "MET" || r2.ClosedMessage == r2.Message {
			raw, _ := json.Marshal(changed)
			t.Errorf("cadre-a's changes after the overturn: %s, want R2 from MET to no longer met", raw)
		}
	})
}
