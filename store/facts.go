package store

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/henan-youth/onsite/models"
)

// facts is what the database holds about one probe (a cadre's new
// check-in) before it is judged.
type facts struct {
	Stored   *models.CheckIn     // the check-in already stored under the probe's client id, if any (a resend)
	Review   *models.Review      // Stored's review, if any
	Previous *models.CheckIn     // the previous fix by device time: ID, WGSLat, WGSLon, AccuracyM and DeviceTime only
	Repeated bool                // an earlier fix with identical coordinates and accuracy exists
	Day      *models.PresenceDay // the stored day at the first region the probe was located in, if any
}

// factsSQL reads the facts of a table v of probes (k, u, cid, t, lat, lon,
// acc, dt, rg) as correlated subqueries — a backward scan of
// idx_checkin_user_time that stops at the first fix not after t, and a
// lookup of idx_checkin_fix — and joins the previous fix's row by primary
// key, the row stored under the probe's client id by idx_checkin_client,
// and the cadre's day dt at region rg (0: none) by idx_day. MariaDB plans a
// correlated subquery once per statement; the same lookups as a UNION of
// constant subqueries, one per probe, were planned once each (index dives
// on every candidate index) and cost it about 100 µs a probe, 5× this
// (measured, 30-probe batches). v is a VALUES list (MySQL 8: of ROW(...)):
// the statement alone, 16 live probes against 63,000 stored check-ins,
// took MariaDB 0.99 ms against 1.03 ms as a UNION ALL of constant SELECTs,
// each of which it planned as a query block (mysqlslap, 2,000 runs each).
// The row is read by position (scanFacts): the probe, the previous
// fix, the stored row's review (for the answer to a resend), the day and
// the stored row, each of the last three NULL when there is none.
//
// Two things keep MariaDB from doing more than that. The LIMIT (the number
// of probes: every row) makes it materialise f, so each probe's subqueries
// run once; merged into the outer query, the previous-fix subquery ran
// three times a probe (once for the join key, twice in its condition).
// And on MySQL the subqueries name their index (%[1]s): while check_ins
// grows from empty its statistics lag, and the planner then sometimes
// answered the identical-fix test by scanning every fix of the cadre.
const factsSQL = `, f AS (SELECT v.k AS k, v.u AS u, v.cid AS cid, v.dt AS dt, v.rg AS rg,
 (SELECT c.id FROM check_ins c%[1]s WHERE c.user_id = v.u AND c.device_time <= v.t ORDER BY c.device_time DESC, c.id DESC LIMIT 1) AS prev_id,
 EXISTS(SELECT 1 FROM check_ins c%[2]s WHERE c.user_id = v.u AND c.wgs_lat = v.lat AND c.wgs_lon = v.lon AND c.accuracy_m = v.acc) AS repeated
FROM v LIMIT %[3]d)
SELECT f.k, f.repeated, p.id, p.wgs_lat, p.wgs_lon, p.accuracy_m, p.device_time, %[4]s
FROM f LEFT JOIN check_ins p ON p.id = f.prev_id LEFT JOIN check_ins r ON r.user_id = f.u AND r.client_id = f.cid
 LEFT JOIN reviews rv ON rv.check_in_id = r.id LEFT JOIN presence_days dy ON dy.user_id = f.u AND dy.date = f.dt AND dy.region_id = f.rg`

// factsColumns is the select list of the review, the day and the stored
// row, in scanFacts' order.
var factsColumns = columnList("rv", reviewColumns) + ", " + columnList("dy", dayColumns) + ", " +
	columnList("r", checkInColumns)

// factsStmt reads the facts of every probe into out; probes[i] belongs to
// cadre users[i], and its day is read at region day[i] (0: none). Callers
// hold the cadres' locks, so the answer stays true until they commit.
func (s *Store) factsStmt(users []int64, probes []*models.CheckIn, day []int64, out []facts) stmt {
	row := s.valuesRow + "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var q strings.Builder
	q.WriteString("WITH v (k, u, cid, t, lat, lon, acc, dt, rg) AS (VALUES ")
	args := make([]any, 0, 9*len(probes))
	for i, p := range probes {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, i, users[i], p.ClientID, p.DeviceTime, p.WGSLat, p.WGSLon, p.AccuracyM, p.LocalDate, day[i])
	}
	q.WriteString(")")
	byTime, byFix := "", ""
	if s.driver == DriverMySQL {
		byTime, byFix = " FORCE INDEX (idx_checkin_user_time)", " FORCE INDEX (idx_checkin_fix)"
	}
	fmt.Fprintf(&q, factsSQL, byTime, byFix, len(probes), factsColumns)
	return stmt{sql: q.String(), args: args, scan: func(r *sql.Rows) error { return scanFacts(r, out) }}
}

// scanFacts reads one row of factsSQL into out[k].
func scanFacts(r *sql.Rows, out []facts) error {
	var (
		k        int
		repeated bool
		prevID   sql.NullInt64
		prevLat  sql.NullFloat64
		prevLon  sql.NullFloat64
		prevAcc  sql.NullFloat64
		prevTime sql.NullTime
		rv       nullReview
		dy       nullDay
		stored   nullCheckIn
	)
	dest := append([]any{&k, &repeated, &prevID, &prevLat, &prevLon, &prevAcc, &prevTime}, rv.dest()...)
	dest = append(append(dest, dy.dest()...), stored.dest()...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	if k < 0 || k >= len(out) {
		return fmt.Errorf("facts: probe %d of %d", k, len(out))
	}
	f := &out[k]
	f.Repeated = repeated
	if prevID.Valid {
		f.Previous = &models.CheckIn{ID: prevID.Int64, WGSLat: prevLat.Float64, WGSLon: prevLon.Float64,
			AccuracyM: prevAcc.Float64, DeviceTime: prevTime.Time}
	}
	f.Stored, f.Review, f.Day = stored.row(), rv.row(), dy.row()
	return nil
}
