package main

import (
	"strings"
	"testing"

	"github.com/henan-youth/onsite/internal/testimage"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestDispatchTaskList: a supervisor issues a quarterly list with a
// briefing; a dispatched cadre reads it and reports progress, keeping its
// history; a cadre not dispatched that quarter may not report on it.
func TestDispatchTaskList(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 7, 1, 9, 0)))
		w := setupField(t, s)
		tok, id := w.cadre(t, s, "taskcadre")
		issue := `mutation($in: IssueDispatchTaskListInput!) { issueDispatchTaskList(input: $in) { replayed list {
		  id year quarter periodFrom periodTo issuedBy tasks { id position title dueOn } briefings { text author } } } }`
		in := map[string]any{"clientId": "dtl-1", "orgUnitId": w.unit, "year": 2026, "quarter": 3, "title": "第三季度下沉工作任务",
			"briefing": "兰考县近期重点工作：乡村振兴青年人才回引。",
			"tasks":    []map[string]any{{"title": "走访返乡青年 10 名", "standard": "每名留存访谈记录"}, {"title": "组织青年座谈会", "dueOn": "2026-08-31"}}}
		var out struct {
			IssueDispatchTaskList struct {
				Replayed bool
				List     struct {
					ID, PeriodFrom, PeriodTo, IssuedBy string
					Tasks                              []struct {
						ID    string
						DueOn *string
					}
					Briefings []struct{ Text, Author string }
				}
			}
		}
		s.post(t, w.sup, issue, map[string]any{"in": in}).into(t, &out)
		l := out.IssueDispatchTaskList.List
		if l.PeriodFrom != "2026-07-01" || l.PeriodTo != "2026-09-30" || len(l.Tasks) != 2 || l.Tasks[0].DueOn != nil ||
			len(l.Briefings) != 1 || l.Briefings[0].Author != "sup" {
			t.Fatalf("issued: %+v", l)
		}
		s.post(t, w.sup, issue, map[string]any{"in": in}).into(t, &out)
		if !out.IssueDispatchTaskList.Replayed || out.IssueDispatchTaskList.List.ID != l.ID {
			t.Errorf("resend: %+v, want the first list", out.IssueDispatchTaskList)
		}
		s.post(t, w.sup, `mutation($l: ID!, $r: ID!) { addDispatchBriefing(listId: $l, regionId: $r, text: "本周县里召开青年创业大会") { id } }`,
			map[string]any{"l": l.ID, "r": w.lankao}).into(t, &struct{}{})

		var lists struct {
			DispatchTaskLists struct {
				Edges []struct {
					Node struct {
						ID        string
						Briefings []struct{ Region *struct{ Name string } }
					}
				}
			}
		}
		s.post(t, tok, `{ dispatchTaskLists(year: 2026, quarter: 3) { edges { node { id briefings { region { name } } } } } }`, nil).into(t, &lists)
		if e := lists.DispatchTaskLists.Edges; len(e) != 1 || len(e[0].Node.Briefings) != 2 || e[0].Node.Briefings[1].Region == nil ||
			e[0].Node.Briefings[1].Region.Name != "兰考县" {
			t.Errorf("the cadre's lists: %+v", lists)
		}
		report := `mutation($t: ID!, $s: TaskProgress!, $n: String) { reportTaskProgress(taskId: $t, status: $s, note: $n) { id status } }`
		for _, st := range []string{"IN_PROGRESS", "DONE"} {
			s.post(t, tok, report, map[string]any{"t": l.Tasks[0].ID, "s": st, "n": "已走访"}).into(t, &struct{}{})
		}
		var prog struct {
			DispatchTaskList struct {
				Tasks []struct {
					Progress *struct{ Status, UserName string }
				}
			}
		}
		q := `query($id: ID!, $u: ID) { dispatchTaskList(id: $id) { tasks { progress(userId: $u) { status userName } } } }`
		s.post(t, w.sup, q, map[string]any{"id": l.ID, "u": id}).into(t, &prog)
		if ts := prog.DispatchTaskList.Tasks; ts[0].Progress == nil || ts[0].Progress.Status != "DONE" || ts[1].Progress != nil {
			t.Errorf("progress as the supervisor sees it: %+v", ts)
		}
		var hist struct {
			TaskReports struct {
				Edges []struct{ Node struct{ Status string } }
			}
		}
		s.post(t, tok, `query($l: ID!) { taskReports(listId: $l) { edges { node { status } } } }`, map[string]any{"l": l.ID}).into(t, &hist)
		if e := hist.TaskReports.Edges; len(e) != 2 || e[0].Node.Status != "IN_PROGRESS" || e[1].Node.Status != "DONE" {
			t.Errorf("history: %+v", e)
		}

		s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "homebound", "password": initialPassword, "role": "CADRE", "orgUnitId": w.unit}}).into(t, &struct{}{})
		home := s.activate(t, "homebound", "password-1", "homebound-phone").Login.AccessToken
		if r := s.post(t, home, report, map[string]any{"t": l.Tasks[0].ID, "s": "DONE"}); r.Code() != "FORBIDDEN" {
			t.Errorf("a cadre not dispatched this quarter: %s, want FORBIDDEN", r.Raw)
		}
	})
}

