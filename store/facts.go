package store

import (
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"

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
// (measured, 30-probe batches). v is a UNION ALL of constant rows, which
// MariaDB, MySQL 8 and SQLite all read (a VALUES list is spelt otherwise in
// each). The stored row's columns come last, under their own names (r.*);
// the previous fix's and the stored row's review's (for the answer to a
// resend) are renamed so that they do not clash.
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
SELECT f.k AS fact_k, f.repeated AS fact_repeated, p.id AS prev_id, p.wgs_lat AS prev_wgs_lat, p.wgs_lon AS prev_wgs_lon,
 p.accuracy_m AS prev_accuracy_m, p.device_time AS prev_device_time,
 rv.id AS review_id, rv.check_in_id AS review_check_in_id, rv.reviewer_id AS review_reviewer_id, rv.decision AS review_decision,
 rv.reason AS review_reason, rv.created_at AS review_created_at,
 dy.id AS day_id, dy.user_id AS day_user_id, dy.date AS day_date, dy.region_id AS day_region_id, dy.accepted AS day_accepted,
 dy.first_at AS day_first_at, dy.last_at AS day_last_at, dy.counted AS day_counted, r.*
FROM f LEFT JOIN check_ins p ON p.id = f.prev_id LEFT JOIN check_ins r ON r.user_id = f.u AND r.client_id = f.cid
 LEFT JOIN reviews rv ON rv.check_in_id = r.id LEFT JOIN presence_days dy ON dy.user_id = f.u AND dy.date = f.dt AND dy.region_id = f.rg`

// factsRow is one row of factsSQL. The stored check-in's columns are NULL
// when there is none, which scans as the zero row (ID 0).
type factsRow struct {
	FactK          int                `gorm:"column:fact_k"`
	FactRepeated   bool               `gorm:"column:fact_repeated"`
	PrevID         sql.NullInt64      `gorm:"column:prev_id"`
	PrevWGSLat     sql.NullFloat64    `gorm:"column:prev_wgs_lat"`
	PrevWGSLon     sql.NullFloat64    `gorm:"column:prev_wgs_lon"`
	PrevAccuracyM  sql.NullFloat64    `gorm:"column:prev_accuracy_m"`
	PrevDeviceTime sql.NullTime       `gorm:"column:prev_device_time"`
	Review         models.Review      `gorm:"embedded;embeddedPrefix:review_"`
	Day            models.PresenceDay `gorm:"embedded;embeddedPrefix:day_"`
	models.CheckIn
}

// factsStmt reads the facts of every probe into out; probes[i] belongs to
// cadre users[i], and its day is read at region day[i] (0: none). Callers
// hold the cadres' locks, so the answer stays true until they commit. db
// scans the stored rows (GORM maps columns to fields).
func factsStmt(db *gorm.DB, driver string, users []int64, probes []*models.CheckIn, day []int64, out []facts) stmt {
	var q strings.Builder
	q.WriteString("WITH v AS (")
	args := make([]any, 0, 9*len(probes))
	for i, p := range probes {
		if i == 0 {
			q.WriteString("SELECT ? AS k, ? AS u, ? AS cid, ? AS t, ? AS lat, ? AS lon, ? AS acc, ? AS dt, ? AS rg")
		} else {
			q.WriteString(" UNION ALL SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?")
		}
		args = append(args, i, users[i], p.ClientID, p.DeviceTime, p.WGSLat, p.WGSLon, p.AccuracyM, p.LocalDate, day[i])
	}
	q.WriteString(")")
	byTime, byFix := "", ""
	if driver == DriverMySQL {
		byTime, byFix = " FORCE INDEX (idx_checkin_user_time)", " FORCE INDEX (idx_checkin_fix)"
	}
	fmt.Fprintf(&q, factsSQL, byTime, byFix, len(probes))
	return stmt{sql: q.String(), args: args, scan: func(r *sql.Rows) error {
		var row factsRow
		if err := db.ScanRows(r, &row); err != nil {
			return err
		}
		f := &out[row.FactK]
		f.Repeated = row.FactRepeated
		if row.PrevID.Valid {
			f.Previous = &models.CheckIn{ID: row.PrevID.Int64, WGSLat: row.PrevWGSLat.Float64, WGSLon: row.PrevWGSLon.Float64,
				AccuracyM: row.PrevAccuracyM.Float64, DeviceTime: row.PrevDeviceTime.Time}
		}
		if row.CheckIn.ID != 0 {
			c := row.CheckIn
			f.Stored = &c
		}
		if row.Review.ID != 0 {
			rv := row.Review
			f.Review = &rv
		}
		if row.Day.ID != 0 {
			d := row.Day
			f.Day = &d
		}
		return nil
	}}
}
