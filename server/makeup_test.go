package main

import (
	"strings"
	"testing"

	"github.com/henan-youth/onsite/internal/testimage"
	"github.com/henan-youth/onsite/photo"
	"github.com/henan-youth/onsite/store/storetest"
)

const requestMakeUp = `mutation($in: MakeUpInput!) { requestMakeUp(input: $in) {
  replayed makeUp { id status date region { name } witnessName photos { url takenOnDay } } } }`

type makeUpOut struct {
	RequestMakeUp struct {
		Replayed bool
		MakeUp   struct {
			ID, Status, Date, WitnessName string
			Region                        struct{ Name string }
			Photos                        []struct {
				URL        string
				TakenOnDay *bool
			}
		}
	}
}

const decideMakeUp = `mutation($id: ID!, $d: MakeUpDecision!, $r: String!) { decideMakeUp(id: $id, decision: $d, reason: $r) {
  id status decision { decision deciderName reason } } }`

type decideOut struct {
	DecideMakeUp struct {
		ID, Status string
		Decision   *struct{ Decision, DeciderName, Reason string }
	}
}

// makeUpInput is a request for date at region, with the reason a flat
// battery.
func makeUpInput(id, date, region string) map[string]any {
	return map[string]any{"clientId": id, "date": date, "regionId": region, "reason": "手机没电，下午未能签到",
		"witnessName": "李四", "witnessTitle": "团县委副书记"}
}

