package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

const summaryFields = `id kind status period dueDate late overdue draft { text workDone results experience support }
  versions { id number clientId late dueDate
    content { text workDone results experience support }
    snapshot { quarters { quarter county countyDays onSiteDays trips r2Met activities { kind recorded } } }
    review { decision comment reviewerName } }`

type summaryOut struct {
	ID, Kind, Status, Period, DueDate string
	Late, Overdue                     bool
	Draft                             *sectionsOut
	Versions                          []struct {
		ID, ClientID, DueDate string
		Number                int
		Late                  bool
		Content               sectionsOut
		Snapshot              struct {
			Quarters []struct {
				Quarter, County               string
				CountyDays, OnSiteDays, Trips int
				R2Met                         *bool
				Activities                    []struct{ Kind string }
			}
		}
		Review *struct{ Decision, Comment, ReviewerName string }
	}
}

type sectionsOut struct{ Text, WorkDone, Results, Experience, Support string }

// texts lists the versions' texts.
func (s summaryOut) texts() []string {
	var out []string
	for _, v := range s.Versions {
		out = append(out, v.Content.Text)
	}
	return out
}

// countyDays lists each version's snapshot of the quarter's county days.
func (s summaryOut) countyDays() []int {
	var out []int
	for _, v := range s.Versions {
		out = append(out, v.Snapshot.Quarters[0].CountyDays)
	}
	return out
}

// onSiteDay makes the clock's day at 兰考县 an on-site day: two check-ins
// at 09:00 and 13:30.
func onSiteDay(t *testing.T, s *testServer, tok string, day time.Time, n int) {
	t.Helper()
	y, m, d := day.Date()
	s.clock.Set(at(y, m, d, 9, 0))
	s.checkIn(t, tok, fix(fmt.Sprintf("d%d-a", n), near(lankaoGCJ, 2*n), 15, "GCJ02", s.clock.Now()))
	s.clock.Set(at(y, m, d, 13, 30))
	if out := s.checkIn(t, tok, fix(fmt.Sprintf("d%d-b", n), near(lankaoGCJ, 2*n+1), 15, "GCJ02", s.clock.Now())); !out.CheckIn.Day.Counted {
		t.Fatalf("day %s not counted: %+v", day.Format(time.DateOnly), out.CheckIn.Day)
	}
}

func (s *testServer) summaryOf(t *testing.T, tok, userID string, year, quarter int) summaryOut {
	t.Helper()
	var out struct{ Summary *summaryOut }
	vars := map[string]any{"y": year, "q": quarter}
	if userID != "" {
		vars["u"] = userID
	}
	s.post(t, tok, `query($u: ID, $y: Int!, $q: Int!) { summary(userId: $u, year: $y, quarter: $q) { `+summaryFields+` } }`, vars).into(t, &out)
	if out.Summary == nil {
		t.Fatalf("no summary %dQ%d of user %s", year, quarter, userID)
	}
	return *out.Summary
}

const submitSummary = `mutation($in: SummaryInput!) { submitSummary(input: $in) { replayed summary { status } version { id number late } } }`

type submitOut struct {
	SubmitSummary struct {
		Replayed bool
		Summary  struct{ Status string }
		Version  struct {
			ID     string
			Number int
			Late   bool
		}
	}
}

func summaryInput(client, text string) map[string]any {
	return map[string]any{"in": map[string]any{"clientId": client, "year": 2026, "quarter": 4, "text": text}}
}

const reviewSummary = `mutation($id: ID!, $d: SummaryDecision!, $c: String, $v: Int) {
  reviewSummary(id: $id, decision: $d, comment: $c, version: $v) { status } }`

