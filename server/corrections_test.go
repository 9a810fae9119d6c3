package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

const overturnMutation = `mutation($id: ID!, $s: ID, $d: ReviewDecision!, $r: String!, $g: ID) {
  overturnCheckIn(id: $id, supersedes: $s, decision: $d, reason: $r, regionId: $g) {
    id seq decision ledgerKind supersedes { id } checkIn { id status counts countsAt { name } }
  }
}`

type rulingOut struct {
	ID, Decision, LedgerKind string
	Seq                      int
	Supersedes               *struct{ ID string }
	CheckIn                  ruledCheckIn
}

type ruledCheckIn struct {
	ID, Status string
	Counts     bool
	CountsAt   []struct{ Name string }
	Rulings    []struct {
		ID  string
		Seq int
	}
}

// overturn supersedes the latest ruling on check-in id (named by
// supersedes, "" for none) and returns the answer.
func (s *testServer) overturn(t *testing.T, tok, id, supersedes, decision, reason string) *gqlResponse {
	t.Helper()
	vars := map[string]any{"id": id, "d": decision, "r": reason}
	if supersedes != "" {
		vars["s"] = supersedes
	}
	return s.post(t, tok, overturnMutation, vars)
}

func (s *testServer) overturned(t *testing.T, tok, id, supersedes, decision, reason string) rulingOut {
	t.Helper()
	var out struct{ OverturnCheckIn rulingOut }
	s.overturn(t, tok, id, supersedes, decision, reason).into(t, &out)
	return out.OverturnCheckIn
}

// ruledCheckIn reads check-in id of cadre uid as tok sees it.
func (s *testServer) ruledCheckIn(t *testing.T, tok, uid, id string) ruledCheckIn {
	t.Helper()
	var out struct {
		CheckIns struct{ Edges []struct{ Node ruledCheckIn } }
	}
	s.post(t, tok, `query($u: ID!) { checkIns(userId: $u, first: 20) { edges { node {
		id status counts countsAt { name } rulings { id seq } } } } }`, map[string]any{"u": uid}).into(t, &out)
	for _, e := range out.CheckIns.Edges {
		if e.Node.ID == id {
			return e.Node
		}
	}
	t.Fatalf("check-in %s not among the cadre's", id)
	return ruledCheckIn{}
}

const correctionDaysQuery = `query($y: Int!, $q: Int!) { myDays(year: $y, quarter: $q) {
  days { date checkIns counted madeUp countedByCheckIns region { name } } r2 { days } } }`

type correctionDay struct {
	Date                               string
	CheckIns                           int
	Counted, MadeUp, CountedByCheckIns bool
	Region                             struct{ Name string }
}

// days returns the cadre's days of 2026 Q4 by date (one region each here).
func (s *testServer) days(t *testing.T, tok string) map[string]correctionDay {
	t.Helper()
	var out struct {
		MyDays struct{ Days []correctionDay }
	}
	s.post(t, tok, correctionDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &out)
	m := map[string]correctionDay{}
	for _, d := range out.MyDays.Days {
		m[d.Date+" "+d.Region.Name] = d
	}
	return m
}

// supervisor creates another supervisor of w's unit and signs it in.
func (w *fieldWorld) supervisor(t *testing.T, s *testServer, name string) string {
	t.Helper()
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": name, "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": w.unit}}).into(t, &struct{}{})
	return s.activate(t, name, "password-1", name+"-laptop").Login.AccessToken
}

