package main

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestStoredVerdictsHoldOnlyWithTheirFacts: a report stores its verdicts
// and serves them again; check-ins that complete a day change the cadre's
// row at once, the same day; a day written behind the store's back (its
// cadre's facts version not bumped) is served stale without the check and
// refused as INTERNAL with it, which is what the check is for.
func TestStoredVerdictsHoldOnlyWithTheirFacts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 1, 9, 0)))
		w := setupField(t, s)
		tok, id := w.cadre(t, s, "cadre-a")
		s.onSite(t, tok, "a", lankaoGCJ, 2, 3, 4)
		s.clock.Set(at(2026, 11, 20, 8, 0))
		days := func(s *testServer) int {
			t.Helper()
			r := s.reportOf(t, w.sup, w.unit, 2026, 4, map[string]any{"first": 1})
			if len(r.Rows.Edges) != 1 || r.Rows.Edges[0].Node.User.ID != id || r.Rows.Edges[0].Node.Rules[0].Rule != "R2" {
				t.Fatalf("report rows: %+v", r.Rows.Edges)
			}
			return r.Rows.Edges[0].Node.Rules[0].Days
		}
		for _, when := range []string{"judged", "stored"} {
			if got := days(s); got != 3 {
				t.Fatalf("%s: R2 days %d, want 3", when, got)
			}
		}
		s.onSite(t, tok, "b", lankaoGCJ, 20) // 09:00 and 14:00 of the same day
		if got := days(s); got != 4 {
			t.Fatalf("after a day's check-ins: R2 days %d, want 4", got)
		}

		db, err := sql.Open(b.Name, b.Config.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`INSERT INTO presence_days (user_id, date, region_id, accepted, first_at, last_at, counted, made_up)
			VALUES (?, '2026-11-10', ?, 2, ?, ?, ?, ?)`, id, w.lankao, at(2026, 11, 10, 9, 0).UTC(), at(2026, 11, 10, 15, 0).UTC(), true, false); err != nil {
			t.Fatal(err)
		}
		unchecked := start(t, b, withTestClock(s.clock), withEnv("ONSITE_CHECK_STORED_VERDICTS=false", "ONSITE_JWT_KEY_FILE="+s.app.cfg.KeyFile))
		if got := days(unchecked); got != 4 {
			t.Errorf("a day behind the store's back, unchecked: R2 days %d, want the stored 4", got)
		}
		if resp := s.report(t, w.sup, w.unit, 2026, 4, map[string]any{"first": 1}); resp.Code() != "INTERNAL" {
			t.Errorf("a day behind the store's back, checked: %s, want INTERNAL", resp.Raw)
		}
	})
}

// TestRefreshStoresVerdicts: the scheduler's job stores the verdicts of
// today's quarter of every cadre whose stored ones do not hold, under the
// cadre's facts version, and again after a check-in changes them.
func TestRefreshStoresVerdicts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 1, 9, 0)))
		w := setupField(t, s)
		tok, idText := w.cadre(t, s, "cadre-a")
		id, _ := strconv.ParseInt(idText, 10, 64)
		ctx := context.Background()
		stored := func() (stored, current int64) {
			t.Helper()
			if err := s.app.reports.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			rows, err := s.app.store.StoredVerdicts(ctx, []int64{id}, 2026, 4, true)
			if err != nil || rows[id] == nil {
				t.Fatalf("stored verdicts of cadre-a: %v, %v", rows, err)
			}
			u, err := s.app.store.User(ctx, authz.System("test"), id)
			if err != nil {
				t.Fatal(err)
			}
			return rows[id].FactsVersion, u.FactsVersion
		}
		if got, want := stored(); got != want {
			t.Errorf("stored at facts version %d, the cadre's is %d", got, want)
		}
		before, _ := stored()
		s.onSite(t, tok, "a", lankaoGCJ, 2)
		if got, want := stored(); got != want || got == before {
			t.Errorf("after a day's check-ins: stored at facts version %d (before %d), the cadre's is %d", got, before, want)
		}
	})
}
