package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/store/storetest"
)

// 兰考县 (410225): its label point in GCJ-02, the same place as raw GPS, a
// vertex of its border, and 杞县's label point (a neighbour county).
var (
	lankaoGCJ  = orb.Point{114.820572, 34.829899}
	lankaoEdge = orb.Point{114.835678, 34.74691}
	qixianGCJ  = orb.Point{114.770472, 34.554585}
	hubei      = orb.Point{113.0, 30.5}
)

func wgs(t *testing.T, p orb.Point) orb.Point {
	q, err := geofence.Convert(p, geofence.GCJ02, geofence.WGS84)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// near shifts p by about n×11 m east, so fixes are not identical.
func near(p orb.Point, n int) orb.Point { return orb.Point{p[0] + float64(n)*0.0001, p[1]} }

// fieldWorld is an admin, a supervisor and cadres of one city unit, each
// cadre assigned to 兰考县 and signed in on its phone.
type fieldWorld struct {
	admin, sup string
	lankao     string // region id
	unit       string
}

func setupField(t *testing.T, s *testServer) *fieldWorld {
	t.Helper()
	w := &fieldWorld{admin: s.login(t, "admin", s.AdminPW, "laptop").Login.AccessToken}
	var unit struct{ CreateOrgUnit struct{ ID string } }
	s.post(t, w.admin, `mutation { createOrgUnit(input: {code: "410200", name: "开封团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(t, &unit)
	w.unit = unit.CreateOrgUnit.ID
	var regs struct {
		Regions struct {
			Edges []struct{ Node struct{ ID, Code string } }
		}
	}
	s.post(t, w.admin, `{ regions(kind: COUNTY, cityCode: "410200", first: 50) { edges { node { id code } } } }`, nil).into(t, &regs)
	for _, e := range regs.Regions.Edges {
		if e.Node.Code == "410225" {
			w.lankao = e.Node.ID
		}
	}
	if w.lankao == "" {
		t.Fatal("兰考县 not among the bundled regions")
	}
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": "sup", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": w.unit}}).into(t, &struct{}{})
	w.sup = s.activate(t, "sup", "password-1", "sup-phone").Login.AccessToken
	return w
}

// cadre creates a cadre assigned to 兰考县 from 2026-01-01 and signs it in.
func (w *fieldWorld) cadre(t *testing.T, s *testServer, name string) (token, id string) {
	t.Helper()
	var u struct{ CreateUser struct{ ID string } }
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": name, "password": initialPassword, "role": "CADRE", "orgUnitId": w.unit}}).into(t, &u)
	s.post(t, w.sup, `mutation($u: ID!, $r: ID!) { assign(input: {userId: $u, regionId: $r, validFrom: "2026-01-01"}) { id } }`,
		map[string]any{"u": u.CreateUser.ID, "r": w.lankao}).into(t, &struct{}{})
	return s.activate(t, name, "password-1", name+"-phone").Login.AccessToken, u.CreateUser.ID
}

const checkInMutation = `mutation($in: CheckInInput!) { checkIn(input: $in) {
  replayed counts verdict region { name } flags { code value limit blocking }
  day { date checkIns counted message }
  checkIn { id localDate status }
} }`

type checkInOut struct {
	CheckIn struct {
		Replayed, Counts bool
		Verdict          string
		Region           *struct{ Name string }
		Flags            []struct {
			Code         string
			Value, Limit float64
			Blocking     bool
		}
		Day *struct {
			Date     string
			CheckIns int
			Counted  bool
			Message  string
		}
		CheckIn struct{ ID, LocalDate, Status string }
	}
}

func (o checkInOut) flags() string {
	var cs []string
	for _, f := range o.CheckIn.Flags {
		cs = append(cs, f.Code)
	}
	return strings.Join(cs, ",")
}

func fix(id string, p orb.Point, acc float64, cs string, device time.Time) map[string]any {
	return map[string]any{"clientId": id, "lat": p[1], "lon": p[0], "accuracy": acc, "coordSystem": cs, "deviceTime": device.Format(time.RFC3339Nano)}
}

func (s *testServer) checkIn(t *testing.T, tok string, in map[string]any) checkInOut {
	t.Helper()
	var out checkInOut
	s.post(t, tok, checkInMutation, map[string]any{"in": in}).into(t, &out)
	return out
}

func TestCheckInVerdictsAndFlags(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		now := s.clock.Now
		cases := []struct {
			name       string
			in         func() map[string]any
			verdict    string
			region     string
			counts     bool
			wantFlags  string
			dayMessage string
		}{
			{"inside, GCJ-02", func() map[string]any { return fix("a1", lankaoGCJ, 15, "GCJ02", now()) }, "INSIDE", "兰考县", true, "", "after 13:00"},
			{"inside, WGS-84", func() map[string]any { return fix("a2", wgs(t, near(lankaoGCJ, 2)), 15, "WGS84", now()) }, "INSIDE", "兰考县", true, "", "after 13:01"},
			{"on the border, 80 m accuracy", func() map[string]any { return fix("a3", lankaoEdge, 80, "GCJ02", now()) }, "BOUNDARY", "兰考县", false, "", ""},
			{"mock location", func() map[string]any {
				m := fix("a4", near(lankaoGCJ, 4), 15, "GCJ02", now())
				m["mockLocation"] = true
				return m
			}, "INSIDE", "兰考县", false, "MOCK_LOCATION", ""},
			{"skewed clock", func() map[string]any { return fix("a5", near(lankaoGCJ, 5), 15, "GCJ02", now().Add(-time.Hour)) }, "INSIDE", "兰考县", false, "CLOCK_SKEW", ""},
			{"low accuracy", func() map[string]any { return fix("a6", near(lankaoGCJ, 6), 150, "GCJ02", now()) }, "INSIDE", "兰考县", false, "LOW_ACCURACY", ""},
			{"same fix again", func() map[string]any { return fix("a7", near(lankaoGCJ, 6), 150, "GCJ02", now()) }, "INSIDE", "兰考县", false, "LOW_ACCURACY,REPEATED_FIX", ""},
			{"neighbour county, 30 km in a minute", func() map[string]any { return fix("a8", qixianGCJ, 15, "GCJ02", now()) }, "INSIDE", "杞县", false, "IMPOSSIBLE_TRAVEL,NOT_ASSIGNED", ""},
			{"outside Henan", func() map[string]any { return fix("a9", hubei, 15, "GCJ02", now()) }, "OUTSIDE", "", false, "IMPOSSIBLE_TRAVEL", ""},
		}
		for i, tc := range cases {
			tok, _ := w.cadre(t, s, fmt.Sprintf("cadre%d", i))
			if i >= 6 { // the last cases build on the history of "low accuracy"
				tok = s.login(t, "cadre5", "password-1", "cadre5-phone").Login.AccessToken
			}
			s.clock.Set(at(2026, 11, 2, 9, i))
			out := s.checkIn(t, tok, tc.in())
			c := out.CheckIn
			region := ""
			if c.Region != nil {
				region = c.Region.Name
			}
			if c.Verdict != tc.verdict || region != tc.region || c.Counts != tc.counts || out.flags() != tc.wantFlags {
				t.Errorf("%s: got %s %q counts=%v flags=[%s], want %s %q counts=%v flags=[%s]",
					tc.name, c.Verdict, region, c.Counts, out.flags(), tc.verdict, tc.region, tc.counts, tc.wantFlags)
			}
			if tc.dayMessage != "" && (c.Day == nil || !strings.Contains(c.Day.Message, tc.dayMessage)) {
				t.Errorf("%s: day = %+v, want a message with %q", tc.name, c.Day, tc.dayMessage)
			}
			wantStatus := map[bool]string{true: "ACCEPTED", false: "PENDING"}[tc.counts]
			if c.CheckIn.Status != wantStatus {
				t.Errorf("%s: status %s, want %s", tc.name, c.CheckIn.Status, wantStatus)
			}
		}
		for name, in := range map[string]map[string]any{
			"latitude out of range": fix("bad1", orb.Point{114.8, 95}, 10, "GCJ02", now()),
			"negative accuracy":     fix("bad2", lankaoGCJ, -5, "GCJ02", now()),
			"empty client id":       fix("", lankaoGCJ, 5, "GCJ02", now()),
		} {
			tok, _ := w.cadre(t, s, "bad-"+strings.ReplaceAll(name, " ", "-"))
			if r := s.post(t, tok, checkInMutation, map[string]any{"in": in}); r.Code() != "INVALID" {
				t.Errorf("%s: %s, want INVALID", name, r.Raw)
			}
		}
		if r := s.post(t, w.sup, checkInMutation, map[string]any{"in": fix("s1", lankaoGCJ, 5, "GCJ02", now())}); r.Code() != "FORBIDDEN" {
			t.Errorf("supervisor check-in: %s, want FORBIDDEN", r.Raw)
		}
	})
}
