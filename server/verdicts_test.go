package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/store/storetest"
)

const verdictsQuery = `query($u: ID!, $y: Int!, $q: Int!) { verdicts(userId: $u, year: $y, quarter: $q) {
  rule item period from to status policyVersion message messageEn coveredDays periodDays daysLeft madeUpDays
  met achievable days qualifyingTrips gaps due region { name } numbers { name label value required full } } }`

type ruleOut struct {
	Rule, Item, Period, From, To, Status, PolicyVersion, Message, MessageEn string
	CoveredDays, PeriodDays, DaysLeft, MadeUpDays, Days, QualifyingTrips    int
	Met, Achievable                                                         bool
	Gaps                                                                    []string
	Due                                                                     *string
	Region                                                                  *struct{ Name string }
	Numbers                                                                 []struct {
		Name, Label           string
		Value, Required, Full int
	}
}

// numbers returns the result's numbers as "name value/required".
func (r ruleOut) numbers() string {
	var s []string
	for _, n := range r.Numbers {
		s = append(s, fmt.Sprintf("%s %d/%d", n.Name, n.Value, n.Required))
	}
	return strings.Join(s, ", ")
}

// verdicts returns userID's verdicts for quarter q of year, as tok sees them.
func (s *testServer) verdicts(t *testing.T, tok, userID string, year, q int) map[string]ruleOut {
	t.Helper()
	var out struct{ Verdicts []ruleOut }
	s.post(t, tok, verdictsQuery, map[string]any{"u": userID, "y": year, "q": q}).into(t, &out)
	byRule := map[string]ruleOut{}
	for _, r := range out.Verdicts {
		byRule[r.Rule+r.Item] = r
	}
	return byRule
}

// onSite checks the cadre of tok in at p on each day of November 2026
// given, at 09:00 and 14:00, and returns the check-ins' ids and statuses.
func (s *testServer) onSite(t *testing.T, tok, prefix string, p orb.Point, days ...int) (ids, statuses []string) {
	t.Helper()
	for _, d := range days {
		for i, hh := range []int{9, 14} {
			s.clock.Set(at(2026, 11, d, hh, 0))
			out := s.checkIn(t, tok, fix(fmt.Sprintf("%s-%d-%d", prefix, d, hh), near(p, d*2+i), 20, "GCJ02", s.clock.Now()))
			ids, statuses = append(ids, out.CheckIn.CheckIn.ID), append(statuses, out.CheckIn.CheckIn.Status+" "+out.flags())
		}
	}
	return ids, statuses
}

// regionID returns the id of the bundled county with code.
func (s *testServer) regionID(t *testing.T, tok, code string) string {
	t.Helper()
	var regs struct {
		Regions struct {
			Edges []struct{ Node struct{ ID, Code string } }
		}
	}
	s.post(t, tok, `{ regions(kind: COUNTY, cityCode: "410200", first: 50) { edges { node { id code } } } }`, nil).into(t, &regs)
	for _, e := range regs.Regions.Edges {
		if e.Node.Code == code {
			return e.Node.ID
		}
	}
	t.Fatalf("no county %s", code)
	return ""
}

