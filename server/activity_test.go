package main

import (
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/store/storetest"
)

const recordActivity = `mutation($in: ActivityInput!) { recordActivity(input: $in) {
  replayed activity { id status counts reason reasonEn localDate region { name } kind
    interviewee { id name category phone } needs { id category text } } } }`

type activityOut struct {
	RecordActivity struct {
		Replayed bool
		Activity activityNode
	}
}

type activityNode struct {
	ID, Status, LocalDate, Kind string
	Counts                      bool
	Reason, ReasonEn            *string
	Region                      *struct{ Name string }
	Interviewee                 *struct {
		ID, Name, Category string
		Phone              *string
	}
	Needs []struct{ ID, Category, Text string }
}

// interview is an interview with an ordinary youth at p, recorded at device.
func interview(id string, p orb.Point, device time.Time) map[string]any {
	return map[string]any{"clientId": id, "kind": "INTERVIEW_YOUTH", "lat": p[1], "lon": p[0], "accuracy": 15, "coordSystem": "GCJ02",
		"deviceTime": device.Format(time.RFC3339Nano), "topic": "就业意向",
		"interviewee": map[string]any{"name": "王小明", "ageBand": "18-24", "occupation": "返乡青年", "place": "城关镇"},
		"needs":       []map[string]any{{"category": "EMPLOYMENT", "text": "想学电商直播"}}}
}

func (s *testServer) activity(t *testing.T, tok string, id string) activityNode {
	t.Helper()
	var out struct{ Activity activityNode }
	s.post(t, tok, `query($id: ID!) { activity(id: $id) { id status counts reason reasonEn localDate kind region { name } } }`,
		map[string]any{"id": id}).into(t, &out)
	return out.Activity
}

// TestActivityCountsOnCountedDays: an interview at 10:00 after a morning
// check-in does not count yet and says why; after the 14:30 check-in the
// same activity counts; one on a day without check-ins, or outside the
// county, never counts; one on a day completed by a check-in waiting for
// review counts once a reviewer confirms it; a resend replays and a changed
// payload is a CONFLICT.
func TestActivityCountsOnCountedDays(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 30)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "youthworker")
		s.checkIn(t, tok, fix("m1", lankaoGCJ, 15, "GCJ02", s.clock.Now()))

		s.clock.Set(at(2026, 11, 2, 10, 0))
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-1", near(lankaoGCJ, 5), s.clock.Now())}).into(t, &rec)
		a := rec.RecordActivity.Activity
		if a.Status != "RECORDED" || a.Counts || a.Reason == nil || !strings.Contains(*a.Reason, "今天在兰考县还不是有效下沉日：还需 12:30 后再签到一次") ||
			!strings.Contains(*a.ReasonEn, "one more check-in after 12:30") {
			t.Errorf("interview at 10:00: %+v (reason %v / %v), want RECORDED, not counting, one more check-in after 12:30", a, deref(a.Reason), deref(a.ReasonEn))
		}
		if a.Interviewee == nil || a.Interviewee.Name != "王小明" || a.Interviewee.Category != "ORDINARY_YOUTH" || len(a.Needs) != 1 {
			t.Errorf("interviewee and needs: %+v %+v", a.Interviewee, a.Needs)
		}

		s.clock.Set(at(2026, 11, 2, 14, 30))
		s.checkIn(t, tok, fix("m2", near(lankaoGCJ, 1), 15, "GCJ02", s.clock.Now()))
		if got := s.activity(t, tok, a.ID); !got.Counts || got.Reason != nil {
			t.Errorf("after the 14:30 check-in: %+v, want counting", got)
		}

		// A day without check-ins, and a place outside the county.
		s.clock.Set(at(2026, 11, 3, 10, 0))
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-2", near(lankaoGCJ, 6), s.clock.Now())}).into(t, &rec)
		if got := rec.RecordActivity.Activity; got.Counts || got.Reason == nil || !strings.Contains(*got.Reason, "当天在此没有有效签到") {
			t.Errorf("a day without check-ins: %+v (%v)", got, deref(got.Reason))
		}
		s.clock.Set(at(2026, 11, 2, 15, 0))
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-3", hubei, s.clock.Now())}).into(t, &rec)
		if got := rec.RecordActivity.Activity; got.Counts || got.Status != "PENDING" || got.Region != nil {
			t.Errorf("outside the county: %+v, want PENDING, no region, not counting", got)
		}

		// A resend replays; a changed payload under the same id is a CONFLICT.
		again := interview("iv-1", near(lankaoGCJ, 5), at(2026, 11, 2, 10, 0))
		s.post(t, tok, recordActivity, map[string]any{"in": again}).into(t, &rec)
		if !rec.RecordActivity.Replayed || rec.RecordActivity.Activity.ID != a.ID {
			t.Errorf("resend: %+v, want a replay of %s", rec.RecordActivity, a.ID)
		}
		again["topic"] = "另一个话题"
		if r := s.post(t, tok, recordActivity, map[string]any{"in": again}); r.Code() != "CONFLICT" {
			t.Errorf("changed payload: %s, want CONFLICT", r.Raw)
		}

		// A day made by a check-in waiting for review counts, and so do its
		// activities, only once a reviewer confirms it.
		s.clock.Set(at(2026, 11, 4, 9, 0))
		s.checkIn(t, tok, fix("d1", near(lankaoGCJ, 7), 15, "GCJ02", s.clock.Now()))
		s.clock.Set(at(2026, 11, 4, 10, 0))
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-4", near(lankaoGCJ, 8), s.clock.Now())}).into(t, &rec)
		s.clock.Set(at(2026, 11, 4, 15, 0))
		border := s.checkIn(t, tok, fix("d2", lankaoEdge, 80, "GCJ02", s.clock.Now())) // BOUNDARY: waits for review
		if border.CheckIn.Counts {
			t.Fatalf("the border check-in counted: %+v", border.CheckIn)
		}
		iv4 := rec.RecordActivity.Activity.ID
		if got := s.activity(t, w.sup, iv4); got.Counts {
			t.Errorf("before the review the day is not counted, but the activity counts: %+v", got)
		}
		review := `mutation($id: ID!, $d: ReviewDecision!) { reviewCheckIn(id: $id, decision: $d, reason: "checked") { decision } }`
		s.post(t, w.sup, review, map[string]any{"id": border.CheckIn.CheckIn.ID, "d": "CONFIRM"}).into(t, &struct{}{})
		if got := s.activity(t, w.sup, iv4); !got.Counts {
			t.Errorf("after the confirmation the day counts, but the activity does not: %+v", got)
		}
	})
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
