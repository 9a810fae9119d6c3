package main

import (
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestDatabaseConnectionsKilledMidRequest kills the server's MariaDB
// connections over and over while cadres check in, as a database restart
// would. Every request either succeeds or fails with UNAVAILABLE (never an
// internal error, never a half-written check-in); the phones retry with
// the same clientId; afterwards every check-in exists exactly once and the
// day table equals a recomputation.
func TestDatabaseConnectionsKilledMidRequest(t *testing.T) {
	var b storetest.Backend
	for _, bb := range storetest.Backends(t) {
		if bb.Name == "mysql" {
			b = bb
		}
	}
	if b.Name == "" {
		t.Skip("needs ONSITE_TEST_MYSQL_DSN: SQLite is embedded and cannot restart under the server")
	}
	s := start(t, b, withClock(at(2026, 11, 2, 9, 0)))
	w := setupField(t, s)
	tok, uid := w.cadre(t, s, "resilient")

	cfg, _ := mysql.ParseDSN(b.Config.DSN)
	killer, err := sql.Open("mysql", b.Config.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	stop := make(chan struct{})
	var killed int
	var kwg sync.WaitGroup
	kwg.Add(1)
	go func() {
		defer kwg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
			}
			rows, err := killer.Query("SELECT id FROM information_schema.PROCESSLIST WHERE DB = ? AND id <> CONNECTION_ID()", cfg.DBName)
			if err != nil {
				continue
			}
			var ids []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			for _, id := range ids {
				if _, err := killer.Exec(fmt.Sprintf("KILL %d", id)); err == nil {
					killed++
				}
			}
		}
	}()

	var wg sync.WaitGroup
	failures := make(chan string, 100)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := fix(fmt.Sprintf("k%d", i), near(lankaoGCJ, i), 20, "GCJ02", at(2026, 11, 2, 8, 30).Add(time.Duration(i)*time.Second))
			for attempt := 0; ; attempt++ {
				r := s.post(t, tok, checkInMutation, map[string]any{"in": in})
				if len(r.Errors) == 0 {
					return
				}
				if code := r.Code(); code != "UNAVAILABLE" || attempt > 50 {
					failures <- fmt.Sprintf("k%d attempt %d: %s", i, attempt, r.Raw)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(stop)
	kwg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if killed == 0 {
		t.Error("no connection was killed: the test exercised nothing")
	}
	var id int64
	fmt.Sscan(uid, &id)
	ctx := t.Context()
	n, err := s.app.store.CountCheckIns(ctx, authz.System("test"), id)
	if err != nil || n != 30 {
		t.Fatalf("stored check-ins = %d (%v), want exactly 30", n, err)
	}
	rows, err := s.app.store.CountingHistory(ctx, authz.System("test"), id)
	if err != nil {
		t.Fatal(err)
	}
	assertDaysMatchRecompute(t, s, id, rows)
	t.Logf("killed %d connections", killed)
}
