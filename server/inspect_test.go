package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/internal/testimage"
	"github.com/henan-youth/onsite/spotcheck"
	"github.com/henan-youth/onsite/store/storetest"
)

// inspectWorld is a field world with two cadres' check-ins over three
// days of November 2026 in 兰考县 (开封, 410200) and an inspector: zhang's
// days are clean but the 4th, which holds a check-in of too low accuracy
// (a blocking flag); liu's two days are clean.
type inspectWorld struct {
	*fieldWorld
	s                  *testServer
	zhang, liu         string // tokens
	zhangID, liuID     string
	inspector          string
	firstCheckIn       string // zhang's first check-in's id
	zhangDays, liuDays []string
}

func newInspectWorld(t *testing.T, s *testServer) *inspectWorld {
	t.Helper()
	w := &inspectWorld{fieldWorld: setupField(t, s), s: s}
	w.zhang, w.zhangID = w.fieldWorld.cadre(t, s, "zhang")
	w.liu, w.liuID = w.fieldWorld.cadre(t, s, "liu")
	w.inspector = inspectorToken(t, s, w.fieldWorld)
	day := func(tok, who string, d int, blocked bool) {
		s.clock.Set(at(2026, 11, d, 8, 30))
		out := s.checkIn(t, tok, fix(who+"-am-"+strconv.Itoa(d), near(lankaoGCJ, d), 15, "GCJ02", s.clock.Now()))
		if w.firstCheckIn == "" {
			w.firstCheckIn = out.CheckIn.CheckIn.ID
		}
		s.clock.Set(at(2026, 11, d, 13, 0))
		s.checkIn(t, tok, fix(who+"-pm-"+strconv.Itoa(d), near(lankaoGCJ, d+10), 15, "GCJ02", s.clock.Now()))
		if blocked {
			s.checkIn(t, tok, fix(who+"-low-"+strconv.Itoa(d), near(lankaoGCJ, d+20), 500, "GCJ02", s.clock.Now()))
		}
	}
	for d := 2; d <= 4; d++ {
		day(w.zhang, "zhang", d, d == 4)
		w.zhangDays = append(w.zhangDays, "2026-11-0"+strconv.Itoa(d))
	}
	for d := 2; d <= 3; d++ {
		day(w.liu, "liu", d, false)
		w.liuDays = append(w.liuDays, "2026-11-0"+strconv.Itoa(d))
	}
	return w
}

const drawMutation = `mutation($in: SpotCheckInput!) { drawSpotCheck(input: $in) { replayed spotCheck {
  id seed plan candidates candidatesHash documentUrl items(first: 100) { edges { node { id date stratum user { id } } } } } } }`

type drawOut struct {
	DrawSpotCheck struct {
		Replayed  bool
		SpotCheck struct {
			ID, Seed, Plan, CandidatesHash, DocumentURL string
			Candidates                                  int
			Items                                       struct {
				Edges []struct {
					Node struct {
						ID, Date, Stratum string
						User              struct{ ID string }
					}
				}
			}
		}
	}
}

// drawInputOf asks for a draw from November's cadre-days, stratified by
// city and flag class: per from each stratum, one from the blocked.
func drawInputOf(clientID string, per int) map[string]any {
	return map[string]any{"clientId": clientID, "from": "2026-11-01", "to": "2026-11-30", "strata": []string{"CITY", "FLAG_CLASS"},
		"perStratum": per, "sizes": []map[string]any{{"stratum": "city=410200/flags=BLOCKING", "size": 1}}, "notes": "第四季度随机抽查"}
}

// getDocument fetches a draw's document with the token.
func (s *testServer) getDocument(t *testing.T, token, url string) (int, []byte) {
	t.Helper()
	return s.getPhoto(t, token, url)
}

