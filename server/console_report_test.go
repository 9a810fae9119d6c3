package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// reportRow is a complianceReport row as the report test reads it.
type reportRow struct {
	User  struct{ ID, Username string }
	Rules []struct{ Rule, Item, Status, Message string }
}

// quarterReport: a supervisor opens last quarter's report, finds a failing
// cadre's cell with the sentence the API gives for it, filters to the
// failing cadres (as many as the API counts), downloads the spreadsheet
// and closes the quarter.
func (s *consoleSite) quarterReport(t *testing.T) {
	var year, quarter int
	if _, err := fmt.Sscanf(lastQuarter(), "%d-%d", &year, &quarter); err != nil {
		t.Fatal(err)
	}
	// What the API says, with a session of its own.
	token := s.login(t, "sup-province", "Demo-pass-2022", "console-report-api").Login.AccessToken
	var me struct {
		Me struct{ OrgUnit struct{ ID, Name string } }
	}
	s.post(t, token, `{ me { orgUnit { id name } } }`, nil).into(t, &me)
	unit := me.Me.OrgUnit
	vars := map[string]any{"u": unit.ID, "y": year, "q": quarter}
	var api struct {
		ComplianceReport struct {
			Failing struct {
				TotalCount int
				Edges      []struct{ Node reportRow }
			}
		}
	}
	s.post(t, token, `query($u: ID!, $y: Int!, $q: Int!) { complianceReport(orgUnitId: $u, year: $y, quarter: $q) {
		failing: rows(first: 30, onlyFailing: true) { totalCount edges { node { user { id username } rules { rule item status message } } } } } }`,
		vars).into(t, &api)
	failing := api.ComplianceReport.Failing
	if failing.TotalCount == 0 || len(failing.Edges) == 0 {
		t.Fatalf("the demo's last quarter has no failing cadre: %+v", failing)
	}
	// A failing cadre and rule, one that fails few cadres (R2, R8) when
	// there is one, and the sentence verdicts gives for it.
	var cadre reportRow
	var rule, item string
	for _, e := range failing.Edges {
		for _, r := range e.Node.Rules {
			if r.Status != "MISSED" && r.Status != "AT_RISK" {
				continue
			}
			if rule == "" || (r.Rule == "R2" || r.Rule == "R8") && rule != "R2" && rule != "R8" {
				cadre, rule, item = e.Node, r.Rule, r.Item
			}
		}
	}
	var verdicts struct {
		Verdicts []struct{ Rule, Item, Status, Message string }
	}
	s.post(t, token, `query($id: ID!, $y: Int!, $q: Int!) { verdicts(userId: $id, year: $y, quarter: $q) { rule item status message } }`,
		map[string]any{"id": cadre.User.ID, "y": year, "q": quarter}).into(t, &verdicts)
	sentence := ""
	for _, v := range verdicts.Verdicts {
		if v.Rule == rule && v.Item == item {
			sentence = v.Message
		}
	}
	if sentence == "" || !strings.ContainsFunc(sentence, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Fatalf("verdicts of %s give no Chinese sentence for %s %s: %+v", cadre.User.Username, rule, item, verdicts.Verdicts)
	}
	var byRule struct {
		ComplianceReport struct{ All, Rows struct{ TotalCount int } }
	}
	s.post(t, token, `query($u: ID!, $y: Int!, $q: Int!, $r: String) { complianceReport(orgUnitId: $u, year: $y, quarter: $q) {
		all: rows(first: 1) { totalCount } rows(first: 1, onlyFailing: true, rule: $r) { totalCount } } }`, map[string]any{"u": unit.ID, "y": year, "q": quarter, "r": rule}).into(t, &byRule)

	ctx := s.tab(t)
	s.signIn(t, ctx, "sup-province", "console-test")
	do(t, ctx, "report", chromedp.Click(chromedp.ID("nav-report")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"]`)))
	do(t, ctx, "last quarter", chromedp.SetValue(chromedp.ID("period"), lastQuarter()),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('#totals tr[data-rule]').length`); n == 0 {
		t.Error("the report shows no totals")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#report-table td.cell.s-missed, #report-table td.cell.s-at_risk').length`); n == 0 {
		t.Error("no cell of the report is coloured failing")
	}
	s.shot(t, ctx, "console-report")
	if n := s.reportRows(t, ctx); n != byRule.ComplianceReport.All.TotalCount {
		t.Errorf("the report's pages show %d cadres; the API counts %d", n, byRule.ComplianceReport.All.TotalCount)
	}
	t.Logf("%d cadres, %d failing, %d failing %s", byRule.ComplianceReport.All.TotalCount, failing.TotalCount, byRule.ComplianceReport.Rows.TotalCount, rule)

	// Only failing: every page of them, as many as the API counts.
	do(t, ctx, "only failing", chromedp.Click(chromedp.ID("only-failing")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"]`)))
	if n := s.reportRows(t, ctx); n != failing.TotalCount {
		t.Errorf("only failing shows %d cadres; the API counts %d", n, failing.TotalCount)
	}
	sel := fmt.Sprintf(`#report-table tr[data-user=%q] td[data-rule=%q]`, cadre.User.Username, rule)
	status := eval[string](t, ctx, `(document.querySelector('`+sel+`') || {dataset: {}}).dataset.status || ''`)
	title := eval[string](t, ctx, `(document.querySelector('`+sel+`') || {}).title || ''`)
	if (status != "MISSED" && status != "AT_RISK") || !strings.Contains(title, sentence) {
		t.Errorf("%s's %s cell: status %q, title %q; want failing with %q", cadre.User.Username, rule, status, title, sentence)
	}
	// One rule's failing cadres.
	do(t, ctx, "rule "+rule, chromedp.SetValue(chromedp.ID("rule-filter"), rule),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"]`)))
	if n := s.reportRows(t, ctx); n != byRule.ComplianceReport.Rows.TotalCount {
		t.Errorf("only failing %s shows %d cadres; the API counts %d", rule, n, byRule.ComplianceReport.Rows.TotalCount)
	}

	// The spreadsheet, saved by the browser from its blob: URL.
	dir := t.TempDir()
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	progress := chromedp.Events(dctx, browser.DownloadProgress)
	allow := true
	if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &allow}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "download", chromedp.Click(chromedp.ID("download")), chromedp.WaitVisible(chromedp.ID("downloaded")))
	file := ""
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	cancel()
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("the download is no workbook: %v", err)
	}
	defer book.Close()
	if sheets := book.GetSheetList(); len(sheets) == 0 || sheets[0] != "汇总" {
		t.Errorf("the workbook's sheets are %v; want the summary 汇总 first", sheets)
	}
	rows, err := book.GetRows(rule)
	if err != nil {
		t.Fatalf("sheet %s: %v", rule, err)
	}
	found := false
	for _, r := range rows {
		found = found || (len(r) > 1 && r[1] == cadre.User.Username)
	}
	if !found {
		t.Errorf("sheet %s of the workbook has no row for %s", rule, cadre.User.Username)
	}

	// Closing the quarter, after the confirmation.
	do(t, ctx, "close the quarter",
		chromedp.Evaluate[chromedp.Void](`window.confirm = (q) => { window.asked = q; return true; }`),
		chromedp.Click(chromedp.ID("close-quarter")),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"] #closed[data-closed]`)))
	if asked := eval[string](t, ctx, `window.asked || ''`); !strings.Contains(asked, unit.Name) {
		t.Errorf("closing asked %q; want a question naming %s", asked, unit.Name)
	}
	if disabled := eval[bool](t, ctx, `document.getElementById('close-quarter').disabled`); !disabled {
		t.Error("a closed quarter can be closed again")
	}
	var closed struct{ ComplianceReport struct{ ClosedAt *string } }
	s.post(t, token, `query($u: ID!, $y: Int!, $q: Int!) { complianceReport(orgUnitId: $u, year: $y, quarter: $q) { closedAt } }`,
		vars).into(t, &closed)
	if closed.ComplianceReport.ClosedAt == nil {
		t.Error("the API does not say the quarter is closed")
	}

	// A correction after closing: an approved absence over the whole
	// quarter exempts the failing cadre; its row shows the change beside
	// the frozen verdict.
	first := time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, time.UTC)
	s.post(t, token, `mutation($in: AbsenceInput!) { recordAbsence(input: $in) { absence { id } } }`, map[string]any{"in": map[string]any{
		"clientId": "console-report-absence", "userId": cadre.User.ID, "kind": "TRAINING",
		"from": first.Format(time.DateOnly), "to": first.AddDate(0, 3, -1).Format(time.DateOnly)}}).into(t, &struct{}{})
	do(t, ctx, "all cadres again", chromedp.Click(chromedp.ID("only-failing")), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"]`)),
		chromedp.SetValue(chromedp.ID("rule-filter"), ""), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="report"]`)))
	s.reportRows(t, ctx)
	row := fmt.Sprintf(`#report-table tr[data-user=%q]`, cadre.User.Username)
	if !eval[bool](t, ctx, `!!document.querySelector('`+row+` .changed-mark')`) {
		t.Errorf("%s's row does not say it changed since closing", cadre.User.Username)
	}
	changed := eval[string](t, ctx, `(document.querySelector('`+row+` td.cell.changed[data-rule="`+rule+`"]') || {}).title || ''`)
	if !strings.Contains(changed, sentence) {
		t.Errorf("%s's %s cell, changed since closing, says %q; want the frozen sentence %q beside the new one", cadre.User.Username, rule, changed, sentence)
	}
}

// reportRows loads every page of the report's table and counts its rows.
func (s *consoleSite) reportRows(t *testing.T, ctx context.Context) int {
	t.Helper()
	return eval[int](t, ctx, `(async () => {
		for (;;) {
			const more = document.getElementById('report-more');
			if (more.dataset.more !== 'yes') return document.querySelectorAll('#report-table tr[data-user]').length;
			const next = more.querySelector('#next-page');
			if (!next) return -1; // an error box
			if (!next.disabled) next.click();
			await new Promise((ok) => setTimeout(ok, 100));
		}
	})()`)
}