// TestOverturnedAcceptedCheckInLeavesItsDay: a spot check strikes an
// ACCEPTED check-in — the day it completed stops counting, and so does the
// interview that hung on it; a peer of the ruler may not overturn the
// ruling, a ruling naming no superseded ruling is CONFLICT, the discipline
// group restores it (the day and the interview count again), a resend
// returns the same ruling, the history lists both, and striking every
// check-in of the day removes the day. Every ruling is a ledger leaf.
func TestOverturnedAcceptedCheckInLeavesItsDay(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		tok, uid := w.cadre(t, s, "struck")
		morning := s.checkIn(t, tok, fix("o1", lankaoGCJ, 15, "GCJ02", s.clock.Now())).CheckIn.CheckIn.ID
		s.clock.Set(at(2026, 11, 2, 10, 0))
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-o", near(lankaoGCJ, 5), s.clock.Now())}).into(t, &rec)
		iv := rec.RecordActivity.Activity.ID
		s.clock.Set(at(2026, 11, 2, 14, 0))
		afternoon := s.checkIn(t, tok, fix("o2", near(lankaoGCJ, 1), 15, "GCJ02", s.clock.Now()))
		if !afternoon.CheckIn.Counts || !afternoon.CheckIn.Day.Counted {
			t.Fatalf("the afternoon check-in: %+v, want ACCEPTED completing the day", afternoon.CheckIn)
		}
		pm := afternoon.CheckIn.CheckIn.ID
		if got := s.activity(t, w.sup, iv); !got.Counts {
			t.Fatalf("the interview before any ruling: %+v, want counting", got)
		}

		struck := s.overturned(t, w.sup, pm, "", "REJECT", "the spot check found it sent from elsewhere")
		if struck.Seq != 1 || struck.Supersedes != nil || struck.LedgerKind != "REVIEW" || struck.CheckIn.Status != "REJECTED" ||
			struck.CheckIn.Counts || len(struck.CheckIn.CountsAt) != 0 {
			t.Errorf("the strike: %+v, want the first ruling, REJECTED, counting nowhere", struck)
		}
		day := s.days(t, tok)["2026-11-02 兰考县"]
		if day.CheckIns != 1 || day.Counted {
			t.Errorf("the day after the strike: %+v, want 1 check-in, not counted", day)
		}
		if got := s.activity(t, w.sup, iv); got.Counts || got.Reason == nil || !strings.Contains(*got.Reason, "不是有效下沉日") {
			t.Errorf("the interview after the strike: %+v (%s), want not counting, saying why", got, deref(got.Reason))
		}

		peer := w.supervisor(t, s, "peer")
		if r := s.overturn(t, peer, pm, struck.ID, "CONFIRM", "I disagree"); r.Code() != "FORBIDDEN" {
			t.Errorf("a peer of the ruler: %s, want FORBIDDEN", r.Raw)
		}
		if r := s.overturn(t, tok, pm, struck.ID, "CONFIRM", "it was me"); r.Code() != "FORBIDDEN" {
			t.Errorf("the cadre itself: %s, want FORBIDDEN", r.Raw)
		}
		insp := inspectorToken(t, s, w)
		if r := s.overturn(t, insp, pm, "", "CONFIRM", "checked"); r.Code() != "CONFLICT" {
			t.Errorf("naming no ruling where there is one: %s, want CONFLICT", r.Raw)
		}
		restored := s.overturned(t, insp, pm, struck.ID, "CONFIRM", "the county's sign-in sheet has him at 14:00")
		if restored.Seq != 2 || restored.Supersedes == nil || restored.Supersedes.ID != struck.ID || restored.LedgerKind != "RULING" ||
			restored.CheckIn.Status != "CONFIRMED" || !restored.CheckIn.Counts {
			t.Errorf("the restoration: %+v, want seq 2 superseding %s, CONFIRMED, counting", restored, struck.ID)
		}
		if again := s.overturned(t, insp, pm, struck.ID, "CONFIRM", "the county's sign-in sheet has him at 14:00"); again.ID != restored.ID {
			t.Errorf("a resend of the restoration: ruling %s, want %s again", again.ID, restored.ID)
		}
		if day := s.days(t, tok)["2026-11-02 兰考县"]; day.CheckIns != 2 || !day.Counted {
			t.Errorf("the day after the restoration: %+v, want 2 check-ins, counted", day)
		}
		if got := s.activity(t, tok, iv); !got.Counts {
			t.Errorf("the interview after the restoration: %+v, want counting", got)
		}
		if c := s.ruledCheckIn(t, tok, uid, pm); len(c.Rulings) != 2 || c.Rulings[0].ID != struck.ID || c.Rulings[1].ID != restored.ID {
			t.Errorf("the history the cadre sees: %+v, want both rulings in order", c.Rulings)
		}
		var entry struct {
			LedgerEntry struct {
				Key     string
				Matches bool
			}
		}
		s.post(t, insp, `query($id: ID!) { ledgerEntry(kind: RULING, id: $id) { key matches } }`, map[string]any{"id": restored.ID}).into(t, &entry)
		if !entry.LedgerEntry.Matches || !strings.Contains(entry.LedgerEntry.Key, "seq=2") {
			t.Errorf("the restoration's ledger entry: %+v", entry.LedgerEntry)
		}

		s.overturned(t, insp, pm, restored.ID, "REJECT", "struck again")
		s.overturned(t, insp, morning, "", "REJECT", "struck too")
		if day, ok := s.days(t, tok)["2026-11-02 兰考县"]; ok {
			t.Errorf("a day whose every check-in is struck: %+v, want no day", day)
		}
		if got := s.activity(t, tok, iv); got.Counts || got.Reason == nil || !strings.Contains(*got.Reason, "当天在此没有有效签到") {
			t.Errorf("the interview on a day without check-ins: %+v (%s)", got, deref(got.Reason))
		}
	})
}