// TestMakeUpCountsAndIsLabelled: a cadre whose phone died after the
// morning check-in asks for the day to count, with a photo and the county
// League committee's countersignature; a resend replays, a second request
// for the day or one for a later day, an unassigned county, a day counted
// by its check-ins or without photos is refused. Once the supervisor
// approves, the day counts — marked as made up, never as GPS evidence —
// and the interview of that day counts with it. Approvals stop at the
// policy's two a quarter. The photo is served to the supervisor with its
// GPS and to the cadre without, and the request is a ledger leaf.
func TestMakeUpCountsAndIsLabelled(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 5, 9, 0)))
		w := setupField(t, s)
		tok, cadreID := w.cadre(t, s, "battery")
		other, _ := w.cadre(t, s, "bystander")
		s.checkIn(t, tok, fix("m1", lankaoGCJ, 15, "GCJ02", s.clock.Now()))
		s.clock.Set(at(2026, 11, 5, 10, 0))
		var rec activityOut
		s.post(t, tok, recordActivity, map[string]any{"in": interview("iv-m", near(lankaoGCJ, 2), s.clock.Now())}).into(t, &rec)
		iv := rec.RecordActivity.Activity.ID
		if got := s.activity(t, tok, iv); got.Counts {
			t.Fatalf("the interview before the make-up: %+v, want not counting", got)
		}

		s.clock.Set(at(2026, 11, 6, 9, 0))
		here := wgs(t, lankaoGCJ)
		pic := testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{GPS: true, Lat: here[1], Lon: here[0], Taken: "2026:11:05 15:10:00", Offset: "+08:00"}))
		files := []upload{{"IMG_5.jpg", pic}}
		in := makeUpInput("mu-1", "2026-11-05", w.lankao)
		var req makeUpOut
		s.postFiles(t, tok, requestMakeUp, map[string]any{"in": in}, files).into(t, &req)
		m := req.RequestMakeUp.MakeUp
		if req.RequestMakeUp.Replayed || m.Status != "PENDING" || m.Region.Name != "兰考县" || len(m.Photos) != 1 ||
			m.Photos[0].TakenOnDay == nil || !*m.Photos[0].TakenOnDay {
			t.Fatalf("the request: %+v, want PENDING at 兰考县 with its photo taken that day", req.RequestMakeUp)
		}
		var again makeUpOut
		s.postFiles(t, tok, requestMakeUp, map[string]any{"in": makeUpInput("mu-1", "2026-11-05", w.lankao)}, files).into(t, &again)
		if !again.RequestMakeUp.Replayed || again.RequestMakeUp.MakeUp.ID != m.ID {
			t.Errorf("a resend: %+v, want a replay of %s", again.RequestMakeUp, m.ID)
		}
		changed := makeUpInput("mu-1", "2026-11-05", w.lankao)
		changed["reason"] = "another reason"
		qixian := regionID(t, s, w.admin, "410221")
		noPhotos := makeUpInput("mu-5", "2026-11-04", w.lankao)
		noPhotos["photos"] = []any{}
		for name, c := range map[string]struct {
			in    map[string]any
			files []upload
			code  string
		}{
			"the same clientId, another request": {changed, files, "CONFLICT"},
			"a second request for the day":       {makeUpInput("mu-2", "2026-11-05", w.lankao), files, "CONFLICT"},
			"a day to come":                      {makeUpInput("mu-3", "2026-11-07", w.lankao), files, "INVALID"},
			"a county not assigned":              {makeUpInput("mu-4", "2026-11-05", qixian), files, "INVALID"},
			"no photo":                           {noPhotos, nil, "INVALID"},
		} {
			var r *gqlResponse
			if c.files == nil {
				r = s.post(t, tok, requestMakeUp, map[string]any{"in": c.in})
			} else {
				r = s.postFiles(t, tok, requestMakeUp, map[string]any{"in": c.in}, c.files)
			}
			if r.Code() != c.code {
				t.Errorf("%s: %s, want %s", name, r.Raw, c.code)
			}
		}

		if r := s.post(t, tok, decideMakeUp, map[string]any{"id": m.ID, "d": "APPROVE", "r": "mine"}); r.Code() != "FORBIDDEN" {
			t.Errorf("the cadre deciding its own: %s, want FORBIDDEN", r.Raw)
		}
		var queue struct {
			MakeUps struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, w.sup, `{ makeUps(status: PENDING) { edges { node { id } } } }`, nil).into(t, &queue)
		if e := queue.MakeUps.Edges; len(e) != 1 || e[0].Node.ID != m.ID {
			t.Errorf("the supervisor's queue: %+v, want the request", e)
		}
		var dec decideOut
		s.post(t, w.sup, decideMakeUp, map[string]any{"id": m.ID, "d": "APPROVE", "r": "李四 confirmed by phone"}).into(t, &dec)
		if d := dec.DecideMakeUp; d.Status != "APPROVED" || d.Decision == nil || d.Decision.DeciderName != "sup" {
			t.Errorf("the approval: %+v", d)
		}
		day := s.days(t, tok)["2026-11-05 兰考县"]
		if !day.Counted || !day.MadeUp || day.CountedByCheckIns || day.CheckIns != 1 {
			t.Errorf("the made-up day: %+v, want counted, made up, not by its one check-in", day)
		}
		if r2 := s.verdicts(t, w.sup, cadreID, 2026, 4)["R2"]; r2.Days != 1 || r2.MadeUpDays != 1 {
			t.Errorf("R2 after the approval: %d days, %d made up; want the made-up day counted and labelled", r2.Days, r2.MadeUpDays)
		}
		if got := s.activity(t, tok, iv); !got.Counts {
			t.Errorf("the interview on the made-up day: %+v, want counting", got)
		}
		s.post(t, w.sup, decideMakeUp, map[string]any{"id": m.ID, "d": "APPROVE", "r": "李四 confirmed by phone"}).into(t, &dec)
		if r := s.post(t, w.sup, decideMakeUp, map[string]any{"id": m.ID, "d": "REFUSE", "r": "changed my mind"}); r.Code() != "CONFLICT" {
			t.Errorf("a second decision: %s, want CONFLICT", r.Raw)
		}

		// The phone's queue turns up the afternoon check-in after all: the
		// day counts by its check-ins too and stays marked made up; struck
		// again by the discipline group, it still counts on the make-up.
		var synced struct {
			SyncCheckIns []struct {
				Result struct{ CheckIn struct{ ID string } }
			}
		}
		s.post(t, tok, `mutation($ins: [CheckInInput!]!) { syncCheckIns(inputs: $ins) { result { checkIn { id } } } }`,
			map[string]any{"ins": []map[string]any{fix("m-late", near(lankaoGCJ, 6), 15, "GCJ02", at(2026, 11, 5, 14, 10))}}).into(t, &synced)
		if day := s.days(t, tok)["2026-11-05 兰考县"]; !day.Counted || !day.MadeUp || !day.CountedByCheckIns || day.CheckIns != 2 {
			t.Errorf("the made-up day with its afternoon check-in: %+v, want counted by its check-ins and still made up", day)
		}
		s.overturned(t, inspectorToken(t, s, w), synced.SyncCheckIns[0].Result.CheckIn.ID, "", "REJECT", "sent from the train")
		if day := s.days(t, tok)["2026-11-05 兰考县"]; !day.Counted || !day.MadeUp || day.CountedByCheckIns || day.CheckIns != 1 {
			t.Errorf("the made-up day with the afternoon struck: %+v, want counted on the make-up alone", day)
		}

		// The cap: two approvals a quarter.
		var second, third makeUpOut
		s.postFiles(t, tok, requestMakeUp, map[string]any{"in": makeUpInput("mu-6", "2026-11-03", w.lankao)}, files).into(t, &second)
		s.postFiles(t, tok, requestMakeUp, map[string]any{"in": makeUpInput("mu-7", "2026-11-02", w.lankao)}, files).into(t, &third)
		s.post(t, w.sup, decideMakeUp, map[string]any{"id": second.RequestMakeUp.MakeUp.ID, "d": "APPROVE", "r": "ok"}).into(t, &dec)
		if r := s.post(t, w.sup, decideMakeUp, map[string]any{"id": third.RequestMakeUp.MakeUp.ID, "d": "APPROVE", "r": "ok"}); r.Code() != "CONFLICT" {
			t.Errorf("a third approval in the quarter: %s, want CONFLICT", r.Raw)
		}
		s.post(t, w.sup, decideMakeUp, map[string]any{"id": third.RequestMakeUp.MakeUp.ID, "d": "REFUSE", "r": "two a quarter"}).into(t, &dec)
		if dec.DecideMakeUp.Status != "REFUSED" {
			t.Errorf("the refusal: %+v", dec.DecideMakeUp)
		}
		if r := s.postFiles(t, tok, requestMakeUp, map[string]any{"in": makeUpInput("mu-8", "2026-11-01", w.lankao)}, files); r.Code() != "CONFLICT" {
			t.Errorf("a request once the quarter's two are approved: %s, want CONFLICT", r.Raw)
		}

		// A day counted by its check-ins has nothing to make up.
		s.checkIn(t, tok, fix("m2", near(lankaoGCJ, 3), 15, "GCJ02", s.clock.Now()))
		s.clock.Set(at(2026, 11, 6, 14, 0))
		s.checkIn(t, tok, fix("m3", near(lankaoGCJ, 4), 15, "GCJ02", s.clock.Now()))
		if r := s.postFiles(t, tok, requestMakeUp, map[string]any{"in": makeUpInput("mu-9", "2026-11-06", w.lankao)}, files); r.Code() != "CONFLICT" ||
			!strings.Contains(r.Raw, "nothing to make up") {
			t.Errorf("a make-up of a day counted by its check-ins: %s, want CONFLICT", r.Raw)
		}

		url := m.Photos[0].URL
		for _, c := range []struct {
			who     string
			token   string
			status  int
			withGPS bool
		}{{"the cadre", tok, 200, false}, {"its supervisor", w.sup, 200, true}, {"another cadre", other, 404, false}} {
			status, body := s.getPhoto(t, c.token, url)
			if status != c.status {
				t.Errorf("%s fetching the photo: %d, want %d", c.who, status, c.status)
				continue
			}
			if status != 200 {
				continue
			}
			if meta, err := photo.Inspect(body, cst); err != nil || meta.HasGPS != c.withGPS {
				t.Errorf("%s got a photo with GPS %v (%v), want %v", c.who, meta.HasGPS, err, c.withGPS)
			}
		}
		var entry struct{ LedgerEntry struct{ Matches bool } }
		s.post(t, tok, `query($id: ID!) { ledgerEntry(kind: MAKE_UP, id: $id) { matches } }`, map[string]any{"id": m.ID}).into(t, &entry)
		if !entry.LedgerEntry.Matches {
			t.Error("the request's ledger entry does not match")
		}
	})
}

