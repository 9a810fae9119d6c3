package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store/storetest"
)

// benchCadres is the size of the benchmark's unit.
const benchCadres = 10000

// benchReportQuery is the console's first screen: the totals and the first
// page of rows.
const benchReportQuery = `query($o: ID!) { complianceReport(orgUnitId: $o, year: 2026, quarter: 4) {
  cadres policyVersions totals { rule item cadres met onTrack atRisk missed exempt }
  rows(first: 50) { totalCount edges { node { user { id } rules { rule status message } } } } } }`

// BenchmarkComplianceReport measures, on MariaDB, a unit of 10,000 cadres
// with a quarter's work each (15 on-site days in three trips, 12 counting
// activities, a submitted summary), seeded with bulk INSERTs: the totals
// and first page of complianceReport over HTTP — judged anew (no stored
// verdict: the first report of a day), with every verdict stored, and with
// 1,000 cadres' facts changed since — and the whole xlsx export, each
// against a bare SELECT of the same presence-day rows in the same run.
//
//	ONSITE_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test?parseTime=true' \
//	  go test ./server/ -run '^$' -bench ComplianceReport -benchtime 3x -timeout 30m
func BenchmarkComplianceReport(b *testing.B) {
	var backend *storetest.Backend
	for _, bk := range storetest.Backends(b) {
		if bk.Config.Driver == "mysql" {
			backend = &bk
		}
	}
	if backend == nil {
		b.Skip("MariaDB only: set ONSITE_TEST_MYSQL_DSN")
	}
	s := start(b, *backend, withClock(at(2026, 12, 20, 10, 0)), withEnv("ONSITE_REQUEST_TIMEOUT=60s", "ONSITE_CHECK_STORED_VERDICTS=false"))
	admin := s.login(b, "admin", s.AdminPW, "laptop").Login.AccessToken
	var unit struct{ CreateOrgUnit struct{ ID string } }
	s.post(b, admin, `mutation { createOrgUnit(input: {code: "410200", name: "开封团市委", kind: CITY, parentId: "1"}) { id } }`, nil).into(b, &unit)
	s.post(b, admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": "sup", "password": initialPassword, "role": "SUPERVISOR", "orgUnitId": unit.CreateOrgUnit.ID}}).into(b, &struct{}{})
	sup := s.activate(b, "sup", "password-1", "sup-phone").Login.AccessToken
	unitID, _ := strconv.ParseInt(unit.CreateOrgUnit.ID, 10, 64)

	db, err := gorm.Open(gormmysql.Open(backend.Config.DSN), &gorm.Config{Logger: logger.Discard, CreateBatchSize: 2000})
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, _ := db.DB()
	defer sqlDB.Close()
	seedStart := time.Now()
	seedUnit(b, db, unitID, benchCadres)
	b.Logf("seeded %d cadres in %v", benchCadres, time.Since(seedStart).Round(time.Millisecond))

	bare := func() (time.Duration, int) {
		t0 := time.Now()
		rows, err := sqlDB.Query(`SELECT id, user_id, date, region_id, accepted, first_at, last_at, counted, made_up FROM presence_days
			WHERE user_id IN (SELECT id FROM users WHERE org_unit_id = ?) AND date >= '2026-01-01' AND date <= '2026-12-31'`, unitID)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var d models.PresenceDay
			if err := rows.Scan(&d.ID, &d.UserID, &d.Date, &d.RegionID, &d.Accepted, &d.FirstAt, &d.LastAt, &d.Counted, &d.MadeUp); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		return time.Since(t0), n
	}
	report := func() time.Duration {
		t0 := time.Now()
		var out struct{ ComplianceReport struct{ Cadres int } }
		s.post(b, sup, benchReportQuery, map[string]any{"o": unit.CreateOrgUnit.ID}).into(b, &out)
		if out.ComplianceReport.Cadres != benchCadres {
			b.Fatalf("report of %d cadres", out.ComplianceReport.Cadres)
		}
		return time.Since(t0)
	}
	export := func() (time.Duration, int) {
		t0 := time.Now()
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/export/compliance.xlsx?orgUnitId=%d&year=2026&quarter=4", s.URL, unitID), nil)
		req.Header.Set("Authorization", "Bearer "+sup)
		resp, err := s.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("export: %d", resp.StatusCode)
		}
		return time.Since(t0), int(n)
	}
	exec := func(q string, args ...any) {
		if _, err := sqlDB.Exec(q, args...); err != nil {
			b.Fatal(err)
		}
	}
	bare() // warm the buffer pool once
	b.ResetTimer()
	for i := range b.N {
		tb, n := bare()
		exec("DELETE FROM stored_verdicts") // as on the first report of a day: none holds
		tj := report()
		ts := report()
		// 1,000 cadres' facts changed (their versions bumped, as a write does).
		exec("UPDATE users SET facts_version = facts_version + 1 WHERE org_unit_id = ? AND id % 10 = ?", unitID, i)
		tc := report()
		te, size := export()
		ratio := func(d time.Duration) string {
			return fmt.Sprintf("%v (%.2f× bare)", d.Round(time.Millisecond), float64(d)/float64(tb))
		}
		b.Logf("run %d: bare SELECT %v (%d days); report judged anew %s, stored %s, 1,000 changed %s; export %s, %d bytes",
			i+1, tb.Round(time.Millisecond), n, ratio(tj), ratio(ts), ratio(tc), ratio(te), size)
		b.ReportMetric(float64(tb.Milliseconds()), "bare-ms")
		b.ReportMetric(float64(tj.Milliseconds()), "judged-ms")
		b.ReportMetric(float64(ts.Milliseconds()), "stored-ms")
		b.ReportMetric(float64(tc.Milliseconds()), "changed-ms")
		b.ReportMetric(float64(te.Milliseconds()), "export-ms")
	}
}