// TestSummaryRoundTrip: draft → submit → return → resubmit → accept keeps
// the draft and two submitted versions, each with the snapshot of the
// numbers when it was submitted, and the live numbers beside them; a
// submitted version cannot be changed (CONFLICT, the row as it was); a
// resend of a submission is a replay; only the cadre writes its summary,
// and only a supervisor of its subtree decides on it.
func TestSummaryRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 12, 14, 8, 0)))
		w := setupField(t, s)
		li, liID := w.cadre(t, s, "li")
		wang, _ := w.cadre(t, s, "wang")
		onSiteDay(t, s, li, at(2026, 12, 14, 0, 0), 1)

		if r8 := s.verdicts(t, w.sup, liID, 2026, 4)["R8SUMMARY"]; r8.Status == "MET" || r8.Status == "" || r8.Due == nil || *r8.Due != "2027-01-10" {
			t.Errorf("R8 before any summary: %+v, want not MET, due 2027-01-10", r8)
		}
		var draft struct{ SaveSummaryDraft summaryOut }
		s.post(t, li, `mutation { saveSummaryDraft(year: 2026, quarter: 4, text: "草稿：走访了 3 个乡镇") { `+summaryFields+` } }`, nil).into(t, &draft)
		if d := draft.SaveSummaryDraft; d.Status != "DRAFT" || d.Draft == nil || d.Draft.Text != "草稿：走访了 3 个乡镇" || len(d.Versions) != 0 || d.DueDate != "2027-01-10" {
			t.Fatalf("draft: %+v", d)
		}
		var sub submitOut
		s.post(t, li, submitSummary, summaryInput("li-2026q4-1", "第一版：走访了 3 个乡镇")).into(t, &sub)
		if v := sub.SubmitSummary; v.Replayed || v.Summary.Status != "SUBMITTED" || v.Version.Number != 1 || v.Version.Late {
			t.Fatalf("first submission: %+v", v)
		}
		var again submitOut
		s.post(t, li, submitSummary, summaryInput("li-2026q4-1", "第一版：走访了 3 个乡镇")).into(t, &again)
		if !again.SubmitSummary.Replayed || again.SubmitSummary.Version.ID != sub.SubmitSummary.Version.ID {
			t.Errorf("a resend: %+v, want the stored version replayed", again.SubmitSummary)
		}
		for name, r := range map[string]*gqlResponse{
			"the clientId with another text": s.post(t, li, submitSummary, summaryInput("li-2026q4-1", "改过的")),
			"another submission":             s.post(t, li, submitSummary, summaryInput("li-2026q4-x", "改过的")),
			"a draft":                        s.post(t, li, `mutation { saveSummaryDraft(year: 2026, quarter: 4, text: "改过的") { id } }`, nil),
		} {
			if r.Code() != "CONFLICT" {
				t.Errorf("%s while submitted: %s, want CONFLICT", name, r.Raw)
			}
		}
		if r := s.post(t, w.sup, submitSummary, summaryInput("sup-1", "x")); r.Code() != "FORBIDDEN" {
			t.Errorf("a supervisor submits: %s, want FORBIDDEN", r.Raw)
		}
		// There is no way to name another cadre: wang's submission is wang's own.
		s.post(t, wang, submitSummary, summaryInput("li-2026q4-1", "王的小结")).into(t, &submitOut{})
		if got := s.summaryOf(t, w.sup, liID, 2026, 4); got.Status != "SUBMITTED" || len(got.Versions) != 1 || got.Versions[0].Content.Text != "第一版：走访了 3 个乡镇" {
			t.Errorf("li's summary after the refusals and wang's submission: %+v", got)
		}
		var wangsView struct{ Summary *summaryOut }
		s.post(t, wang, `query($u: ID) { summary(userId: $u, year: 2026, quarter: 4) { id } }`, map[string]any{"u": liID}).into(t, &wangsView)
		if wangsView.Summary != nil {
			t.Errorf("wang reads li's summary: %+v", wangsView.Summary)
		}

		id := s.summaryOf(t, li, "", 2026, 4).ID
		other := otherSupervisor(t, s, w)
		for name, tok := range map[string]string{"a supervisor of another unit": other, "the cadre": li, "another cadre": wang} {
			if r := s.post(t, tok, reviewSummary, map[string]any{"id": id, "d": "ACCEPT"}); r.Code() != "FORBIDDEN" && r.Code() != "NOT_FOUND" {
				t.Errorf("%s accepts: %s, want FORBIDDEN", name, r.Raw)
			}
		}
		if r := s.post(t, w.sup, reviewSummary, map[string]any{"id": id, "d": "RETURN"}); r.Code() != "INVALID" {
			t.Errorf("a return without a comment: %s, want INVALID", r.Raw)
		}
		var ret struct{ ReviewSummary struct{ Status string } }
		s.post(t, w.sup, reviewSummary, map[string]any{"id": id, "d": "RETURN", "c": "请补充走访青年的具体诉求", "v": 1}).into(t, &ret)
		if ret.ReviewSummary.Status != "RETURNED" {
			t.Fatalf("return: %+v", ret)
		}

		// A day confirmed since: the live numbers differ from the snapshot.
		onSiteDay(t, s, li, at(2026, 12, 15, 0, 0), 2)
		s.post(t, li, `mutation { saveSummaryDraft(year: 2026, quarter: 4, text: "第二版：补充了诉求") { id } }`, nil).into(t, &struct{}{})
		s.post(t, li, submitSummary, summaryInput("li-2026q4-2", "第二版：补充了诉求")).into(t, &sub)
		if sub.SubmitSummary.Version.Number != 2 {
			t.Fatalf("resubmission: %+v", sub.SubmitSummary)
		}
		if r := s.post(t, w.sup, reviewSummary, map[string]any{"id": id, "d": "RETURN", "c": "请补充走访青年的具体诉求", "v": 1}); r.Code() != "" {
			t.Errorf("the first return resent: %s, want its replay", r.Raw)
		}
		onSiteDay(t, s, li, at(2026, 12, 16, 0, 0), 3)
		s.post(t, w.sup, reviewSummary, map[string]any{"id": id, "d": "ACCEPT", "v": 2}).into(t, &ret)
		if ret.ReviewSummary.Status != "ACCEPTED" {
			t.Fatalf("accept: %+v", ret)
		}
		if r8 := s.verdicts(t, w.sup, liID, 2026, 4)["R8SUMMARY"]; r8.Status != "MET" {
			t.Errorf("R8 once accepted: %+v, want MET", r8)
		}
		if r := s.post(t, li, submitSummary, summaryInput("li-2026q4-3", "第三版")); r.Code() != "CONFLICT" {
			t.Errorf("a submission once accepted: %s, want CONFLICT", r.Raw)
		}

		got := s.summaryOf(t, li, "", 2026, 4)
		if got.Status != "ACCEPTED" || got.Late || got.Draft == nil || got.Draft.Text != "第二版：补充了诉求" {
			t.Errorf("accepted summary: status %s late %v draft %+v", got.Status, got.Late, got.Draft)
		}
		if want := []string{"第一版：走访了 3 个乡镇", "第二版：补充了诉求"}; fmt.Sprint(got.texts()) != fmt.Sprint(want) {
			t.Errorf("versions %q, want %q", got.texts(), want)
		}
		if fmt.Sprint(got.countyDays()) != "[1 2]" {
			t.Errorf("snapshots of the county days %v, want [1 2]: each what the cadre saw when submitting", got.countyDays())
		}
		q := got.Versions[0].Snapshot.Quarters[0]
		if q.Quarter != "2026Q4" || q.County != "兰考县" || q.OnSiteDays != 1 || q.R2Met == nil || *q.R2Met || len(q.Activities) != 6 {
			t.Errorf("first snapshot: %+v", q)
		}
		if r := got.Versions[0].Review; r == nil || r.Decision != "RETURN" || r.Comment != "请补充走访青年的具体诉求" || r.ReviewerName != "sup" {
			t.Errorf("first version's decision: %+v", r)
		}
		if r := got.Versions[1].Review; r == nil || r.Decision != "ACCEPT" {
			t.Errorf("second version's decision: %+v", r)
		}
		var live struct {
			Summary struct {
				Draft *sectionsOut
				Live  struct {
					Numbers struct{ Quarters []struct{ CountyDays int } }
					Changes []struct{ Quarter, Field, Was, Now string }
				}
			}
		}
		s.post(t, w.sup, `query($u: ID) { summary(userId: $u, year: 2026, quarter: 4) { draft { text }
			live { numbers { quarters { countyDays } } changes { quarter field was now } } } }`, map[string]any{"u": liID}).into(t, &live)
		if live.Summary.Draft != nil {
			t.Errorf("the supervisor reads the cadre's draft: %+v", live.Summary.Draft)
		}
		if l := live.Summary.Live; l.Numbers.Quarters[0].CountyDays != 3 || !hasChange(l.Changes, "countyDays", "2", "3") {
			t.Errorf("live numbers: %+v, want 3 county days, changed from the latest snapshot's 2", l)
		}

		// The cadre's inbox: the return and the acceptance; the
		// supervisor's: li's two submissions and wang's.
		if kinds := inboxKinds(t, s, li); fmt.Sprint(kinds) != "[SUMMARY_ACCEPTED SUMMARY_RETURNED]" {
			t.Errorf("li's inbox %v", kinds)
		}
		if kinds := inboxKinds(t, s, w.sup); fmt.Sprint(kinds) != "[SUMMARY_SUBMITTED SUMMARY_SUBMITTED SUMMARY_SUBMITTED]" {
			t.Errorf("the supervisor's inbox %v", kinds)
		}
		// Each version is a ledger leaf that still matches its record.
		var entry struct{ LedgerEntry struct{ Matches bool } }
		s.post(t, li, `query($id: ID!) { ledgerEntry(kind: SUMMARY_VERSION, id: $id) { matches } }`,
			map[string]any{"id": got.Versions[0].ID}).into(t, &entry)
		if !entry.LedgerEntry.Matches {
			t.Error("the first version does not match its ledger leaf")
		}
	})
}