// regionID returns the id of the county with code.
func regionID(t *testing.T, s *testServer, tok, code string) string {
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

const recordAbsence = `mutation($in: AbsenceInput!) { recordAbsence(input: $in) {
  replayed absence { id kind from to reason approvedByName withdrawal { reason byName } } } }`

type absenceNode struct {
	ID, Kind, From, To, Reason, ApprovedByName string
	Withdrawal                                 *struct{ Reason, ByName string }
}

// TestAbsencesRecordedBySupervisors: the supervisor records an absence it
// approved; a resend replays, an overlapping one or OTHER without a
// reason is refused, the cadre may not record its own and reads its own;
// R2's covered days shrink by the absence's days; a withdrawal frees the
// dates, restores them and stays in the history; both are ledger leaves.
func TestAbsencesRecordedBySupervisors(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 9, 9, 0)))
		w := setupField(t, s)
		tok, uid := w.cadre(t, s, "recalled")
		covered := func() int { return s.verdicts(t, w.sup, uid, 2026, 4)["R2"].CoveredDays }
		before := covered()
		in := map[string]any{"clientId": "ab-1", "userId": uid, "kind": "TRAINING", "from": "2026-11-10", "to": "2026-11-14", "reason": "省团校调训"}
		var out struct {
			RecordAbsence struct {
				Replayed bool
				Absence  absenceNode
			}
		}
		s.post(t, w.sup, recordAbsence, map[string]any{"in": in}).into(t, &out)
		a := out.RecordAbsence.Absence
		if out.RecordAbsence.Replayed || a.Kind != "TRAINING" || a.From != "2026-11-10" || a.ApprovedByName != "sup" {
			t.Fatalf("the absence: %+v", out.RecordAbsence)
		}
		if got := covered(); before == 0 || got != before-5 {
			t.Errorf("R2's covered days with a 5-day absence: %d, before it %d", got, before)
		}
		s.post(t, w.sup, recordAbsence, map[string]any{"in": in}).into(t, &out)
		if !out.RecordAbsence.Replayed || out.RecordAbsence.Absence.ID != a.ID {
			t.Errorf("a resend: %+v, want a replay of %s", out.RecordAbsence, a.ID)
		}
		overlap := map[string]any{"clientId": "ab-2", "userId": uid, "kind": "LEAVE", "from": "2026-11-14", "to": "2026-11-15"}
		for name, c := range map[string]struct {
			tok  string
			in   map[string]any
			code string
		}{
			"overlapping":              {w.sup, overlap, "CONFLICT"},
			"OTHER without a reason":   {w.sup, map[string]any{"clientId": "ab-3", "userId": uid, "kind": "OTHER", "from": "2026-12-01", "to": "2026-12-01"}, "INVALID"},
			"ends before it starts":    {w.sup, map[string]any{"clientId": "ab-4", "userId": uid, "kind": "LEAVE", "from": "2026-12-02", "to": "2026-12-01"}, "INVALID"},
			"the cadre for itself":     {tok, map[string]any{"clientId": "ab-5", "userId": uid, "kind": "LEAVE", "from": "2026-12-05", "to": "2026-12-05"}, "FORBIDDEN"},
			"the same id, another one": {w.sup, map[string]any{"clientId": "ab-1", "userId": uid, "kind": "LEAVE", "from": "2026-12-05", "to": "2026-12-05"}, "CONFLICT"},
		} {
			if r := s.post(t, c.tok, recordAbsence, map[string]any{"in": c.in}); r.Code() != c.code {
				t.Errorf("%s: %s, want %s", name, r.Raw, c.code)
			}
		}
		list := func(tok string, withdrawn bool) []absenceNode {
			var l struct {
				Absences struct{ Edges []struct{ Node absenceNode } }
			}
			s.post(t, tok, `query($w: Boolean) { absences(from: "2026-11-01", to: "2026-11-30", includeWithdrawn: $w) { edges { node {
				id kind from to reason approvedByName withdrawal { reason byName } } } } }`, map[string]any{"w": withdrawn}).into(t, &l)
			var out []absenceNode
			for _, e := range l.Absences.Edges {
				out = append(out, e.Node)
			}
			return out
		}
		if got := list(tok, false); len(got) != 1 || got[0].ID != a.ID {
			t.Errorf("the cadre's absences: %+v, want its own", got)
		}
		withdraw := `mutation($id: ID!) { withdrawAbsence(id: $id, reason: "the training was postponed") { id withdrawal { reason byName } } }`
		var wd struct{ WithdrawAbsence absenceNode }
		s.post(t, w.sup, withdraw, map[string]any{"id": a.ID}).into(t, &wd)
		if wd.WithdrawAbsence.Withdrawal == nil || wd.WithdrawAbsence.Withdrawal.ByName != "sup" {
			t.Errorf("the withdrawal: %+v", wd.WithdrawAbsence)
		}
		s.post(t, w.sup, withdraw, map[string]any{"id": a.ID}).into(t, &wd)
		if got := covered(); got != before {
			t.Errorf("R2's covered days after the withdrawal: %d, want %d", got, before)
		}
		if got := list(w.sup, false); len(got) != 0 {
			t.Errorf("absences in force after the withdrawal: %+v, want none", got)
		}
		if got := list(w.sup, true); len(got) != 1 || got[0].Withdrawal == nil {
			t.Errorf("absences with the withdrawn: %+v, want the withdrawn one", got)
		}
		var later struct{ RecordAbsence struct{ Absence absenceNode } }
		s.post(t, w.sup, recordAbsence, map[string]any{"in": overlap}).into(t, &later)
		var entry struct{ LedgerEntry struct{ Matches bool } }
		s.post(t, tok, `query($id: ID!) { ledgerEntry(kind: ABSENCE, id: $id) { matches } }`, map[string]any{"id": later.RecordAbsence.Absence.ID}).into(t, &entry)
		if !entry.LedgerEntry.Matches {
			t.Error("the absence's ledger entry does not match")
		}
	})
}