// TestRejectedCheckInUncountsActivities: a day completed by a check-in a
// supervisor confirmed counts with its interview; when the discipline group
// overturns the confirmation, the interview stops counting.
func TestRejectedCheckInUncountsActivities(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 4, 9, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "border")
		s.checkIn(t, tok, fix("b1", near(lankaoGCJ, 2), 15, "GCJ02", s.clock.Now()))
		s.clock.Set(at(2026, 11, 4, 10, 0))
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-b", near(lankaoGCJ, 3), s.clock.Now())}).into(t, &rec)
		s.clock.Set(at(2026, 11, 4, 15, 0))
		edge := s.checkIn(t, tok, fix("b2", lankaoEdge, 80, "GCJ02", s.clock.Now())).CheckIn.CheckIn.ID
		var rev struct{ ReviewCheckIn struct{ ID string } }
		s.post(t, w.sup, reviewMutation, map[string]any{"id": edge, "d": "CONFIRM", "r": "seen at the county office"}).into(t, &rev)
		iv := rec.RecordActivity.Activity.ID
		if got := s.activity(t, tok, iv); !got.Counts {
			t.Fatalf("after the confirmation: %+v, want counting", got)
		}
		insp := inspectorToken(t, s, w)
		s.overturned(t, insp, edge, rev.ReviewCheckIn.ID, "REJECT", "the office was closed that afternoon")
		if got := s.activity(t, tok, iv); got.Counts {
			t.Errorf("after the confirmation was overturned: %+v, want not counting", got)
		}
	})
}

// TestConfirmingOutsideCheckIn: confirming a check-in outside every region
// claims nothing that did not happen — without a region it is CONFIRMED
// but counts nowhere, and says so; naming the assigned county counts it
// there. A region is named only by a confirmation of a check-in outside
// every region.
func TestConfirmingOutsideCheckIn(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 5, 9, 0)))
		w := setupField(t, s)
		tok, uid := w.cadre(t, s, "faraway")
		review := `mutation($id: ID!, $d: ReviewDecision!, $g: ID) { reviewCheckIn(id: $id, decision: $d, reason: "meeting at the provincial office", regionId: $g) {
			id ledgerKind region { name } checkIn { status counts countsAt { name } } } }`
		type reviewed struct {
			ReviewCheckIn struct {
				ID, LedgerKind string
				Region         *struct{ Name string }
				CheckIn        ruledCheckIn
			}
		}
		first := s.checkIn(t, tok, fix("x1", hubei, 15, "GCJ02", s.clock.Now())).CheckIn.CheckIn.ID
		var r1 reviewed
		s.post(t, w.sup, review, map[string]any{"id": first, "d": "CONFIRM"}).into(t, &r1)
		if c := r1.ReviewCheckIn.CheckIn; c.Status != "CONFIRMED" || c.Counts || len(c.CountsAt) != 0 {
			t.Errorf("confirmed without a region: %+v, want CONFIRMED counting nowhere", c)
		}
		s.clock.Set(at(2026, 11, 5, 14, 0))
		second := s.checkIn(t, tok, fix("x2", near(hubei, 1), 15, "GCJ02", s.clock.Now())).CheckIn.CheckIn.ID
		if r := s.post(t, w.sup, review, map[string]any{"id": second, "d": "REJECT", "g": w.lankao}); r.Code() != "INVALID" {
			t.Errorf("a rejection naming a region: %s, want INVALID", r.Raw)
		}
		var r2 reviewed
		s.post(t, w.sup, review, map[string]any{"id": second, "d": "CONFIRM", "g": w.lankao}).into(t, &r2)
		if c := r2.ReviewCheckIn.CheckIn; r2.ReviewCheckIn.Region == nil || r2.ReviewCheckIn.LedgerKind != "RULING" || !c.Counts ||
			len(c.CountsAt) != 1 || c.CountsAt[0].Name != "兰考县" {
			t.Errorf("confirmed at 兰考县: %+v, want counting there, a ledger leaf of kind RULING", r2.ReviewCheckIn)
		}
		if day := s.days(t, tok)["2026-11-05 兰考县"]; day.CheckIns != 1 {
			t.Errorf("the day at 兰考县: %+v, want the confirmed check-in in it", day)
		}
		s.clock.Set(at(2026, 11, 5, 15, 0))
		inside := s.checkIn(t, tok, fix("x3", lankaoEdge, 80, "GCJ02", s.clock.Now())).CheckIn.CheckIn.ID
		if r := s.post(t, w.sup, review, map[string]any{"id": inside, "d": "CONFIRM", "g": w.lankao}); r.Code() != "INVALID" {
			t.Errorf("naming a region for a check-in recorded against one: %s, want INVALID", r.Raw)
		}
		// The first one, overturned by the discipline group with a region,
		// counts too: the day now has both.
		insp := inspectorToken(t, s, w)
		var out struct{ OverturnCheckIn rulingOut }
		s.post(t, insp, overturnMutation, map[string]any{"id": first, "s": r1.ReviewCheckIn.ID, "d": "CONFIRM", "r": "at 兰考 after all",
			"g": w.lankao}).into(t, &out)
		if !out.OverturnCheckIn.CheckIn.Counts || s.days(t, tok)["2026-11-05 兰考县"].CheckIns != 2 {
			t.Errorf("overturned with a region: %+v; days %+v", out.OverturnCheckIn, s.days(t, tok))
		}
		if c := s.ruledCheckIn(t, w.sup, uid, first); len(c.Rulings) != 2 {
			t.Errorf("the history: %+v, want two rulings", c.Rulings)
		}
	})
}