// redraw is the draw written out from its definition (docs/inspectors.md),
// without the spotcheck package: within each stratum the cadre-days of the
// smallest SHA-256(seed \n user \n date).
func redraw(t *testing.T, doc *spotcheck.Document, sizes map[string]int, per int) []spotcheck.Entry {
	t.Helper()
	seed, err := hex.DecodeString(doc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	rank := func(e spotcheck.Entry) string {
		h := sha256.Sum256([]byte(string(seed) + "\n" + strconv.FormatInt(e.UserID, 10) + "\n" + e.Date))
		return hex.EncodeToString(h[:])
	}
	strata := map[string][]spotcheck.Entry{}
	for _, c := range doc.Candidates {
		strata[c.Stratum] = append(strata[c.Stratum], c)
	}
	var out []spotcheck.Entry
	for name, es := range strata {
		slices.SortFunc(es, func(a, b spotcheck.Entry) int { return strings.Compare(rank(a), rank(b)) })
		n, ok := sizes[name]
		if !ok {
			n = per
		}
		out = append(out, es[:min(n, len(es))]...)
	}
	slices.SortFunc(out, func(a, b spotcheck.Entry) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), strings.Compare(a.Date, b.Date))
	})
	return out
}

// TestSpotCheckRecomputedOffline: a draw stratified by city and flag
// class takes each stratum's size; its document, fetched over HTTP,
// recomputes on its own — by verify-spot-check, and by the definition written
// out here — and names its ledger leaf, which ledgerEntry confirms; a
// document with a swapped cadre-day fails. A resend replays; the same id
// for another plan is a CONFLICT; supervisors may not draw.
func TestSpotCheckRecomputedOffline(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)))
		w := newInspectWorld(t, s)
		var d drawOut
		s.post(t, w.inspector, drawMutation, map[string]any{"in": drawInputOf("q4-1", 2)}).into(t, &d)
		sc := d.DrawSpotCheck.SpotCheck
		strata := map[string]int{}
		for _, e := range sc.Items.Edges {
			strata[e.Node.Stratum]++
		}
		if sc.Candidates != 5 || strata["city=410200/flags=CLEAN"] != 2 || strata["city=410200/flags=BLOCKING"] != 1 || len(strata) != 2 {
			t.Fatalf("drew %v of %d candidates, want 2 clean and 1 blocked of 5", strata, sc.Candidates)
		}
		status, raw := s.getDocument(t, w.inspector, sc.DocumentURL)
		if status != 200 {
			t.Fatalf("document: %d %s", status, raw)
		}
		if status, _ := s.getDocument(t, w.sup, sc.DocumentURL); status != 404 {
			t.Errorf("a supervisor fetches the document: %d, want 404", status)
		}
		var doc spotcheck.Document
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		want := redraw(t, &doc, map[string]int{"city=410200/flags=BLOCKING": 1}, 2)
		if !slices.Equal(doc.Sample, want) || len(want) != 3 {
			t.Errorf("the document's sample %v, the definition's %v", doc.Sample, want)
		}
		if err := s.app.ledger.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		var e entryOut
		s.post(t, w.inspector, entryQuery, map[string]any{"k": "SPOT_CHECK", "id": sc.ID}).into(t, &e)
		path := filepath.Join(t.TempDir(), "draw.json")
		os.WriteFile(path, raw, 0o644)
		out, err := runCmd(t, "verify-spot-check", "-document", path, "-leaf", e.LedgerEntry.LeafHash)
		if err != nil || !strings.Contains(out, "OK: spot check "+sc.ID+" redrawn: 3 cadre-days of 5 candidates in 2 strata") ||
			!e.LedgerEntry.Matches || !bytes.Equal(unb64(t, e.LedgerEntry.Canonical), doc.Record) {
			t.Errorf("verify-spot-check: %v\n%s\nentry %+v", err, out, e.LedgerEntry)
		}
		swapped := false // swap a drawn cadre-day for one not drawn, in the same stratum
		for j := range doc.Sample {
			for _, c := range doc.Candidates {
				if !swapped && !slices.Contains(doc.Sample, c) && c.Stratum == doc.Sample[j].Stratum {
					doc.Sample[j], swapped = c, true
				}
			}
		}
		if !swapped {
			t.Fatal("no cadre-day to swap")
		}
		forged, _ := json.Marshal(doc)
		os.WriteFile(path, forged, 0o644)
		if out, err := runCmd(t, "verify-spot-check", "-document", path); err == nil || !strings.Contains(out, "MISMATCH sample:") {
			t.Errorf("a swapped cadre-day: %v\n%s", err, out)
		}

		var again drawOut
		s.post(t, w.inspector, drawMutation, map[string]any{"in": drawInputOf("q4-1", 2)}).into(t, &again)
		if !again.DrawSpotCheck.Replayed || again.DrawSpotCheck.SpotCheck.ID != sc.ID || again.DrawSpotCheck.SpotCheck.Seed != sc.Seed {
			t.Errorf("a resend: %+v, want the stored draw", again.DrawSpotCheck)
		}
		if r := s.post(t, w.inspector, drawMutation, map[string]any{"in": drawInputOf("q4-1", 1)}); r.Code() != "CONFLICT" {
			t.Errorf("the same id for another plan: %s, want CONFLICT", r.Raw)
		}
		if r := s.post(t, w.sup, drawMutation, map[string]any{"in": drawInputOf("q4-2", 1)}); r.Code() != "FORBIDDEN" {
			t.Errorf("a supervisor draws: %s, want FORBIDDEN", r.Raw)
		}
	})
}

