package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

const myDaysQuery = `query($y: Int!, $q: Int!) { myDays(year: $y, quarter: $q) {
  quarter county { name }
  days { date checkIns counted region { name } }
  trips { start end days region { name } }
  r2 { rule met achievable days qualifyingTrips daysLeft gaps }
} }`

type myDaysOut struct {
	MyDays struct {
		Quarter string
		County  *struct{ Name string }
		Days    []struct {
			Date     string
			CheckIns int
			Counted  bool
		}
		Trips []struct {
			Start, End string
			Days       int
		}
		R2 struct {
			Rule                  string
			Met                   bool
			Days, QualifyingTrips int
			Gaps                  []string
		}
	}
}

// TestDaysTripsAndOfflineSync: morning and afternoon check-ins on three
// consecutive days make three counted days and one 3-day trip; a lone
// check-in on a fourth day does not count; an offline batch synced two days
// late lands on its own dates, flagged LATE_SYNC, and counts.
func TestDaysTripsAndOfflineSync(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "walker")
		n := 0
		visit := func(day, hh int) checkInOut {
			n++
			s.clock.Set(at(2026, 11, day, hh, 0))
			return s.checkIn(t, tok, fix(fmt.Sprintf("v%d", n), near(lankaoGCJ, n), 20, "GCJ02", s.clock.Now()))
		}
		for day := 2; day <= 4; day++ {
			visit(day, 9)
			if out := visit(day, 14); out.CheckIn.Day == nil || !out.CheckIn.Day.Counted || out.CheckIn.Day.Message != "counted" {
				t.Errorf("day %d afternoon: %+v, want counted", day, out.CheckIn.Day)
			}
		}
		visit(6, 9)

		// Offline: the phone queued two fixes on 11-07 and syncs on 11-09.
		s.clock.Set(at(2026, 11, 9, 10, 0))
		var sync struct {
			SyncCheckIns []struct {
				ClientID string
				Error    *struct{ Code, Message string }
				Result   *struct {
					Counts  bool
					Flags   []struct{ Code string }
					CheckIn struct{ LocalDate string }
				}
			}
		}
		batch := []map[string]any{
			fix("off-1", near(lankaoGCJ, 50), 20, "GCJ02", at(2026, 11, 7, 8, 30)),
			fix("off-2", near(lankaoGCJ, 51), 20, "GCJ02", at(2026, 11, 7, 15, 10)),
			fix("off-bad", near(lankaoGCJ, 52), -1, "GCJ02", at(2026, 11, 7, 16, 0)),
		}
		s.post(t, tok, `mutation($b: [CheckInInput!]!) { syncCheckIns(inputs: $b) {
			clientId error { code message } result { counts flags { code } checkIn { localDate } } } }`, map[string]any{"b": batch}).into(t, &sync)
		for i, item := range sync.SyncCheckIns[:2] {
			if item.Error != nil || item.Result.CheckIn.LocalDate != "2026-11-07" || !item.Result.Counts ||
				len(item.Result.Flags) != 1 || item.Result.Flags[0].Code != "LATE_SYNC" {
				t.Errorf("offline item %d: %+v, want counted on 2026-11-07 with LATE_SYNC", i, item)
			}
		}
		if e := sync.SyncCheckIns[2].Error; e == nil || e.Code != "INVALID" {
			t.Errorf("bad item in the batch: %+v, want INVALID on its own", sync.SyncCheckIns[2])
		}

		var days myDaysOut
		s.post(t, tok, myDaysQuery, map[string]any{"y": 2026, "q": 4}).into(t, &days)
		var counted []string
		for _, d := range days.MyDays.Days {
			if d.Counted {
				counted = append(counted, d.Date)
			}
		}
		if want := []string{"2026-11-02", "2026-11-03", "2026-11-04", "2026-11-07"}; !reflect.DeepEqual(counted, want) {
			t.Errorf("counted days = %v, want %v", counted, want)
		}
		if len(days.MyDays.Days) != 5 {
			t.Errorf("days = %+v, want 5 (11-06 with one check-in, not counted)", days.MyDays.Days)
		}
		if tr := days.MyDays.Trips; len(tr) != 2 || tr[0].Start != "2026-11-02" || tr[0].Days != 3 || tr[1].Days != 1 {
			t.Errorf("trips = %+v, want 11-02..11-04 (3 days) and 11-07 (1 day)", tr)
		}
		r2 := days.MyDays.R2
		if days.MyDays.County == nil || days.MyDays.County.Name != "兰考县" || r2.Rule != "R2" || r2.Met || r2.Days != 4 || r2.QualifyingTrips != 1 || len(r2.Gaps) == 0 {
			t.Errorf("R2 = %+v county %+v, want not met: 4 days, 1 qualifying trip, with gaps", r2, days.MyDays.County)
		}
	})
}