// TestNotAssignedCountsWithoutReview: a day in a county the cadre is not
// assigned to counts there without review (R3: grassroots work), flagged
// NOT_ASSIGNED without blocking, and never toward R2 at the assigned
// county.
func TestNotAssignedCountsWithoutReview(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 6, 9, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "roamer")
		am := s.checkIn(t, tok, fix("q1", qixianGCJ, 15, "GCJ02", s.clock.Now()))
		if !am.CheckIn.Counts || am.flags() != "NOT_ASSIGNED" || am.CheckIn.Flags[0].Blocking {
			t.Errorf("a check-in in 杞县: %+v, want counting with NOT_ASSIGNED shown, not blocking", am.CheckIn)
		}
		s.clock.Set(at(2026, 11, 6, 14, 0))
		s.checkIn(t, tok, fix("q2", near(qixianGCJ, 1), 15, "GCJ02", s.clock.Now()))
		var out struct {
			MyDays struct {
				Days []correctionDay
				R2   struct{ Days int }
			}
		}
		s.post(t, tok, correctionDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &out)
		if d := out.MyDays.Days; len(d) != 1 || d[0].Region.Name != "杞县" || !d[0].Counted || out.MyDays.R2.Days != 0 {
			t.Errorf("the quarter: %+v, want one counted day at 杞县 and R2 at 兰考县 none", out.MyDays)
		}
	})
}

