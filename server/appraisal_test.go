package main

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/henan-youth/onsite/store/storetest"
)

const appraisalQuery = `query($o: ID!, $y: Int!, $after: String) { annualAppraisal(orgUnitId: $o, year: $y) {
  orgUnit { id } year cadres exportUrl
  rows(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node {
    user { username } r2 r2QuartersMet forumsYouth forumsCadre interviewsYouth interviewsCadre lectures summaries annualReport
    r3 { rule status days } r7 { rule status } talks { title score } } } } } }`

type appraisalRowOut struct {
	User                                                                                struct{ Username string }
	R2, Summaries                                                                       []string
	R2QuartersMet, ForumsYouth, ForumsCadre, InterviewsYouth, InterviewsCadre, Lectures int
	AnnualReport                                                                        string
	R3                                                                                  *struct {
		Rule, Status string
		Days         int
	}
	R7    *struct{ Rule, Status string }
	Talks []struct {
		Title string
		Score int
	}
}

// TestAnnualAppraisal: the appraisal pages the unit's cadres with the
// year's numbers — R2 per quarter, R3 as verdicts gives it, the youth work
// and documents — and its spreadsheet holds the same rows.
func TestAnnualAppraisal(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 1, 9, 0)))
		w := setupField(t, s)
		tokA, idA := w.cadre(t, s, "cadre-a")
		w.cadre(t, s, "cadre-b")
		s.onSite(t, tokA, "a", lankaoGCJ, 2, 3, 4, 5, 6, 17, 18, 19, 20, 21)
		s.clock.Set(at(2026, 12, 28, 10, 0))

		var rows []appraisalRowOut
		after := ""
		for {
			vars := map[string]any{"o": w.unit, "y": 2026}
			if after != "" {
				vars["after"] = after
			}
			var out struct {
				AnnualAppraisal struct {
					Year, Cadres int
					ExportURL    string
					Rows         struct {
						TotalCount int
						PageInfo   struct {
							HasNextPage bool
							EndCursor   string
						}
						Edges []struct{ Node appraisalRowOut }
					}
				}
			}
			s.post(t, w.sup, appraisalQuery, vars).into(t, &out)
			a := out.AnnualAppraisal
			if a.Cadres != 2 || a.Rows.TotalCount != 2 || a.ExportURL != fmt.Sprintf("/export/appraisal.xlsx?orgUnitId=%s&year=2026", w.unit) {
				t.Fatalf("appraisal = %+v", a)
			}
			for _, e := range a.Rows.Edges {
				rows = append(rows, e.Node)
			}
			if !a.Rows.PageInfo.HasNextPage {
				break
			}
			after = a.Rows.PageInfo.EndCursor
		}
		if len(rows) != 2 || rows[0].User.Username != "cadre-a" || rows[1].User.Username != "cadre-b" {
			t.Fatalf("rows = %+v", rows)
		}
		a := rows[0]
		v := s.verdicts(t, w.sup, idA, 2026, 4)
		if fmt.Sprint(a.R2) != "[MISSED MISSED MISSED MET]" || a.R2QuartersMet != 1 || a.R3 == nil || a.R3.Status != v["R3"].Status ||
			a.R3.Days != v["R3"].Days || a.R7 == nil || a.R7.Status != v["R7"].Status || a.Lectures != 0 ||
			!reflect.DeepEqual(a.Summaries, []string{"MISSING", "MISSING", "MISSING", "MISSING"}) || a.AnnualReport != "MISSING" || len(a.Talks) != 0 {
			t.Errorf("cadre-a's year = %+v", a)
		}
		if rows[1].R2QuartersMet != 0 {
			t.Errorf("cadre-b met R2 in %d quarters", rows[1].R2QuartersMet)
		}

		status, body := s.download(t, w.sup, fmt.Sprintf("/export/appraisal.xlsx?orgUnitId=%s&year=2026", w.unit))
		if status != http.StatusOK {
			t.Fatalf("export: %d %s", status, body)
		}
		f, err := excelize.OpenReader(strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet, _ := f.GetRows("考核")
		if len(sheet) != 3 || sheet[0][0] != "用户ID" || sheet[0][6] != "R2达标季度数" || sheet[1][1] != "cadre-a" || sheet[1][6] != "1" || sheet[2][1] != "cadre-b" {
			t.Errorf("考核 = %q", sheet)
		}
		if status, body := s.download(t, w.sup, fmt.Sprintf("/export/appraisal.xlsx?orgUnitId=%s", w.unit)); status != http.StatusBadRequest || errorCode(body) != "INVALID" {
			t.Errorf("without a year: %d %s", status, body)
		}
		if status, _ := s.download(t, tokA, fmt.Sprintf("/export/appraisal.xlsx?orgUnitId=%s&year=2026", w.unit)); status != http.StatusForbidden {
			t.Errorf("a cadre's export: %d, want 403", status)
		}
	})
}
