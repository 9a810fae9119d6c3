package main

import (
	"fmt"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

const reviewMutation = `mutation($id: ID!, $d: ReviewDecision!, $r: String!) {
  reviewCheckIn(id: $id, decision: $d, reason: $r) { id decision reason reviewer { username } checkIn { status counts } }
}`

// TestReviewMakesBoundaryDayCount: two BOUNDARY check-ins four hours apart
// do not make a day; the supervisor's confirmations do. A rejection never
// counts, a second ruling is CONFLICT, and nobody reviews their own.
func TestReviewMakesBoundaryDayCount(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "edgy")
		var ids []string
		var sent []map[string]any
		for i, hh := range []int{9, 13, 14} {
			s.clock.Set(at(2026, 11, 2, hh, 30))
			sent = append(sent, fix(fmt.Sprintf("e%d", i), near(lankaoEdge, -i), 60, "GCJ02", s.clock.Now()))
			out := s.checkIn(t, tok, sent[i])
			if out.CheckIn.Verdict != "BOUNDARY" || out.CheckIn.Counts {
				t.Fatalf("edge check-in %d: %+v, want BOUNDARY, not counting", i, out.CheckIn)
			}
			ids = append(ids, out.CheckIn.CheckIn.ID)
		}
		var queue struct {
			CheckIns struct {
				Edges []struct{ Node struct{ ID, Status string } }
			}
		}
		s.post(t, w.sup, `{ checkIns(status: PENDING) { edges { node { id status } } } }`, nil).into(t, &queue)
		if len(queue.CheckIns.Edges) != 3 {
			t.Fatalf("review queue = %+v, want the 3 edge check-ins", queue.CheckIns.Edges)
		}
		if r := s.post(t, tok, reviewMutation, map[string]any{"id": ids[0], "d": "CONFIRM", "r": "me"}); r.Code() != "FORBIDDEN" {
			t.Errorf("cadre reviewing own check-in: %s", r.Raw)
		}
		if r := s.post(t, w.sup, reviewMutation, map[string]any{"id": ids[0], "d": "CONFIRM", "r": " "}); r.Code() != "INVALID" {
			t.Errorf("review without a reason: %s", r.Raw)
		}
		var rev struct {
			ReviewCheckIn struct {
				Decision string
				CheckIn  struct {
					Status string
					Counts bool
				}
			}
		}
		s.post(t, w.sup, reviewMutation, map[string]any{"id": ids[0], "d": "CONFIRM", "r": "seen at the county office"}).into(t, &rev)
		if rev.ReviewCheckIn.CheckIn.Status != "CONFIRMED" || !rev.ReviewCheckIn.CheckIn.Counts {
			t.Errorf("after confirmation: %+v", rev.ReviewCheckIn)
		}
		s.post(t, w.sup, reviewMutation, map[string]any{"id": ids[1], "d": "REJECT", "r": "photo does not match"}).into(t, &rev)
		var days myDaysOut
		s.post(t, tok, myDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &days)
		if len(days.MyDays.Days) != 1 || days.MyDays.Days[0].Counted {
			t.Errorf("after one confirmation and one rejection: %+v, want one uncounted day", days.MyDays.Days)
		}
		// The discipline group confirms the third: 09:30 and 14:30 make the day.
		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "inspector", "password": initialPassword, "role": "DISCIPLINE", "orgUnitId": "1"}}).into(t, &struct{}{})
		insp := s.activate(t, "inspector", "password-1", "insp").Login.AccessToken
		s.post(t, insp, reviewMutation, map[string]any{"id": ids[2], "d": "CONFIRM", "r": "spot check"}).into(t, &rev)
		s.post(t, tok, myDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &days)
		if len(days.MyDays.Days) != 1 || !days.MyDays.Days[0].Counted || days.MyDays.Days[0].CheckIns != 2 {
			t.Errorf("after the second confirmation: %+v, want the day counted with 2 check-ins", days.MyDays.Days)
		}
		if r := s.post(t, w.sup, reviewMutation, map[string]any{"id": ids[1], "d": "CONFIRM", "r": "changed my mind"}); r.Code() != "CONFLICT" {
			t.Errorf("second ruling: %s, want CONFLICT", r.Raw)
		}
		// The phone resends (a lost answer): the replay carries the rulings,
		// read with the stored check-in, alone and in an offline sync.
		const replayFields = `replayed checkIn { id status counts review { decision reason } }`
		type replay struct {
			Replayed bool
			CheckIn  struct {
				ID, Status string
				Counts     bool
				Review     *struct{ Decision, Reason string }
			}
		}
		want := []struct {
			status, decision string
			counts           bool
		}{{"CONFIRMED", "CONFIRM", true}, {"REJECTED", "REJECT", false}}
		check := func(how string, i int, got replay) {
			t.Helper()
			w := want[i]
			if !got.Replayed || got.CheckIn.ID != ids[i] || got.CheckIn.Status != w.status || got.CheckIn.Counts != w.counts ||
				got.CheckIn.Review == nil || got.CheckIn.Review.Decision != w.decision {
				t.Errorf("%s resend of %s: %+v, want replayed %s (%s)", how, ids[i], got, w.status, w.decision)
			}
		}
		for i := range want {
			var one struct{ CheckIn replay }
			s.post(t, tok, `mutation($in: CheckInInput!) { checkIn(input: $in) { `+replayFields+` } }`, map[string]any{"in": sent[i]}).into(t, &one)
			check("live", i, one.CheckIn)
		}
		var sync struct{ SyncCheckIns []struct{ Result replay } }
		s.post(t, tok, `mutation($ins: [CheckInInput!]!) { syncCheckIns(inputs: $ins) { result { `+replayFields+` } } }`,
			map[string]any{"ins": sent[:2]}).into(t, &sync)
		for i, it := range sync.SyncCheckIns {
			check("offline", i, it.Result)
		}
	})
}
