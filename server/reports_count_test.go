package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/report"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

type countedKey struct{}

// TestReportStatementsDoNotGrow: a report's totals and a page of its rows
// read the facts of its cadres with as many statements for a unit of 10
// cadres as for one of 60, and for a page of 5 rows as for one of 50:
// judged anew (a new day, so no stored verdict holds), and then again with
// the verdicts just stored.
func TestReportStatementsDoNotGrow(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		clock := testclock.New(at(2026, 11, 20, 9, 0))
		s := start(t, b, withTestClock(clock), withEnv("ONSITE_CHECK_STORED_VERDICTS=false"))
		w := setupField(t, s)
		small, _ := w.createUnit(t, s, w.unit, "410201", "十人团委", "sup-10")
		large, _ := w.createUnit(t, s, w.unit, "410202", "六十人团委", "sup-60")
		for i := range 10 {
			w.cadreIn(t, s, small, fmt.Sprintf("s%02d", i), true)
		}
		for i := range 60 {
			w.cadreIn(t, s, large, fmt.Sprintf("l%02d", i), true)
		}
		var n atomic.Int64
		if err := s.app.store.Observe(func(ctx context.Context, _ string) {
			if ctx != nil && ctx.Value(countedKey{}) != nil {
				n.Add(1)
			}
		}); err != nil {
			t.Fatal(err)
		}
		unitID, _ := strconv.ParseInt(w.unit, 10, 64)
		sup := &authz.Principal{UserID: 2, Username: "sup", Role: models.RoleSupervisor, OrgUnitID: unitID}
		count := func(unit string, first int, totals bool) int64 {
			t.Helper()
			id, _ := strconv.ParseInt(unit, 10, 64)
			ctx := context.WithValue(context.Background(), countedKey{}, true)
			n.Store(0)
			r, err := s.app.reports.Report(ctx, sup, id, 2026, 4)
			if err == nil && totals {
				_, err = r.Totals(ctx)
			}
			var rows []report.Row
			if err == nil {
				rows, _, _, err = r.Rows(ctx, report.Filter{}, store.Page{First: first})
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != min(first, len(r.Cadres)) {
				t.Fatalf("%d rows of %d cadres, page %d", len(rows), len(r.Cadres), first)
			}
			return n.Load()
		}
		cases := []struct {
			name  string
			unit  string
			first int
		}{{"10 cadres, page 5", small, 5}, {"60 cadres, page 5", large, 5}, {"60 cadres, page 50", large, 50}}
		for _, totals := range []bool{false, true} {
			judged, stored := map[string]int64{}, map[string]int64{}
			for _, c := range cases {
				clock.Advance(24 * time.Hour)
				judged[c.name] = count(c.unit, c.first, totals)
				stored[c.name] = count(c.unit, c.first, totals)
			}
			t.Logf("totals %v: statements judged %v, stored %v", totals, judged, stored)
			for _, got := range []map[string]int64{judged, stored} {
				if got[cases[0].name] != got[cases[1].name] || got[cases[1].name] != got[cases[2].name] {
					t.Errorf("totals %v: statements %v, want the same count", totals, got)
				}
			}
			if stored[cases[0].name] >= judged[cases[0].name] {
				t.Errorf("totals %v: %d statements with stored verdicts, %d judging anew: want fewer", totals, stored[cases[0].name], judged[cases[0].name])
			}
		}
	})
}
