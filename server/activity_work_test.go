package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestYouthWorkCountsAndReviews: an offline sync of interviews lands on
// its own dates; the supervisor sees the cadre's numbers against R6/R7,
// per cadre and for the unit; a PENDING activity joins the review queue
// and counts once confirmed; a correction supersedes the original.
func TestYouthWorkCountsAndReviews(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)))
		w := setupField(t, s)
		tok, uid := w.cadre(t, s, "worker")
		s.checkIn(t, tok, fix("c1", lankaoGCJ, 15, "GCJ02", s.clock.Now()))
		s.clock.Set(at(2026, 11, 2, 13, 0))
		s.checkIn(t, tok, fix("c2", near(lankaoGCJ, 1), 15, "GCJ02", s.clock.Now()))

		// Three interviews queued offline on 11-02, synced the next morning,
		// one of them outside every county (PENDING).
		s.clock.Set(at(2026, 11, 3, 9, 0))
		batch := []map[string]any{
			interview("s-1", near(lankaoGCJ, 2), at(2026, 11, 2, 10, 0)),
			interview("s-2", near(lankaoGCJ, 3), at(2026, 11, 2, 11, 0)),
			interview("s-3", hubei, at(2026, 11, 2, 11, 30)),
		}
		var sync struct {
			SyncActivities []struct {
				ClientID string
				Error    *struct{ Code string }
				Result   *struct {
					Activity struct {
						ID, Status, LocalDate string
						Counts                bool
					}
				}
			}
		}
		s.post(t, tok, `mutation($b: [ActivityInput!]!) { syncActivities(inputs: $b) {
			clientId error { code } result { activity { id status localDate counts } } } }`, map[string]any{"b": batch}).into(t, &sync)
		for i, want := range []struct {
			status string
			counts bool
		}{{"RECORDED", true}, {"RECORDED", true}, {"PENDING", false}} {
			it := sync.SyncActivities[i]
			if it.Error != nil || it.Result.Activity.Status != want.status || it.Result.Activity.Counts != want.counts || it.Result.Activity.LocalDate != "2026-11-02" {
				t.Errorf("synced item %d: %+v %+v, want %s counts=%v on 2026-11-02", i, it.Error, it.Result, want.status, want.counts)
			}
		}
		pending := sync.SyncActivities[2].Result.Activity.ID

		const youthWork = `query($u: ID) { youthWork(userId: $u, year: 2026, quarter: 4) {
			quarter kinds { kind recorded counting required } lectures { recorded required } openFollowUps } }`
		type kindCount struct {
			Kind                         string
			Recorded, Counting, Required int
		}
		var yw struct {
			YouthWork struct {
				Quarter  string
				Kinds    []kindCount
				Lectures struct{ Recorded, Required int }
			}
		}
		s.post(t, w.sup, youthWork, map[string]any{"u": uid}).into(t, &yw)
		if k := yw.YouthWork.Kinds[0]; k.Kind != "INTERVIEW_YOUTH" || k.Recorded != 3 || k.Counting != 2 || k.Required != 10 {
			t.Errorf("interviews: %+v, want 3 recorded, 2 counting, 10 required", k)
		}
		if l := yw.YouthWork.Lectures; l.Required != 2 {
			t.Errorf("lectures: %+v, want 2 required a year", l)
		}

		// The review queue: the pending interview, confirmed, still counts
		// nowhere (it lies in no county) and says so.
		var queue struct {
			Activities struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, w.sup, `{ activities(pending: true) { edges { node { id } } } }`, nil).into(t, &queue)
		if len(queue.Activities.Edges) != 1 || queue.Activities.Edges[0].Node.ID != pending {
			t.Errorf("review queue: %+v, want the pending interview %s", queue.Activities.Edges, pending)
		}
		review := `mutation($id: ID!, $d: ReviewDecision!) { reviewActivity(id: $id, decision: $d, reason: "called the youth") { decision } }`
		if r := s.post(t, tok, review, map[string]any{"id": pending, "d": "CONFIRM"}); r.Code() != "FORBIDDEN" {
			t.Errorf("the cadre reviewing: %s, want FORBIDDEN", r.Raw)
		}
		s.post(t, w.sup, review, map[string]any{"id": pending, "d": "CONFIRM"}).into(t, &struct{}{})
		if a := s.activity(t, w.sup, pending); a.Status != "CONFIRMED" || a.Counts || a.Reason == nil {
			t.Errorf("confirmed outside every county: %+v, want CONFIRMED, not counting, with the reason", a)
		}
		if r := s.post(t, w.sup, review, map[string]any{"id": pending, "d": "REJECT"}); r.Code() != "CONFLICT" {
			t.Errorf("a second ruling: %s, want CONFLICT", r.Raw)
		}

		// A correction supersedes the interview it corrects.
		first := sync.SyncActivities[0].Result.Activity.ID
		fixed := interview("s-1-fix", near(lankaoGCJ, 2), at(2026, 11, 2, 10, 0))
		fixed["topic"], fixed["corrects"] = "就业意向（更正）", first
		s.post(t, tok, recordActivity, map[string]any{"in": fixed}).into(t, &struct{}{})
		if a := s.activity(t, tok, first); a.Counts || a.Reason == nil {
			t.Errorf("the corrected interview: %+v, want not counting, with a reason", a)
		}
		s.post(t, w.sup, youthWork, map[string]any{"u": uid}).into(t, &yw)
		if k := yw.YouthWork.Kinds[0]; k.Recorded != 3 || k.Counting != 2 {
			t.Errorf("after the correction: %+v, want still 3 recorded (the correction replaces its original), 2 counting", k)
		}
		other, _ := w.cadre(t, s, "bystander")
		fixed["clientId"] = "steal"
		if r := s.post(t, other, recordActivity, map[string]any{"in": fixed}); r.Code() != "NOT_FOUND" {
			t.Errorf("correcting another cadre's activity: %s, want NOT_FOUND", r.Raw)
		}

		var unit struct {
			UnitYouthWork struct {
				Edges []struct {
					Node struct {
						User  struct{ Username string }
						Kinds []kindCount
					}
				}
			}
		}
		s.post(t, w.sup, `query($u: ID!) { unitYouthWork(orgUnitId: $u, year: 2026, quarter: 4) {
			edges { node { user { username } kinds { kind recorded counting required } } } } }`, map[string]any{"u": w.unit}).into(t, &unit)
		found := false
		for _, e := range unit.UnitYouthWork.Edges {
			if e.Node.User.Username == "worker" {
				found = e.Node.Kinds[0].Counting == 2
			}
		}
		if !found || len(unit.UnitYouthWork.Edges) != 2 {
			t.Errorf("unit youth work: %+v, want worker with 2 counting interviews and bystander", unit.UnitYouthWork.Edges)
		}
	})
}

