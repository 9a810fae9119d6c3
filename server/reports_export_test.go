package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/henan-youth/onsite/store/storetest"
)

// download GETs path with tok and returns the status and body.
func (s *testServer) download(t *testing.T, tok, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// errorCode returns the code of a JSON refusal.
func errorCode(body []byte) string {
	var out struct {
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	json.Unmarshal(body, &out)
	if len(out.Errors) == 0 {
		return ""
	}
	return out.Errors[0].Extensions.Code
}

// TestComplianceExport: the report as a spreadsheet has a summary sheet
// with the totals, the policy version and the generation time, and a sheet
// per rule with a frozen Chinese header and a row per cadre, numbers as
// numbers; the export is audited; its refusals are the query's.
func TestComplianceExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 1, 9, 0)))
		w := setupField(t, s)
		tokA, _ := w.cadre(t, s, "cadre-a")
		w.cadre(t, s, "cadre-b")
		child, childSup := w.createUnit(t, s, w.unit, "410225", "兰考县团委", "sup-lk")
		s.onSite(t, tokA, "a", lankaoGCJ, 2, 3, 4, 5, 6, 17, 18, 19, 20, 21)
		s.clock.Set(at(2026, 12, 28, 10, 0))

		path := fmt.Sprintf("/export/compliance.xlsx?orgUnitId=%s&year=2026&quarter=4", w.unit)
		status, body := s.download(t, w.sup, path)
		if status != http.StatusOK {
			t.Fatalf("export: %d %s", status, body)
		}
		f, err := excelize.OpenReader(strings.NewReader(string(body)))
		if err != nil {
			t.Fatalf("the export does not open: %v", err)
		}
		defer f.Close()
		if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "汇总,R2,R3,R4,R6,R7,R8,R9" {
			t.Errorf("sheets = %v", sheets)
		}
		summary, _ := f.GetRows("汇总")
		if len(summary) < 2 || strings.Join(summary[0], ",") != "规则,事项,干部人数,达标,进行中,有风险,未达标,免除" ||
			strings.Join(summary[1], ",") != "R2,,2,1,0,1,0,0" {
			t.Errorf("summary = %q", summary)
		}
		meta := map[string]string{}
		for _, row := range summary {
			if len(row) == 2 {
				meta[row[0]] = row[1]
			}
		}
		if meta["政策版本"] != "410000:v1" || meta["生成时间"] != "2026-12-28 10:00:00（北京时间）" || meta["季度"] != "2026Q4" || meta["关闭时间"] != "未关闭" {
			t.Errorf("summary's facts = %v", meta)
		}
		r2, _ := f.GetRows("R2")
		if len(r2) != 3 || strings.Join(r2[0][:6], ",") != "用户ID,账号,姓名,事项,状态,说明" || r2[1][1] != "cadre-a" || r2[1][4] != "达标" ||
			r2[2][1] != "cadre-b" || r2[2][4] != "有风险" || r2[1][6] != "410000:v1" {
			t.Errorf("R2 sheet = %q", r2)
		}
		if typ, _ := f.GetCellType("R2", "L2"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("R2's days are written as text (%v)", typ)
		}
		if v, _ := f.GetCellValue("R2", "L1"); v == "" {
			t.Errorf("R2 has no number columns")
		}
		if v, _ := f.GetCellValue("R2", "L2"); v != "10" {
			t.Errorf("cadre-a's R2 days = %q, want 10", v)
		}
		if panes, err := f.GetPanes("R2"); err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("R2's panes = %+v, %v: want the header frozen", panes, err)
		}
		if width, _ := f.GetColWidth("R2", "F"); width != 60 {
			t.Errorf("the message column is %v wide", width)
		}

		audit := s.login(t, "auditadmin", s.AuditPW, "audit-laptop").Login.AccessToken
		var entries struct {
			SecurityAudit struct {
				Edges []struct {
					Node struct{ Actor, Detail string }
				}
			}
		}
		s.post(t, audit, `{ securityAudit(action: "data.export") { edges { node { actor detail } } } }`, nil).into(t, &entries)
		if e := entries.SecurityAudit.Edges; len(e) != 1 || e[0].Node.Actor != "sup" || !strings.Contains(e[0].Node.Detail, "compliance.xlsx") {
			t.Errorf("audit of the export: %+v", e)
		}

		for _, c := range []struct {
			tok, path string
			status    int
			code      string
		}{
			{"", path, http.StatusUnauthorized, "UNAUTHENTICATED"},
			{w.sup, "/export/compliance.xlsx?orgUnitId=x&year=2026&quarter=4", http.StatusBadRequest, "INVALID"},
			{w.sup, fmt.Sprintf("/export/compliance.xlsx?orgUnitId=%s&year=2026", w.unit), http.StatusBadRequest, "INVALID"},
			{w.sup, fmt.Sprintf("/export/compliance.xlsx?orgUnitId=%s&year=2026&quarter=5", w.unit), http.StatusBadRequest, "INVALID"},
			{childSup, path, http.StatusForbidden, "FORBIDDEN"},
			{tokA, path, http.StatusForbidden, "FORBIDDEN"},
			{w.sup, "/export/compliance.xlsx?orgUnitId=999999&year=2026&quarter=4", http.StatusNotFound, "NOT_FOUND"},
		} {
			if status, body := s.download(t, c.tok, c.path); status != c.status || errorCode(body) != c.code {
				t.Errorf("GET %s: %d %s, want %d %s", c.path, status, body, c.status, c.code)
			}
		}
		if status, _ := s.download(t, childSup, fmt.Sprintf("/export/compliance.xlsx?orgUnitId=%s&year=2026&quarter=4", child)); status != http.StatusOK {
			t.Errorf("the county's own export: %d", status)
		}
	})
}
