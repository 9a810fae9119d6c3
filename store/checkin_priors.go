package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/henan-youth/onsite/models"
)

// Probe is a new check-in as BeginCheckIns needs it to read what the
// check-in will be judged against.
type Probe struct {
	UserID     int64
	ClientID   string
	DeviceTime time.Time
	WGSLat     float64 // the fix in WGS-84
	WGSLon     float64
	AccuracyM  float64
	LocalDate  string  // the Asia/Shanghai date it is dated on
	Regions    []int64 // the regions it was located in: their days on LocalDate are read with it
}

// Prior is what the database holds about a probe before it is judged, read
// under its cadre's lock so that it stays true until the transaction ends.
type Prior struct {
	BoundDevice string               // the cadre's bound device; "" when none
	AuthVersion int64                // the cadre's auth version: a principal of another is stale
	Disabled    bool                 // the cadre's account is disabled
	Assignments []*models.Assignment // the cadre's assignments in force on some date of the batch, by id
	Stored      *models.CheckIn      // the check-in already stored under the probe's client id (a resend), if any
	Review      *models.Review       // Stored's latest ruling, if any
	Previous    *models.CheckIn      // the previous fix by device time: ID, WGSLat, WGSLon, AccuracyM and DeviceTime only
	Repeated    bool                 // an earlier fix with identical coordinates and accuracy exists
}

// BeginCheckIns begins the transaction of a batch of new check-ins and
// reads, in one round, everything judging them needs: it locks the cadres'
// rows in id order (so batches cannot deadlock) reading their bound
// devices and sign-in state (auth version, disabled), then the prior of every probe, the cadres' assignments over the
// batch's dates and the days at the probes' regions (Days then answers
// from memory). It returns one Prior per probe. On failure nothing is
// held: UNAVAILABLE when the database failed, INTERNAL otherwise.
func (s *Store) BeginCheckIns(ctx context.Context, probes []Probe) (*EvidenceTx, []Prior, error) {
	t, err := s.beginEvidence(ctx)
	if err != nil {
		return nil, nil, err
	}
	priors := make([]Prior, len(probes))
	if len(probes) == 0 {
		return t, priors, nil
	}
	if err := t.rt.round(t.priorStmts(probes, priors)); err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	return t, priors, nil
}

// priorStmts returns the statements of BeginCheckIns' round, which fill
// priors. The days at each probe's first region are read with its prior
// (one statement fewer: under load every result packet a batch waits for
// is a wake-up waiting for a processor); those at other regions by a
// statement of their own. Assignments are read apart from the locking
// read because MariaDB has no FOR UPDATE OF: a join's locks would make a
// batch wait for batches of other cadres.
func (t *EvidenceTx) priorStmts(probes []Probe, priors []Prior) []stmt {
	dates := make([]string, len(probes))
	firstDay := make([]int64, len(probes)) // 0: none
	var days []any
	for i, p := range probes {
		dates[i] = p.LocalDate
		for j, r := range p.Regions {
			k := DayKey{p.UserID, p.LocalDate, r}
			if j == 0 {
				firstDay[i] = r
				t.wantDay(nil, k)
				continue
			}
			days = t.wantDay(days, k)
		}
	}
	var ids []any // each cadre once, in id order
	byUser := map[int64][]int{}
	for i, p := range probes {
		if _, ok := byUser[p.UserID]; !ok {
			ids = append(ids, p.UserID)
		}
		byUser[p.UserID] = append(byUser[p.UserID], i)
	}
	slices.SortFunc(ids, func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) })
	lock := ""
	if t.s.driver == DriverMySQL {
		lock = " FOR UPDATE"
	}
	first, last := dateRange(dates)
	out := []stmt{
		{sql: "SELECT users.id, COALESCE(devices.device_id, ''), users.auth_version, users.disabled FROM users LEFT JOIN devices ON devices.active_user_id = users.id WHERE users.id IN " + marks(len(ids)) + " ORDER BY users.id" + lock,
			args: ids, scan: func(r *sql.Rows) error {
				var id, version int64
				var dev string
				var disabled bool
				err := r.Scan(&id, &dev, &version, &disabled)
				for _, i := range byUser[id] {
					priors[i].BoundDevice, priors[i].AuthVersion, priors[i].Disabled = dev, version, disabled
				}
				return err
			}},
		t.s.priorsStmt(probes, firstDay, priors, t.keep),
		{sql: "SELECT " + columnList("a", assignmentColumns) + " FROM assignments a WHERE (a.valid_to = '' OR a.valid_to >= ?) AND a.valid_from <= ? AND a.user_id IN " + marks(len(ids)) + " ORDER BY a.id",
			args: append([]any{first, last}, ids...), scan: func(r *sql.Rows) error {
				a, err := scanAssignment(r)
				for _, i := range byUser[a.UserID] {
					priors[i].Assignments = append(priors[i].Assignments, a)
				}
				return err
			}},
	}
	if len(days) > 0 {
		out = append(out, t.daysStmt(days))
	}
	return out
}