// TestDispatchToCampus: a DISPATCH assignment may go to a university
// campus (县级（高校）团委), and R2 is counted there.
func TestDispatchToCampus(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		var imp struct{ ImportRegions struct{ Created int } }
		s.post(t, w.admin, `mutation($g: String!) { importRegions(kind: CAMPUS, coordSystem: WGS84, geojson: $g) { created } }`,
			map[string]any{"g": syntheticCampus}).into(t, &imp)
		var regs struct {
			Regions struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, w.admin, `{ regions(kind: CAMPUS) { edges { node { id } } } }`, nil).into(t, &regs)
		campus := regs.Regions.Edges[0].Node.ID
		var u struct{ CreateUser struct{ ID string } }
		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "student", "password": initialPassword, "role": "CADRE", "orgUnitId": w.unit}}).into(t, &u)
		s.post(t, w.sup, `mutation($u: ID!, $r: ID!) { assign(input: {userId: $u, regionId: $r, purpose: DISPATCH, validFrom: "2026-10-01"}) { id } }`,
			map[string]any{"u": u.CreateUser.ID, "r": campus}).into(t, &struct{}{})
		tok := s.activate(t, "student", "password-1", "student-phone").Login.AccessToken
		for i, hh := range []int{9, 14} {
			s.clock.Set(at(2026, 11, 2, hh, 0))
			in := fix(fmt.Sprintf("c%d", i), [2]float64{113.525 + float64(i)*0.0001, 34.815}, 15, "WGS84", s.clock.Now())
			if out := s.checkIn(t, tok, in); !out.CheckIn.Counts {
				t.Fatalf("check-in on the campus: %+v, want counting", out.CheckIn)
			}
		}
		var days myDaysOut
		s.post(t, tok, myDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &days)
		if c := days.MyDays.County; c == nil || !strings.HasPrefix(c.Name, "Synthetic campus") || days.MyDays.R2.Days != 1 {
			t.Errorf("R2 of a cadre dispatched to a campus: %+v, want counted at the campus, 1 day", days.MyDays)
		}
	})
}

// TestOverturnedActivity: a RECORDED interview on a counted day is struck
// by the supervisor and restored by the discipline group, each ruling
// naming the one it supersedes; the latest decides whether it counts, the
// history keeps both, and the superseding ruling is a ledger leaf.
func TestOverturnedActivity(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 3, 9, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "talker")
		s.checkIn(t, tok, fix("a1", lankaoGCJ, 15, "GCJ02", s.clock.Now()))
		s.clock.Set(at(2026, 11, 3, 14, 0))
		s.checkIn(t, tok, fix("a2", near(lankaoGCJ, 1), 15, "GCJ02", s.clock.Now()))
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-a", near(lankaoGCJ, 2), s.clock.Now())}).into(t, &rec)
		iv := rec.RecordActivity.Activity.ID
		const overturnActivity = `mutation($id: ID!, $s: ID, $d: ReviewDecision!) { overturnActivity(id: $id, supersedes: $s, decision: $d, reason: "call-back") {
			id seq decision reviewerName } }`
		type ruling struct {
			OverturnActivity struct {
				ID, Decision, ReviewerName string
				Seq                        int
			}
		}
		var struck, restored ruling
		s.post(t, w.sup, overturnActivity, map[string]any{"id": iv, "d": "REJECT"}).into(t, &struck)
		if got := s.activity(t, tok, iv); got.Status != "REJECTED" || got.Counts {
			t.Errorf("the struck interview: %+v, want REJECTED, not counting", got)
		}
		if r := s.post(t, w.supervisor(t, s, "peer"), overturnActivity, map[string]any{"id": iv, "s": struck.OverturnActivity.ID, "d": "CONFIRM"}); r.Code() != "FORBIDDEN" {
			t.Errorf("a peer of the ruler: %s, want FORBIDDEN", r.Raw)
		}
		insp := inspectorToken(t, s, w)
		s.post(t, insp, overturnActivity, map[string]any{"id": iv, "s": struck.OverturnActivity.ID, "d": "CONFIRM"}).into(t, &restored)
		if r := restored.OverturnActivity; r.Seq != 2 || r.ReviewerName != "inspector" {
			t.Errorf("the restoration: %+v, want seq 2 by the inspector", r)
		}
		var got struct {
			Activity struct {
				Status  string
				Counts  bool
				Rulings []struct{ Seq int }
			}
		}
		s.post(t, tok, `query($id: ID!) { activity(id: $id) { status counts rulings { seq } } }`, map[string]any{"id": iv}).into(t, &got)
		if a := got.Activity; a.Status != "CONFIRMED" || !a.Counts || len(a.Rulings) != 2 {
			t.Errorf("the restored interview: %+v, want CONFIRMED, counting, two rulings", a)
		}
		var entry struct{ LedgerEntry struct{ Matches bool } }
		s.post(t, insp, `query($id: ID!) { ledgerEntry(kind: ACTIVITY_RULING, id: $id) { matches } }`,
			map[string]any{"id": restored.OverturnActivity.ID}).into(t, &entry)
		if !entry.LedgerEntry.Matches {
			t.Error("the superseding ruling's ledger entry does not match")
		}
	})
}