// TestVerdictsFollowRotation is the rotation example of docs/rules.md R5:
// assigned to 兰考县 from 2026-01-01 and rotated to 杞县 from 11-16, with
// counted days at 兰考 on 11-02..06 and at 杞县 on 11-17..21, R2 is met —
// 10 days, 2 trips — in verdicts, myDays and presence alike. Days at 杞县
// on 11-08..10, before its assignment began (NOT_ASSIGNED, which does not
// block), count toward R3 and not R2. Another city's supervisor and
// another cadre do not see the verdicts.
func TestVerdictsFollowRotation(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 1, 9, 0)))
		w := setupField(t, s)
		tok, id := w.cadre(t, s, "rotated")
		var as struct {
			Assignments struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, w.sup, `query($u: ID!) { assignments(userId: $u) { edges { node { id } } } }`, map[string]any{"u": id}).into(t, &as)
		s.post(t, w.sup, `mutation($a: ID!, $r: ID!) { rotate(assignmentId: $a, regionId: $r, from: "2026-11-16") { id } }`,
			map[string]any{"a": as.Assignments.Edges[0].Node.ID, "r": s.regionID(t, w.sup, "410221")}).into(t, &struct{}{})

		s.onSite(t, tok, "lk", lankaoGCJ, 2, 3, 4, 5, 6)
		_, statuses := s.onSite(t, tok, "qx-early", qixianGCJ, 8, 9, 10)
		for i, st := range statuses {
			if !strings.HasPrefix(st, "ACCEPTED") || !strings.Contains(st, "NOT_ASSIGNED") {
				t.Fatalf("杞县 before its assignment, check-in %d: %s, want ACCEPTED with NOT_ASSIGNED (it informs, never blocks)", i, st)
			}
		}
		s.onSite(t, tok, "qx", qixianGCJ, 17, 18, 19, 20, 21)
		s.clock.Set(at(2026, 11, 22, 10, 0))

		v := s.verdicts(t, w.sup, id, 2026, 4)
		r2 := v["R2"]
		if r2.Status != "MET" || r2.numbers() != "days 10/10, trips 2/2" || r2.Region == nil || r2.Region.Name != "杞县" ||
			r2.PolicyVersion != "410000:v1" || r2.Period != "2026Q4" || r2.From != "2026-10-01" || r2.To != "2026-12-31" || !r2.Met {
			t.Errorf("R2 = %+v, want MET with 10 days and 2 trips at 杞县 under 410000:v1", r2)
		}
		if r3 := v["R3"]; r3.Status != "ON_TRACK" || r3.numbers() != "days 13/50" || r3.Period != "2026" {
			t.Errorf("R3 = %+v, want ON_TRACK with 13 days of 50 (杞县's early days count here)", r3)
		}
		if r4 := v["R4"]; r4.Status != "EXEMPT" {
			t.Errorf("R4 = %+v, want EXEMPT: not in the school-work group", r4)
		}
		if r6 := v["R6"]; r6.Status != "ON_TRACK" || r6.numbers() != "forumsYouth 0/1, forumsCadre 0/1, interviewsYouth 0/10, interviewsCadre 0/10" ||
			!strings.HasPrefix(r6.Message, "本季度还需组织 1 次普通青年座谈交流会") {
			t.Errorf("R6 = %+v", r6)
		}
		if r7 := v["R7"]; r7.Status != "ON_TRACK" || r7.numbers() != "lectures 0/2" {
			t.Errorf("R7 = %+v", r7)
		}

		var mine myDaysOut
		s.post(t, tok, myDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &mine)
		if r := mine.MyDays.R2; !r.Met || r.Days != 10 || r.QualifyingTrips != 2 || len(r.Gaps) != 0 {
			t.Errorf("myDays r2 = %+v, want met, 10 days, 2 trips", r)
		}
		var pres struct {
			Presence struct {
				R2 struct{ Status, Message string }
			}
		}
		s.post(t, w.sup, `query($u: ID!) { presence(userId: $u, year: 2026, quarter: 4) { r2 { status message } } }`,
			map[string]any{"u": id}).into(t, &pres)
		if pres.Presence.R2.Status != "MET" || !strings.HasPrefix(pres.Presence.R2.Message, "本季度已达标") {
			t.Errorf("presence r2 = %+v", pres.Presence.R2)
		}

		var unit struct{ CreateOrgUnit struct{ ID string } }
		s.post(t, w.admin, `mutation { createOrgUnit(input: {code: "410300", name: "洛阳团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(t, &unit)
		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "sup-ly", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": unit.CreateOrgUnit.ID}}).into(t, &struct{}{})
		other := s.activate(t, "sup-ly", "password-1", "sup-ly-phone").Login.AccessToken
		otherCadre, _ := w.cadre(t, s, "neighbour")
		for who, tk := range map[string]string{"another city's supervisor": other, "another cadre": otherCadre} {
			if r := s.post(t, tk, verdictsQuery, map[string]any{"u": id, "y": 2026, "q": 4}); r.Code() != "NOT_FOUND" {
				t.Errorf("%s reads the verdicts: %s, want NOT_FOUND", who, r.Raw)
			}
		}
		if own := s.verdicts(t, tok, id, 2026, 4); own["R2"].Status != "MET" {
			t.Errorf("the cadre's own R2: %+v", own["R2"])
		}
		if r := s.post(t, w.sup, verdictsQuery, map[string]any{"u": id, "y": 2026, "q": 5}); r.Code() != "INVALID" {
			t.Errorf("quarter 5: %s, want INVALID", r.Raw)
		}
	})
}