func hasChange(cs []struct{ Quarter, Field, Was, Now string }, field, was, now string) bool {
	for _, c := range cs {
		if c.Field == field && c.Was == was && c.Now == now {
			return true
		}
	}
	return false
}

// inboxKinds lists the kinds of tok's notifications, newest first.
func inboxKinds(t *testing.T, s *testServer, tok string) []string {
	t.Helper()
	var out struct {
		Notifications struct {
			Edges []struct{ Node struct{ Kind string } }
		}
	}
	s.post(t, tok, `{ notifications { edges { node { kind } } } }`, nil).into(t, &out)
	var kinds []string
	for _, e := range out.Notifications.Edges {
		kinds = append(kinds, e.Node.Kind)
	}
	return kinds
}

// otherSupervisor signs in a supervisor of a second city unit.
func otherSupervisor(t *testing.T, s *testServer, w *fieldWorld) string {
	t.Helper()
	var unit struct{ CreateOrgUnit struct{ ID string } }
	s.post(t, w.admin, `mutation { createOrgUnit(input: {code: "410300", name: "洛阳团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(t, &unit)
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": "luoyang-sup", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": unit.CreateOrgUnit.ID}}).into(t, &struct{}{})
	return s.activate(t, "luoyang-sup", "password-1", "ly-laptop").Login.AccessToken
}

// TestLateSummary: after the due date a summary not submitted is overdue
// and listed as missing; a submission is accepted and marked late.
func TestLateSummary(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2027, 1, 10, 23, 0)))
		w := setupField(t, s)
		li, liID := w.cadre(t, s, "li")
		s.post(t, li, `mutation { saveSummaryDraft(year: 2026, quarter: 4, text: "还在写") { id } }`, nil).into(t, &struct{}{})
		if got := s.summaryOf(t, li, "", 2026, 4); got.Overdue || got.Late {
			t.Errorf("on the due date: %+v, want neither overdue nor late", got)
		}
		s.clock.Set(at(2027, 1, 11, 0, 30)) // the 11th in Shanghai, still the 10th in UTC
		if got := s.summaryOf(t, li, "", 2026, 4); !got.Overdue {
			t.Errorf("after the due date: %+v, want overdue", got)
		}
		var missing struct {
			MissingSummaries struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, w.sup, `query($u: ID!) { missingSummaries(orgUnitId: $u, year: 2026, quarter: 4) { edges { node { id } } } }`,
			map[string]any{"u": w.unit}).into(t, &missing)
		if e := missing.MissingSummaries.Edges; len(e) != 1 || e[0].Node.ID != liID {
			t.Errorf("missing: %+v, want li", e)
		}
		var sub submitOut
		s.post(t, li, submitSummary, summaryInput("late-1", "迟交的小结")).into(t, &sub)
		if !sub.SubmitSummary.Version.Late || sub.SubmitSummary.Summary.Status != "SUBMITTED" {
			t.Errorf("a late submission: %+v, want accepted and marked late", sub.SubmitSummary)
		}
		got := s.summaryOf(t, w.sup, liID, 2026, 4)
		if !got.Late || got.Overdue || got.Versions[0].DueDate != "2027-01-10" {
			t.Errorf("the supervisor sees %+v, want late, no longer overdue", got)
		}
		var listed struct {
			Summaries struct {
				Edges []struct{ Node struct{ ID, Status string } }
			}
		}
		s.post(t, w.sup, `query($u: ID!) { summaries(orgUnitId: $u, year: 2026, quarter: 4, status: SUBMITTED) { edges { node { id status } } } }`,
			map[string]any{"u": w.unit}).into(t, &listed)
		if e := listed.Summaries.Edges; len(e) != 1 || e[0].Node.ID != got.ID {
			t.Errorf("listed: %+v", e)
		}
		for name, q := range map[string]string{
			"a quarter not begun":   `mutation { saveSummaryDraft(year: 2027, quarter: 2, text: "x") { id } }`,
			"quarter 0":             `mutation { saveSummaryDraft(year: 2026, quarter: 0, text: "x") { id } }`,
			"a list of quarter 5":   `{ summaries(orgUnitId: "1", year: 2026, quarter: 5) { edges { cursor } } }`,
			"a report of year 1999": `{ annualReport(year: 1999) { id } }`,
		} {
			if r := s.post(t, li, q, nil); r.Code() != "INVALID" {
				t.Errorf("%s: %s, want INVALID", name, r.Raw)
			}
		}
	})
}

const reportFields = `id kind status period versions { number content { text workDone results experience support }
  snapshot { quarters { quarter } } review { decision reviewerName } }`

// TestAnnualReport: the report has the plan's four sections, every one
// needed to submit; it is received, and accepted, only by the members of
// the secretaries' team an administrator named, not by the cadre's
// supervisor.
func TestAnnualReport(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 12, 28, 10, 0)))
		w := setupField(t, s)
		li, liID := w.cadre(t, s, "li")
		var secretary struct{ CreateUser struct{ ID string } }
		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "shuji", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": "1"}}).into(t, &secretary)
		shuji := s.activate(t, "shuji", "password-1", "shuji-laptop").Login.AccessToken
		const setReceiver = `mutation($u: ID!, $r: Boolean!) { setAnnualReportReceiver(userId: $u, receives: $r) }`
		sec := s.login(t, "secadmin", s.SecPW, "sec-laptop").Login.AccessToken
		for name, tc := range map[string]struct{ tok, user, code string }{
			"the security administrator": {sec, secretary.CreateUser.ID, "FORBIDDEN"},
			"a supervisor":               {w.sup, secretary.CreateUser.ID, "FORBIDDEN"},
			"a cadre as receiver":        {w.admin, liID, "INVALID"},
		} {
			if r := s.post(t, tc.tok, setReceiver, map[string]any{"u": tc.user, "r": true}); r.Code() != tc.code {
				t.Errorf("%s: %s, want %s", name, r.Raw, tc.code)
			}
		}
		s.post(t, w.admin, setReceiver, map[string]any{"u": secretary.CreateUser.ID, "r": true}).into(t, &struct{}{})

		sections := map[string]any{"workDone": "在兰考县开展调研 12 次", "results": "推动成立青年创业服务站",
			"experience": "“清单+销号”推进", "support": "县委县政府提供办公场所"}
		const submitReport = `mutation($in: ReportInput!) { submitReport(input: $in) { summary { id status } version { number } } }`
		incomplete := map[string]any{"workDone": "x", "results": "x", "experience": "x", "support": " "}
		if r := s.post(t, li, submitReport, map[string]any{"in": map[string]any{"clientId": "r-0", "year": 2026, "sections": incomplete}}); r.Code() != "INVALID" {
			t.Errorf("a report with an empty section: %s, want INVALID", r.Raw)
		}
		var sub struct {
			SubmitReport struct {
				Summary struct{ ID, Status string }
				Version struct{ Number int }
			}
		}
		s.post(t, li, submitReport, map[string]any{"in": map[string]any{"clientId": "r-1", "year": 2026, "sections": sections}}).into(t, &sub)
		id := sub.SubmitReport.Summary.ID
		if sub.SubmitReport.Summary.Status != "SUBMITTED" {
			t.Fatalf("report: %+v", sub)
		}
		if r := s.post(t, w.sup, reviewSummary, map[string]any{"id": id, "d": "ACCEPT"}); r.Code() != "FORBIDDEN" {
			t.Errorf("the cadre's supervisor, not a receiver, accepts: %s, want FORBIDDEN", r.Raw)
		}
		if kinds := inboxKinds(t, s, shuji); fmt.Sprint(kinds) != "[SUMMARY_SUBMITTED]" {
			t.Errorf("the receiver's inbox: %v", kinds)
		}
		if kinds := inboxKinds(t, s, w.sup); len(kinds) != 0 {
			t.Errorf("the supervisor's inbox: %v, want nothing (the report is not addressed to it)", kinds)
		}
		var ok struct{ ReviewSummary struct{ Status string } }
		s.post(t, shuji, reviewSummary, map[string]any{"id": id, "d": "ACCEPT", "v": 1}).into(t, &ok)
		if ok.ReviewSummary.Status != "ACCEPTED" {
			t.Fatalf("the receiver accepts: %+v", ok)
		}
		var got struct {
			AnnualReport struct {
				Kind, Status, Period string
				Versions             []struct {
					Content  sectionsOut
					Snapshot struct{ Quarters []struct{ Quarter string } }
					Review   struct{ Decision, ReviewerName string }
				}
			}
		}
		s.post(t, shuji, `query($u: ID) { annualReport(userId: $u, year: 2026) { `+reportFields+` } }`, map[string]any{"u": liID}).into(t, &got)
		r := got.AnnualReport
		if r.Kind != "ANNUAL" || r.Period != "2026" || len(r.Versions) != 1 {
			t.Fatalf("report: %+v", r)
		}
		c := r.Versions[0].Content
		if c.WorkDone != sections["workDone"] || c.Results != sections["results"] || c.Experience != sections["experience"] || c.Support != sections["support"] || c.Text != "" {
			t.Errorf("sections: %+v", c)
		}
		if q := r.Versions[0].Snapshot.Quarters; len(q) != 4 || q[3].Quarter != "2026Q4" {
			t.Errorf("the report's snapshot covers %+v, want the four quarters", q)
		}
		if rv := r.Versions[0].Review; rv.Decision != "ACCEPT" || rv.ReviewerName != "shuji" {
			t.Errorf("decision: %+v", rv)
		}
		var receivers struct{ AnnualReportReceivers []struct{ Username string } }
		s.post(t, w.admin, `{ annualReportReceivers { username } }`, nil).into(t, &receivers)
		if len(receivers.AnnualReportReceivers) != 1 || receivers.AnnualReportReceivers[0].Username != "shuji" {
			t.Errorf("receivers: %+v", receivers)
		}
	})
}