// runCmd runs a subcommand and returns its output and error.
func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runWith(context.Background(), args, func(string) string { return "" }, &out, runOptions{now: time.Now})
	return out.String(), err
}

const findingMutation = `mutation($in: FindingInput!) { recordFinding(input: $in) { replayed finding {
  id outcome notes refs subject { id } item { id date } createdAt } } }`

type findingOut struct {
	RecordFinding struct {
		Replayed bool
		Finding  struct {
			ID, Outcome, Notes string
			Refs               []string
			Subject            struct{ ID string }
			Item               *struct{ ID, Date string }
		}
	}
}

// TestFindingsAreNeverEdited: a finding on a sampled day is recorded with
// its cadre and evidence; a resend replays it, the same id with other
// notes is a CONFLICT and the API has no mutation that edits one; a
// finding edited in the database is named by verify-ledger. A
// DISCREPANCY is escalated once, handed to the corrections, and a resend
// is safe; a CONFIRMED finding is not escalated.
func TestFindingsAreNeverEdited(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)), withEnv("ONSITE_LEDGER_INTERVAL=1h"))
		w := newInspectWorld(t, s)
		var d drawOut
		s.post(t, w.inspector, drawMutation, map[string]any{"in": drawInputOf("q4-1", 10)}).into(t, &d)
		item := d.DrawSpotCheck.SpotCheck.Items.Edges[0].Node
		in := map[string]any{"clientId": "f-1", "itemId": item.ID, "outcome": "DISCREPANCY", "notes": "村委会称当天未见到",
			"refs": []string{"checkin:" + w.firstCheckIn, " checkin:" + w.firstCheckIn}}
		var f findingOut
		s.post(t, w.inspector, findingMutation, map[string]any{"in": in}).into(t, &f)
		got := f.RecordFinding.Finding
		if got.Subject.ID != item.User.ID || got.Item == nil || got.Item.Date != item.Date || f.RecordFinding.Replayed ||
			strings.Join(got.Refs, ",") != "checkin:"+w.firstCheckIn {
			t.Fatalf("finding %+v on item %+v", f.RecordFinding, item)
		}
		var again findingOut
		s.post(t, w.inspector, findingMutation, map[string]any{"in": in}).into(t, &again)
		if !again.RecordFinding.Replayed || again.RecordFinding.Finding.ID != got.ID {
			t.Errorf("a resend: %+v, want the stored finding", again.RecordFinding)
		}
		in["notes"] = "改为：已见到"
		if r := s.post(t, w.inspector, findingMutation, map[string]any{"in": in}); r.Code() != "CONFLICT" {
			t.Errorf("the same finding with other notes: %s, want CONFLICT", r.Raw)
		}
		if r := s.post(t, w.inspector, `mutation { updateFinding(id: 1, notes: "x") { id } }`, nil); r.Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("an edit: %s, want no such mutation", r.Raw)
		}
		bad := map[string]any{"clientId": "f-2", "subjectId": w.zhangID, "outcome": "CONFIRMED", "refs": []string{"checkin:999999"}}
		if r := s.post(t, w.inspector, findingMutation, map[string]any{"in": bad}); r.Code() != "INVALID" {
			t.Errorf("a reference to no record: %s, want INVALID", r.Raw)
		}
		if r := s.post(t, w.sup, findingMutation, map[string]any{"in": bad}); r.Code() != "FORBIDDEN" {
			t.Errorf("a supervisor's finding: %s, want FORBIDDEN", r.Raw)
		}

		escalate := `mutation($f: ID!, $id: ID!) { escalateFinding(findingId: $f, target: CHECK_IN, targetId: $id, reason: "据回访否认") {
		  replayed escalation { id findingId target targetId } } }`
		var esc struct {
			EscalateFinding struct {
				Replayed   bool
				Escalation struct{ ID, FindingID, Target, TargetID string }
			}
		}
		target := w.firstCheckIn
		if item.User.ID != w.zhangID {
			t.Fatalf("the first item is %s's, want zhang's", item.User.ID)
		}
		s.post(t, w.inspector, escalate, map[string]any{"f": got.ID, "id": target}).into(t, &esc)
		s.post(t, w.inspector, escalate, map[string]any{"f": got.ID, "id": target}).into(t, &esc)
		if !esc.EscalateFinding.Replayed || esc.EscalateFinding.Escalation.TargetID != target {
			t.Errorf("escalations %+v", esc.EscalateFinding)
		}
		var ruled struct {
			CheckIns struct {
				Edges []struct {
					Node struct {
						ID, Status string
						Rulings    []struct{ Decision, Reason string }
					}
				}
			}
		}
		s.post(t, w.inspector, `query($u: ID!) { checkIns(userId: $u, first: 20) { edges { node { id status rulings { decision reason } } } } }`,
			map[string]any{"u": w.zhangID}).into(t, &ruled)
		found := false
		for _, e := range ruled.CheckIns.Edges {
			if n := e.Node; n.ID == target {
				found = true
				want := "纪检监察组核查（升级 " + esc.EscalateFinding.Escalation.ID + "）：据回访否认"
				if n.Status != "REJECTED" || len(n.Rulings) == 0 || n.Rulings[len(n.Rulings)-1].Reason != want ||
					(len(n.Rulings) > 1 && n.Rulings[len(n.Rulings)-2].Reason == want) {
					t.Errorf("the escalated check-in after a resend: %+v, want REJECTED once by %q", n, want)
				}
			}
		}
		if !found {
			t.Errorf("check-in %s not listed", target)
		}
		var ok findingOut
		s.post(t, w.inspector, findingMutation, map[string]any{"in": map[string]any{"clientId": "f-3", "subjectId": w.zhangID,
			"outcome": "CONFIRMED"}}).into(t, &ok)
		if r := s.post(t, w.inspector, escalate, map[string]any{"f": ok.RecordFinding.Finding.ID, "id": target}); r.Code() != "CONFLICT" {
			t.Errorf("a CONFIRMED finding escalated: %s, want CONFLICT", r.Raw)
		}

		// Past the server: an edited finding no longer matches its leaf.
		if err := s.app.ledger.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(t.TempDir(), "held.checkpoint")
		os.WriteFile(cp, httpGet(t, s.URL+"/ledger/checkpoint"), 0o644)
		vkey := s.app.ledger.Signer.VerifierKeys()[0]
		verify := func() (string, error) {
			return runCmd(t, "verify-ledger", "-checkpoint", cp, "-key", vkey, "-db", b.Name, "-dsn", b.Config.DSN)
		}
		if out, err := verify(); err != nil {
			t.Fatalf("untouched: %v\n%s", err, out)
		}
		db, err := sql.Open(b.Name, b.Config.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("UPDATE findings SET outcome = 'CONFIRMED' WHERE client_id = 'f-1'"); err != nil {
			t.Fatal(err)
		}
		out, err := verify()
		if want := `MISMATCH finding inspector=`; err == nil || !strings.Contains(out, want) || !strings.Contains(out, `client="f-1"`) {
			t.Errorf("an edited finding: %v\n%s", err, out)
		}
	})
}