// TestIdempotentRetries: the same clientId and payload answers the original
// (live or through the offline queue); another payload under it is CONFLICT.
func TestIdempotentRetries(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
		w := setupField(t, s)
		tok, _ := w.cadre(t, s, "retrier")
		in := fix("same-id", lankaoGCJ, 20, "GCJ02", s.clock.Now())
		first := s.checkIn(t, tok, in)
		s.clock.Set(at(2026, 11, 2, 9, 3))
		again := s.checkIn(t, tok, in)
		if !again.CheckIn.Replayed || again.CheckIn.CheckIn.ID != first.CheckIn.CheckIn.ID || first.CheckIn.Replayed {
			t.Errorf("retry: first %+v, again %+v", first.CheckIn, again.CheckIn)
		}
		var sync struct {
			SyncCheckIns []struct{ Result struct{ Replayed bool } }
		}
		s.post(t, tok, `mutation($b: [CheckInInput!]!) { syncCheckIns(inputs: $b) { result { replayed } } }`,
			map[string]any{"b": []map[string]any{in}}).into(t, &sync)
		if !sync.SyncCheckIns[0].Result.Replayed {
			t.Error("the same check-in through the offline queue was not a replay")
		}
		other := fix("same-id", near(lankaoGCJ, 3), 20, "GCJ02", s.clock.Now())
		if r := s.post(t, tok, checkInMutation, map[string]any{"in": other}); r.Code() != "CONFLICT" {
			t.Errorf("different payload under a used id: %s, want CONFLICT", r.Raw)
		}
		var mine struct {
			MyCheckIns struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.post(t, tok, `query($f: Time!, $t: Time!) { myCheckIns(from: $f, to: $t) { edges { node { id } } } }`,
			map[string]any{"f": at(2026, 11, 1, 0, 0), "t": at(2026, 11, 3, 0, 0)}).into(t, &mine)
		if len(mine.MyCheckIns.Edges) != 1 {
			t.Errorf("stored check-ins = %d, want 1", len(mine.MyCheckIns.Edges))
		}
	})
}

// TestConcurrentCheckInsKeepDaysConsistent: 50 concurrent check-ins of one
// cadre, some of them duplicates of each other, leave exactly one row per
// client id and a day table equal to a recomputation from raw check-ins.
func TestConcurrentCheckInsKeepDaysConsistent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 15, 0)))
		w := setupField(t, s)
		tok, uid := w.cadre(t, s, "crowd")
		var wg sync.WaitGroup
		errs := make(chan string, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("c%d", i%40) // ten ids are sent twice
				dev := at(2026, 11, 2, 14, 59).Add(time.Duration(i%40) * time.Second)
				r := s.post(t, tok, checkInMutation, map[string]any{"in": fix(id, near(lankaoGCJ, i%40), 20, "GCJ02", dev)})
				if len(r.Errors) > 0 {
					errs <- r.Raw
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("concurrent check-in failed: %s", e)
		}
		var id int64
		fmt.Sscan(uid, &id)
		ctx := context.Background()
		rows, err := s.app.store.CountingHistory(ctx, authz.System("test"), id)
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.app.store.CountCheckIns(ctx, authz.System("test"), id)
		if err != nil || all != 40 {
			t.Errorf("stored check-ins = %d, want 40 (one per client id)", all)
		}
		assertDaysMatchRecompute(t, s, id, rows)
	})
}

func assertDaysMatchRecompute(t *testing.T, s *testServer, userID int64, rows []store.Ruled) {
	t.Helper()
	var fixes []presence.AcceptedFix
	for _, c := range rows {
		for _, r := range checkin.CountingRegions(c.CheckIn, c.Latest) {
			fixes = append(fixes, presence.AcceptedFix{RegionID: r, At: c.CheckIn.OccurredAt})
		}
	}
	want := presence.BuildDays(fixes, s.app.checkins.Policy)
	got, err := s.app.store.AllDays(context.Background(), authz.System("test"), userID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("day table has %d rows, recomputation %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Date != w.Date.String() || g.RegionID != w.RegionID || g.Accepted != w.Accepted ||
			!g.FirstAt.Equal(w.First) || !g.LastAt.Equal(w.Last) || g.Counted != w.Counted(s.app.checkins.Policy) {
			t.Errorf("day %d: table %+v, recomputed %+v", i, *g, w)
		}
	}
}

// TestManyCadresShareCommits: check-ins of many cadres at once share batch
// transactions (group commit), three batches in flight at once on MariaDB
// (the default is one); each cadre's rows and days stay exact, and no batch
// fails over to item-by-item storage.
func TestManyCadresShareCommits(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 15, 0)), withEnv("ONSITE_CHECKIN_WORKERS=3"))
		w := setupField(t, s)
		type cadre struct {
			tok string
			id  int64
		}
		var cadres []cadre
		for i := range 12 {
			tok, uid := w.cadre(t, s, fmt.Sprintf("many%d", i))
			var id int64
			fmt.Sscan(uid, &id)
			cadres = append(cadres, cadre{tok, id})
		}
		var wg sync.WaitGroup
		for ci, c := range cadres {
			for k := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					dev := at(2026, 11, 2, 9+k, 0) // offline fixes through the day: some days count
					in := fix(fmt.Sprintf("m%d-%d", ci, k), near(lankaoGCJ, ci*10+k), 20, "GCJ02", dev)
					r := s.post(t, c.tok, `mutation($b: [CheckInInput!]!) { syncCheckIns(inputs: $b) { error { code message } } }`,
						map[string]any{"b": []map[string]any{in}})
					if len(r.Errors) > 0 || strings.Contains(r.Raw, `"code"`) {
						t.Errorf("cadre %d fix %d: %s", ci, k, r.Raw)
					}
				}()
			}
		}
		wg.Wait()
		if strings.Contains(s.logs.String(), "check-in batch failed") {
			t.Errorf("a batch failed:\n%s", s.logs.String())
		}
		for _, c := range cadres {
			n, err := s.app.store.CountCheckIns(t.Context(), authz.System("test"), c.id)
			if err != nil || n != 8 {
				t.Errorf("cadre %d: %d check-ins stored (%v), want 8", c.id, n, err)
			}
			rows, err := s.app.store.CountingHistory(t.Context(), authz.System("test"), c.id)
			if err != nil {
				t.Fatal(err)
			}
			assertDaysMatchRecompute(t, s, c.id, rows)
		}
	})
}