// seedUnit inserts n cadres of unit with a quarter's work each.
func seedUnit(b *testing.B, db *gorm.DB, unitID int64, n int) {
	b.Helper()
	var lankao models.Region
	if err := db.Where("code = ?", "410225").First(&lankao).Error; err != nil {
		b.Fatal(err)
	}
	users := make([]*models.User, n)
	for i := range users {
		users[i] = &models.User{Username: fmt.Sprintf("bench-%05d", i), DisplayName: fmt.Sprintf("干部%05d", i), PasswordHash: "x",
			Role: models.RoleCadre, OrgUnitID: unitID, Rank: models.RankDivision}
	}
	must(b, db.Create(&users).Error)
	var assigns []*models.Assignment
	var days []*models.PresenceDay
	var acts []*models.Activity
	var sums []*models.Summary
	trips := [][2]int{{10, 8}, {11, 5}, {12, 3}} // month, first day: five days each
	kinds := []models.ActivityKind{models.KindInterviewYouth, models.KindInterviewYouth, models.KindInterviewYouth, models.KindInterviewYouth,
		models.KindInterviewYouth, models.KindInterviewCadre, models.KindInterviewCadre, models.KindInterviewCadre, models.KindInterviewCadre,
		models.KindInterviewCadre, models.KindForumYouth, models.KindLecture}
	for _, u := range users {
		assigns = append(assigns, &models.Assignment{UserID: u.ID, RegionID: lankao.ID, Purpose: models.PurposeDispatch, ValidFrom: "2026-01-01", CreatedBy: 1})
		var dates []string
		for _, t := range trips {
			for d := range 5 {
				date := fmt.Sprintf("2026-%02d-%02d", t[0], t[1]+d)
				dates = append(dates, date)
				day := time.Date(2026, time.Month(t[0]), t[1]+d, 1, 0, 0, 0, time.UTC) // 09:00 in Asia/Shanghai
				days = append(days, &models.PresenceDay{UserID: u.ID, Date: date, RegionID: lankao.ID, Accepted: 2, FirstAt: day,
					LastAt: day.Add(5 * time.Hour), Counted: true})
			}
		}
		for i, k := range kinds {
			at := time.Date(2026, 10, 8+i%5, 2, 0, 0, 0, time.UTC)
			region := lankao.ID
			acts = append(acts, &models.Activity{UserID: u.ID, ClientID: fmt.Sprintf("bench-%d-%d", u.ID, i), PayloadHash: "x", Kind: k,
				CoordSystem: "WGS84", DeviceID: "bench", DeviceTime: at, ReceivedAt: at, OccurredAt: at, LocalDate: dates[i%5],
				RegionID: &region, Verdict: "INSIDE", Flags: "[]", Status: models.ActivityRecorded, Topic: "bench", Notes: "",
				ParticipantList: "[]", PolicyVersion: "410000:v1"})
		}
		sums = append(sums, &models.Summary{UserID: u.ID, Kind: models.SummaryQuarterly, Year: 2026, Quarter: 4,
			Status: models.SummarySubmitted, Versions: 1})
	}
	must(b, db.Create(&assigns).Error)
	must(b, db.Create(&days).Error)
	must(b, db.Create(&acts).Error)
	must(b, db.Create(&sums).Error)
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