const accessLogQuery = `query($cadre: ID) { accessLog(cadreId: $cadre, first: 100) { edges { node {
  reader readerRole what query cadre { id } } } } }`

type accessOut struct {
	AccessLog struct {
		Edges []struct {
			Node struct {
				Reader, ReaderRole, What, Query string
				Cadre                           struct{ ID string }
			}
		}
	}
}

// reads lists an access log's entries as "reader role what query".
func (a accessOut) reads() []string {
	var out []string
	for _, e := range a.AccessLog.Edges {
		n := e.Node
		out = append(out, n.Reader+" "+n.ReaderRole+" "+n.What+" "+n.Query)
	}
	return out
}

// TestCallBackRevealShowsInAccessLog: from a sampled interview, the
// inspector reveals the interviewee's contact (in the security audit log
// too) and records the call's outcome as a finding citing the interview
// and the reveal; the reveal shows in the cadre's access log, which the
// cadre sees, with the supervisor's read of its check-ins — and not its
// own reads, nor another cadre's entries. A call-back without a reveal is
// refused.
func TestCallBackRevealShowsInAccessLog(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)))
		w := newInspectWorld(t, s)
		s.clock.Set(at(2026, 11, 3, 10, 0))
		iv := interview("call-1", near(lankaoGCJ, 7), s.clock.Now())
		iv["interviewee"].(map[string]any)["phone"] = "138 1234 5678"
		iv["interviewee"].(map[string]any)["phoneConsent"] = true
		var rec activityOut
		s.post(t, w.zhang, recordActivity, map[string]any{"in": iv}).into(t, &rec)
		var d drawOut
		s.post(t, w.inspector, drawMutation, map[string]any{"in": drawInputOf("q4-1", 10)}).into(t, &d)
		var item string
		for _, e := range d.DrawSpotCheck.SpotCheck.Items.Edges {
			if e.Node.User.ID == w.zhangID && e.Node.Date == "2026-11-03" {
				item = e.Node.ID
			}
		}
		callBack := `mutation($in: CallBackInput!) { recordCallBack(input: $in) { finding { outcome refs subject { id } } } }`
		in := map[string]any{"clientId": "cb-1", "intervieweeId": rec.RecordActivity.Activity.Interviewee.ID, "itemId": item,
			"outcome": "DENIED", "notes": "本人表示未接受过访谈"}
		if r := s.post(t, w.inspector, callBack, map[string]any{"in": in}); r.Code() != "CONFLICT" {
			t.Errorf("a call-back without a reveal: %s, want CONFLICT", r.Raw)
		}
		var number struct{ RevealContact string }
		s.post(t, w.inspector, `mutation($id: ID!) { revealContact(intervieweeId: $id, reason: "随机抽查回访") }`,
			map[string]any{"id": rec.RecordActivity.Activity.Interviewee.ID}).into(t, &number)
		var cb struct {
			RecordCallBack struct {
				Finding struct {
					Outcome string
					Refs    []string
					Subject struct{ ID string }
				}
			}
		}
		s.post(t, w.inspector, callBack, map[string]any{"in": in}).into(t, &cb)
		f := cb.RecordCallBack.Finding
		if number.RevealContact != "+8613812345678" || f.Outcome != "DISCREPANCY" || f.Subject.ID != w.zhangID || len(f.Refs) != 2 ||
			f.Refs[0] != "activity:"+rec.RecordActivity.Activity.ID || !strings.HasPrefix(f.Refs[1], "contact_reveal:") {
			t.Errorf("revealed %q; call-back finding %+v", number.RevealContact, f)
		}

		s.post(t, w.sup, `query($u: ID!) { checkIns(userId: $u) { edges { node { id } } } }`, map[string]any{"u": w.zhangID}).into(t, &struct{}{})
		s.post(t, w.zhang, `{ myCheckIns(from: "2026-11-01T00:00:00+08:00", to: "2026-12-01T00:00:00+08:00") { edges { node { id } } } }`, nil).
			into(t, &struct{}{})
		var mine accessOut
		s.post(t, w.zhang, accessLogQuery, nil).into(t, &mine)
		reads := strings.Join(mine.reads(), "\n")
		for _, want := range []string{"inspector DISCIPLINE CONTACT revealContact", "sup SUPERVISOR PRESENCE checkIns"} {
			if !strings.Contains(reads, want) {
				t.Errorf("the cadre's access log lacks %q:\n%s", want, reads)
			}
		}
		if strings.Contains(reads, "zhang ") {
			t.Errorf("the cadre's own reads are logged:\n%s", reads)
		}
		var theirs accessOut
		s.post(t, w.liu, accessLogQuery, map[string]any{"cadre": w.zhangID}).into(t, &theirs)
		if len(theirs.AccessLog.Edges) != 0 {
			t.Errorf("another cadre sees zhang's access log: %v", theirs.reads())
		}
		var all accessOut
		s.post(t, w.inspector, accessLogQuery, map[string]any{"cadre": w.zhangID}).into(t, &all)
		if len(all.AccessLog.Edges) != len(mine.AccessLog.Edges) {
			t.Errorf("the inspector sees %d entries of zhang's, zhang %d", len(all.AccessLog.Edges), len(mine.AccessLog.Edges))
		}
		if r := s.post(t, w.sup, accessLogQuery, nil); r.Code() != "FORBIDDEN" {
			t.Errorf("a supervisor reads the access log: %s, want FORBIDDEN", r.Raw)
		}
		audit := s.login(t, "auditadmin", s.AuditPW, "audit-laptop").Login.AccessToken
		var entries struct {
			SecurityAudit struct {
				Edges []struct {
					Node struct{ Actor, Detail string }
				}
			}
		}
		s.post(t, audit, `{ securityAudit(action: "contact.reveal") { edges { node { actor detail } } } }`, nil).into(t, &entries)
		if es := entries.SecurityAudit.Edges; len(es) != 1 || es[0].Node.Actor != "inspector" || es[0].Node.Detail != "随机抽查回访" {
			t.Errorf("security audit of the reveal: %+v", es)
		}
	})
}