// TestFollowUps: a need raised in an interview becomes a case; the cadre
// and its supervisor see it among the open cases; a resolved case says
// what was done and keeps its history; a cadre of another unit cannot
// touch it.
func TestFollowUps(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 10, 0)))
		w := setupField(t, s)
		tok, uid := w.cadre(t, s, "helper")
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": interview("need-1", lankaoGCJ, s.clock.Now())}).into(t, &rec)
		need := rec.RecordActivity.Activity.Needs[0].ID

		var opened struct{ OpenFollowUp struct{ ID, Status string } }
		s.post(t, tok, `mutation($n: ID!) { openFollowUp(needId: $n, action: "联系县人社局就业培训") { id status } }`,
			map[string]any{"n": need}).into(t, &opened)
		if opened.OpenFollowUp.Status != "OPEN" {
			t.Fatalf("opened: %+v", opened.OpenFollowUp)
		}
		if r := s.post(t, tok, `mutation($n: ID!) { openFollowUp(needId: $n, action: "again") { id } }`, map[string]any{"n": need}); r.Code() != "CONFLICT" {
			t.Errorf("opening a need twice: %s, want CONFLICT", r.Raw)
		}
		list := func(tok string, vars map[string]any) []string {
			var out struct {
				FollowUps struct {
					Edges []struct{ Node struct{ ID, Status string } }
				}
			}
			s.post(t, tok, `query($u: ID, $o: ID) { followUps(userId: $u, orgUnitId: $o, open: true) { edges { node { id status } } } }`, vars).into(t, &out)
			var ids []string
			for _, e := range out.FollowUps.Edges {
				ids = append(ids, e.Node.ID)
			}
			return ids
		}
		if got := list(w.sup, map[string]any{"o": w.unit}); fmt.Sprint(got) != fmt.Sprint([]string{opened.OpenFollowUp.ID}) {
			t.Errorf("the unit's open cases: %v", got)
		}
		s.clock.Set(at(2026, 11, 20, 10, 0))
		update := `mutation($id: ID!, $s: FollowUpStatus!, $a: String!) { updateFollowUp(id: $id, status: $s, action: $a) {
			status action resolvedAt history { status action } } }`
		var done struct {
			UpdateFollowUp struct {
				Status, Action string
				ResolvedAt     *time.Time
				History        []struct{ Status, Action string }
			}
		}
		s.post(t, w.sup, update, map[string]any{"id": opened.OpenFollowUp.ID, "s": "RESOLVED", "a": "已报名县电商直播培训班"}).into(t, &done)
		u := done.UpdateFollowUp
		if u.Status != "RESOLVED" || u.Action != "已报名县电商直播培训班" || u.ResolvedAt == nil || len(u.History) != 2 {
			t.Errorf("resolved: %+v, want RESOLVED with what was done and two history entries", u)
		}
		if got := list(tok, map[string]any{"u": uid}); len(got) != 0 {
			t.Errorf("open cases after resolving: %v, want none", got)
		}
		otherUnit := otherUnitCadre(t, s, w)
		if r := s.post(t, otherUnit, update, map[string]any{"id": opened.OpenFollowUp.ID, "s": "OPEN", "a": "x"}); r.Code() != "FORBIDDEN" && r.Code() != "NOT_FOUND" {
			t.Errorf("a cadre of another unit updating: %s, want FORBIDDEN", r.Raw)
		}
	})
}

// otherUnitCadre creates a cadre in a unit outside the field world's and
// signs it in.
func otherUnitCadre(t *testing.T, s *testServer, w *fieldWorld) string {
	t.Helper()
	var unit struct{ CreateOrgUnit struct{ ID string } }
	s.post(t, w.admin, `mutation { createOrgUnit(input: {code: "410300", name: "洛阳团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(t, &unit)
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": "luoyang", "password": initialPassword, "role": "CADRE", "orgUnitId": unit.CreateOrgUnit.ID}}).into(t, &struct{}{})
	return s.activate(t, "luoyang", "password-1", "luoyang-phone").Login.AccessToken
}