const itemFields = `id status overdue deadline ownerName tickOffs { id late photos { url } ruling { decision by } }`

type itemNode struct {
	ID, Status, Deadline, OwnerName string
	Overdue                         bool
	TickOffs                        []struct {
		ID     string
		Late   bool
		Photos []struct{ URL string }
		Ruling *struct{ Decision, By string }
	}
}

// TestKeyWorkTickOff: items of an org unit's key-work list are ticked off
// by their owners with evidence — a tick-off without any is refused and
// changes nothing — and confirmed by a supervisor (销号), ledgered; an
// overdue item appears under the injected clock, a ticked-off one never.
func TestKeyWorkTickOff(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 7, 1, 9, 0)))
		w := setupField(t, s)
		tok, id := w.cadre(t, s, "owner")
		var created struct {
			CreateKeyWorkList struct {
				List struct {
					ID    string
					Items struct{ Edges []struct{ Node itemNode } }
				}
			}
		}
		s.post(t, w.sup, `mutation($in: CreateKeyWorkListInput!) { createKeyWorkList(input: $in) { list { id items { edges { node { `+itemFields+` } } } } } }`,
			map[string]any{"in": map[string]any{"clientId": "kw-2026", "orgUnitId": w.unit, "title": "2026年重点工作清单", "items": []map[string]any{
				{"clientId": "home", "title": "建成县级青年之家", "standard": "挂牌并对外开放", "ownerId": id, "deadline": "2026-07-31"},
				{"clientId": "visit", "title": "走访青年企业 5 家", "standard": "形成调研报告", "ownerId": id, "deadline": "2026-07-10"},
			}}}).into(t, &created)
		items := created.CreateKeyWorkList.List.Items.Edges
		if len(items) != 2 || items[0].Node.Status != "OPEN" || items[0].Node.OwnerName != "owner" {
			t.Fatalf("created: %+v", items)
		}
		home, visit := items[0].Node.ID, items[1].Node.ID

		tick := `mutation($in: TickOffInput!) { tickOffKeyWorkItem(input: $in) { replayed tickOff { id photos { url } } } }`
		item := func(id string) itemNode {
			var out struct {
				KeyWorkItems struct{ Edges []struct{ Node itemNode } }
			}
			s.post(t, w.sup, `query($l: ID!) { keyWorkItems(listId: $l) { edges { node { `+itemFields+` } } } }`,
				map[string]any{"l": created.CreateKeyWorkList.List.ID}).into(t, &out)
			for _, e := range out.KeyWorkItems.Edges {
				if e.Node.ID == id {
					return e.Node
				}
			}
			t.Fatalf("item %s not listed", id)
			return itemNode{}
		}
		r := s.post(t, tok, tick, map[string]any{"in": map[string]any{"clientId": "t-1", "itemId": home, "statement": "已建成"}})
		if r.Code() != "INVALID" || !strings.Contains(r.Raw, "evidence") {
			t.Errorf("a tick-off without evidence: %s, want INVALID naming the evidence", r.Raw)
		}
		if got := item(home); got.Status != "OPEN" || len(got.TickOffs) != 0 {
			t.Errorf("after the refused tick-off: %+v, want OPEN with none", got)
		}

		jpeg := testimage.JPEG(t, nil)
		var ticked struct {
			TickOffKeyWorkItem struct {
				TickOff struct {
					ID     string
					Photos []struct{ URL string }
				}
			}
		}
		s.postFiles(t, tok, tick, map[string]any{"in": map[string]any{"clientId": "t-2", "itemId": home, "statement": "青年之家已挂牌开放"}},
			[]upload{{"home.jpg", jpeg}}).into(t, &ticked)
		to := ticked.TickOffKeyWorkItem.TickOff
		if len(to.Photos) != 1 {
			t.Fatalf("tick-off: %+v", to)
		}
		if status, body := s.getPhoto(t, tok, to.Photos[0].URL); status != 200 || len(body) == 0 {
			t.Errorf("the owner fetches its photo: %d", status)
		}
		if got := item(home); got.Status != "SUBMITTED" {
			t.Errorf("after the tick-off: %s, want SUBMITTED", got.Status)
		}
		rule := `mutation($id: ID!, $d: KeyWorkDecision!, $c: String) { ruleKeyWorkTickOff(id: $id, decision: $d, comment: $c) { replayed ruling { decision } } }`
		if r := s.post(t, tok, rule, map[string]any{"id": to.ID, "d": "CONFIRM"}); r.Code() != "FORBIDDEN" {
			t.Errorf("the owner confirms its own: %s, want FORBIDDEN", r.Raw)
		}
		s.post(t, w.sup, rule, map[string]any{"id": to.ID, "d": "CONFIRM", "c": "已现场核实"}).into(t, &struct{}{})
		if got := item(home); got.Status != "DONE" || got.TickOffs[0].Ruling == nil || got.TickOffs[0].Ruling.By != "sup" || got.TickOffs[0].Late {
			t.Errorf("after the confirmation: %+v", got)
		}
		var e struct{ LedgerEntry struct{ Matches bool } }
		s.post(t, w.admin, `query($id: ID!) { ledgerEntry(kind: KEYWORK_TICKOFF, id: $id) { matches } }`, map[string]any{"id": to.ID}).into(t, &e)
		if !e.LedgerEntry.Matches {
			t.Errorf("the tick-off does not match its leaf")
		}
		if got, err := checkLedger(t, s, b); err != nil || !strings.Contains(got, "OK:") {
			t.Errorf("verify-ledger with a tick-off and its ruling: %s, %v", got, err)
		}

		overdue := func() []string {
			var out struct {
				KeyWorkItems struct{ Edges []struct{ Node itemNode } }
			}
			s.post(t, w.sup, `{ keyWorkItems(overdue: true) { edges { node { id overdue } } } }`, nil).into(t, &out)
			var ids []string
			for _, e := range out.KeyWorkItems.Edges {
				if !e.Node.Overdue {
					t.Errorf("listed as overdue but overdue=false: %+v", e.Node)
				}
				ids = append(ids, e.Node.ID)
			}
			return ids
		}
		if got := overdue(); len(got) != 0 {
			t.Errorf("on 1 July: %v overdue, want none", got)
		}
		s.clock.Set(at(2026, 8, 1, 9, 0))
		if got := overdue(); len(got) != 1 || got[0] != visit {
			t.Errorf("on 1 August: %v overdue, want only the visits (%s); the ticked-off item is not", got, visit)
		}
	})
}