const riskQuery = `query($from: String!, $to: String!) { riskRanking(from: $from, to: $to, first: 10) { edges { node {
  user { id } score anomalies { kind count value limit detail refs } } } } }`

type riskOut struct {
	RiskRanking struct {
		Edges []struct {
			Node struct {
				User      struct{ ID string }
				Score     float64
				Anomalies []struct {
					Kind         string
					Count        int
					Value, Limit float64
					Detail       string
					Refs         []string
				}
			}
		}
	}
}

// TestAnomaliesRankCadres: a fix repeated exactly on two days and a photo
// in two of a cadre's forums, and a near-identical copy of it (another
// file, the same picture) in another cadre's forum, are found with their
// numbers and records; the cadre with both ranks first. Only the
// discipline group reads the ranking. The forums, with their photos,
// verify against the ledger.
func TestAnomaliesRankCadres(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)))
		w := newInspectWorld(t, s)
		for d := 5; d <= 6; d++ {
			s.clock.Set(at(2026, 11, d, 9, 0))
			s.checkIn(t, w.zhang, fix("same-"+strconv.Itoa(d), near(lankaoGCJ, 40), 15, "GCJ02", s.clock.Now()))
		}
		photo := testimage.JPEG(t, nil)
		copyOf := testimage.JPEG(t, testimage.TIFF(t, testimage.EXIF{Taken: "2026:11:02 10:00:00"}))
		for i, c := range []struct {
			tok  string
			day  int
			data []byte
		}{{w.zhang, 2, photo}, {w.zhang, 3, photo}, {w.liu, 3, copyOf}} {
			s.clock.Set(at(2026, 11, c.day, 10, 0))
			var out forumOut
			s.postFiles(t, c.tok, recordForum, map[string]any{"in": forum("forum-"+strconv.Itoa(i), near(lankaoGCJ, 3), s.clock.Now())},
				[]upload{{"IMG.jpg", c.data}}).into(t, &out)
		}
		if n, err := s.app.inspect.HashPhotos(context.Background(), 10); err != nil || n != 2 {
			t.Fatalf("hashed %d photos, %v; want the two files", n, err)
		}
		var r riskOut
		s.post(t, w.inspector, riskQuery, map[string]any{"from": "2026-11-01", "to": "2026-11-30"}).into(t, &r)
		got := map[string]string{}
		var order []string
		for _, e := range r.RiskRanking.Edges {
			var kinds []string
			for _, a := range e.Node.Anomalies {
				kinds = append(kinds, a.Kind+"="+strconv.Itoa(a.Count))
				if a.Detail == "" || len(a.Refs) == 0 {
					t.Errorf("%s of %s without its numbers or records: %+v", a.Kind, e.Node.User.ID, a)
				}
			}
			got[e.Node.User.ID] = strings.Join(kinds, ",")
			order = append(order, e.Node.User.ID)
		}
		if got[w.zhangID] != "IDENTICAL_FIXES=1,REUSED_PHOTOS=1" || got[w.liuID] != "REUSED_PHOTOS=1" || len(order) != 2 || order[0] != w.zhangID {
			t.Errorf("ranking %v: %v; want zhang (%s) with both first, liu (%s) with the reused photo", order, got, w.zhangID, w.liuID)
		}
		if rs := s.post(t, w.sup, riskQuery, map[string]any{"from": "2026-11-01", "to": "2026-11-30"}); rs.Code() != "FORBIDDEN" {
			t.Errorf("a supervisor reads the ranking: %s, want FORBIDDEN", rs.Raw)
		}
		var one struct {
			CadreRisk struct {
				Score     float64
				Anomalies []struct{ Kind string }
			}
		}
		s.post(t, w.inspector, `query($u: ID!) { cadreRisk(userId: $u, from: "2026-11-01", to: "2026-11-30") { score anomalies { kind } } }`,
			map[string]any{"u": w.liuID}).into(t, &one)
		if len(one.CadreRisk.Anomalies) != 1 || one.CadreRisk.Anomalies[0].Kind != "REUSED_PHOTOS" || one.CadreRisk.Score != 3 {
			t.Errorf("liu's risk: %+v", one.CadreRisk)
		}

		// The forums with their photos, the access log's batches and the
		// check-ins all reproduce their leaves from the database.
		if err := s.app.ledger.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(t.TempDir(), "held.checkpoint")
		os.WriteFile(cp, httpGet(t, s.URL+"/ledger/checkpoint"), 0o644)
		out, err := runCmd(t, "verify-ledger", "-checkpoint", cp, "-key", s.app.ledger.Signer.VerifierKeys()[0], "-db", b.Name, "-dsn", b.Config.DSN)
		if err != nil || !strings.Contains(out, "OK: ") {
			t.Errorf("verify-ledger: %v\n%s", err, out)
		}
	})
}