// priorsSQL reads the priors of a table v of probes (k, u, cid, t, lat,
// lon, acc, dt, rg) as correlated subqueries — a backward scan of
// idx_checkin_user_time that stops at the first fix not after t, and a
// lookup of idx_checkin_fix — and joins the previous fix's row by primary
// key, the row stored under the probe's client id by idx_checkin_client,
// its latest ruling, and the cadre's day dt at region rg (0: none) by
// idx_day. v
// is a VALUES list (MySQL 8: of ROW(...)), which MariaDB plans as one query
// block where a UNION of constant subqueries would be planned once per
// probe. The row is read by position (scanPrior): the probe, the previous
// fix, the stored row's ruling, the day and the stored row, each of the
// last three NULL when there is none.
//
// The LIMIT (the number of probes: every row) makes the planner materialise
// f, so each probe's subqueries run once rather than once per use. On MySQL
// the subqueries name their index (%[1]s): while check_ins grows from
// empty its statistics lag, and the planner would otherwise sometimes
// answer the identical-fix test by scanning every fix of the cadre.
const priorsSQL = `, f AS (SELECT v.k AS k, v.u AS u, v.cid AS cid, v.dt AS dt, v.rg AS rg,
 (SELECT c.id FROM check_ins c%[1]s WHERE c.user_id = v.u AND c.device_time <= v.t ORDER BY c.device_time DESC, c.id DESC LIMIT 1) AS prev_id,
 EXISTS(SELECT 1 FROM check_ins c%[2]s WHERE c.user_id = v.u AND c.wgs_lat = v.lat AND c.wgs_lon = v.lon AND c.accuracy_m = v.acc) AS repeated
FROM v LIMIT %[3]d)
SELECT f.k, f.repeated, p.id, p.wgs_lat, p.wgs_lon, p.accuracy_m, p.device_time, %[4]s
FROM f LEFT JOIN check_ins p ON p.id = f.prev_id LEFT JOIN check_ins r ON r.user_id = f.u AND r.client_id = f.cid
 LEFT JOIN reviews rv ON rv.check_in_id = r.id AND NOT EXISTS (SELECT 1 FROM reviews rl WHERE rl.check_in_id = r.id AND rl.seq > rv.seq)
 LEFT JOIN presence_days dy ON dy.user_id = f.u AND dy.date = f.dt AND dy.region_id = f.rg`

// priorsColumns is the select list of the review, the day and the stored
// row, in scanPrior's order.
var priorsColumns = columnList("rv", reviewColumns) + ", " + columnList("dy", dayColumns) + ", " +
	columnList("r", checkInColumns)

// priorsStmt reads the prior of every probe into out, and the day of
// probe i at region day[i] (0: none) into keep. Callers hold the cadres'
// locks, so the answer stays true until they commit.
func (s *Store) priorsStmt(probes []Probe, day []int64, out []Prior, keep func(*models.PresenceDay)) stmt {
	row := s.valuesRow + "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var q strings.Builder
	q.WriteString("WITH v (k, u, cid, t, lat, lon, acc, dt, rg) AS (VALUES ")
	args := make([]any, 0, 9*len(probes))
	for i, p := range probes {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, i, p.UserID, p.ClientID, p.DeviceTime, p.WGSLat, p.WGSLon, p.AccuracyM, p.LocalDate, day[i])
	}
	q.WriteString(")")
	byTime, byFix := "", ""
	if s.driver == DriverMySQL {
		byTime, byFix = " FORCE INDEX (idx_checkin_user_time)", " FORCE INDEX (idx_checkin_fix)"
	}
	fmt.Fprintf(&q, priorsSQL, byTime, byFix, len(probes), priorsColumns)
	return stmt{sql: q.String(), args: args, scan: func(r *sql.Rows) error { return scanPrior(r, out, keep) }}
}

// scanPrior reads one row of priorsSQL into out[k] and its day into keep.
func scanPrior(r *sql.Rows, out []Prior, keep func(*models.PresenceDay)) error {
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
		return fmt.Errorf("priors: probe %d of %d", k, len(out))
	}
	f := &out[k]
	f.Repeated = repeated
	if prevID.Valid {
		f.Previous = &models.CheckIn{ID: prevID.Int64, WGSLat: prevLat.Float64, WGSLon: prevLon.Float64,
			AccuracyM: prevAcc.Float64, DeviceTime: prevTime.Time}
	}
	f.Stored, f.Review = stored.row(), rv.row()
	keep(dy.row())
	return nil
}
