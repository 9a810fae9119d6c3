package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/models"
)

// EvidenceTx is a transaction that holds the locks of the cadres it writes
// for and writes their evidence — check-ins, rulings — together with the
// presence days those change. It is begun by BeginCheckIns or BeginReview
// and ended by Commit or Rollback (Rollback after Commit does nothing, so
// callers defer it). Nothing in it calls back into the caller: the caller
// reads what it needs (the priors, Days), decides, and hands the rows to
// Commit.
//
// On MySQL a check-in batch is two round trips: the first begins the
// transaction, locks the cadres and reads every prior and day; the last
// writes and commits.
type EvidenceTx struct {
	s    *Store
	rt   *roundTx
	days map[DayKey]*models.PresenceDay // read so far; a zero aggregate where none is stored
}

// DayKey names one presence aggregate: a cadre's day at a region.
type DayKey struct {
	UserID   int64
	Date     string // Asia/Shanghai calendar date, YYYY-MM-DD
	RegionID int64
}

// Writes is what a Commit stores.
type Writes struct {
	CheckIns []*models.CheckIn    // new rows; Commit sets their IDs
	Reviews  []*models.Review     // new rulings; Commit sets their IDs
	Days     []models.PresenceDay // changed aggregates, matched by (user, date, region); an empty one is deleted
	Leaves   []models.Leaf        // the ledger leaves of the new rows, by natural key
}

// Days returns the stored days of keys — an empty aggregate where there is
// none — reading in one round those the transaction has not read yet.
func (t *EvidenceTx) Days(keys []DayKey) (map[DayKey]models.PresenceDay, error) {
	var missing []any
	for _, k := range keys {
		missing = t.wantDay(missing, k)
	}
	if len(missing) > 0 {
		if err := t.rt.round([]stmt{t.daysStmt(missing)}); err != nil {
			return nil, mapErr(err)
		}
	}
	out := make(map[DayKey]models.PresenceDay, len(keys))
	for _, k := range keys {
		out[k] = *t.days[k]
	}
	return out, nil
}

// wantDay notes that the transaction needs day k, adding its key to keys
// unless it is known already; until read, a day is an empty aggregate.
func (t *EvidenceTx) wantDay(keys []any, k DayKey) []any {
	if _, ok := t.days[k]; ok {
		return keys
	}
	t.days[k] = &models.PresenceDay{UserID: k.UserID, Date: k.Date, RegionID: k.RegionID}
	return append(keys, k.UserID, k.Date, k.RegionID)
}

// daysStmt reads the days of keys (user, date, region, flattened).
func (t *EvidenceTx) daysStmt(keys []any) stmt {
	return stmt{sql: "SELECT " + columnList("d", dayColumns) + " FROM presence_days d WHERE (d.user_id, d.date, d.region_id) IN " + tuples(len(keys)/3, 3),
		args: keys, scan: func(r *sql.Rows) error {
			var n nullDay
			if err := r.Scan(n.dest()...); err != nil {
				return err
			}
			t.keep(n.row())
			return nil
		}}
}

// keep records a day read from the database.
func (t *EvidenceTx) keep(d *models.PresenceDay) {
	if d != nil {
		t.days[DayKey{d.UserID, d.Date, d.RegionID}] = d
	}
}

// Commit writes w and commits, in the transaction's last round: the
// check-ins (their ids read back), the rulings, the days and the rows'
// ledger leaves (one INSERT, sequenced later off this path). It fails with
// CONFLICT for a duplicate key (a twin committed first) and INTERNAL for a
// bug, and then nothing was stored; and with UNAVAILABLE when the database
// failed or ctx ended, and then the outcome is unknown: a COMMIT whose
// answer was lost may have stored everything.
func (t *EvidenceTx) Commit(w Writes) error {
	stmts, err := t.writes(w)
	if err != nil {
		t.Rollback()
		return models.Wrap(models.CodeInternal, err, "building the writes")
	}
	if err := t.rt.commit(stmts); err != nil {
		return mapErr(err)
	}
	for _, c := range w.CheckIns {
		if c.ID == 0 { // cannot happen once the INSERT committed
			return models.E(models.CodeInternal, "check-in %q of user %d was not read back after insert", c.ClientID, c.UserID)
		}
	}
	return nil
}

// Rollback ends the transaction without storing anything, unless it has
// ended already.
func (t *EvidenceTx) Rollback() { t.rt.rollback() }

// writes builds the last round. The check-in INSERT is written by hand from
// the column list the priors are scanned with (insertCheckIns), since it
// runs on the goroutine every check-in of a batch waits for; the rulings'
// INSERT and the day upsert are GORM's (a dry run), so they follow the
// models. New ids come from INSERT ... RETURNING where the database has it
// (SQLite, MariaDB), else from a SELECT on the unique keys (MySQL 8); each
// is matched by its key, not by position.
func (t *EvidenceTx) writes(w Writes) ([]stmt, error) {
	db := t.s.db
	dry := db.Session(&gorm.Session{DryRun: true, NewDB: true, SkipDefaultTransaction: true}) // builds SQL only
	var out []stmt
	if len(w.CheckIns) > 0 {
		out = append(out, t.insertCheckIns(w.CheckIns)...)
	}
	if len(w.Reviews) > 0 {
		now := db.Config.NowFunc()
		for _, r := range w.Reviews {
			if r.CreatedAt.IsZero() {
				r.CreatedAt = now
			}
		}
		ins := dry.Create(&w.Reviews)
		if ins.Error != nil {
			return nil, ins.Error
		}
		out = append(out, stmt{sql: withoutReturning(ins.Statement.SQL.String()), args: ins.Statement.Vars},
			t.reviewIDs(w.Reviews))
	}
	if len(w.Days) > 0 {
		days, err := dayWrites(dry, w.Days)
		if err != nil {
			return nil, err
		}
		out = append(out, days...)
	}
	if len(w.Leaves) > 0 {
		out = append(out, insertLeaves(w.Leaves, db.Config.NowFunc()))
	}
	return out, nil
}

// insertCheckIns returns the INSERT of rows and what reads their new ids.
func (t *EvidenceTx) insertCheckIns(rows []*models.CheckIn) []stmt {
	type clientKey struct {
		user   int64
		client string
	}
	byKey := make(map[clientKey]*models.CheckIn, len(rows))
	keys := make([]any, 0, 2*len(rows))
	for _, c := range rows {
		byKey[clientKey{c.UserID, c.ClientID}] = c
		keys = append(keys, c.UserID, c.ClientID)
	}
	ids := func(r *sql.Rows) error {
		var k clientKey
		var id int64
		if err := r.Scan(&id, &k.user, &k.client); err != nil {
			return err
		}
		if c := byKey[k]; c != nil {
			c.ID = id
		}
		return nil
	}
	insert, args := insertCheckIns(rows, t.s.db.Config.NowFunc())
	if t.s.returning {
		return []stmt{{sql: insert + " RETURNING id, user_id, client_id", args: args, scan: ids}}
	}
	return []stmt{{sql: insert, args: args},
		{sql: "SELECT id, user_id, client_id FROM check_ins WHERE (user_id, client_id) IN " + tuples(len(rows), 2), args: keys, scan: ids}}
}

// reviewIDs reads the ids of rulings just inserted, by their check-in: the
// latest ruling of each (one per check-in per transaction; the cadre's lock
// keeps others out, and rulings are numbered in order, so the latest has
// the highest id).
func (t *EvidenceTx) reviewIDs(revs []*models.Review) stmt {
	byCheckIn := make(map[int64]*models.Review, len(revs))
	args := make([]any, 0, len(revs))
	for _, r := range revs {
		byCheckIn[r.CheckInID] = r
		args = append(args, r.CheckInID)
	}
	return stmt{sql: "SELECT MAX(id), check_in_id FROM reviews WHERE check_in_id IN " + marks(len(args)) + " GROUP BY check_in_id", args: args,
		scan: func(r *sql.Rows) error {
			var id, checkIn int64
			if err := r.Scan(&id, &checkIn); err != nil {
				return err
			}
			if rev := byCheckIn[checkIn]; rev != nil {
				rev.ID = id
			}
			return nil
		}}
}

// dayWrites returns the statements that store days: an upsert of those
// with a check-in or a make-up, matched by the (user, date, region) key,
// and a DELETE of those with neither (a ruling took their last check-in),
// since no row stands for an empty day.
func dayWrites(dry *gorm.DB, changed []models.PresenceDay) ([]stmt, error) {
	var days []models.PresenceDay
	var gone []any
	for _, d := range changed {
		if d.Accepted == 0 && !d.MadeUp {
			gone = append(gone, d.UserID, d.Date, d.RegionID)
			continue
		}
		d.ID = 0 // matched by the key, inserted or updated
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, c models.PresenceDay) int { // a stable lock order
		return cmp.Or(cmp.Compare(a.UserID, c.UserID), strings.Compare(a.Date, c.Date), cmp.Compare(a.RegionID, c.RegionID))
	})
	touched := make([]int64, 0, len(changed))
	for _, d := range changed {
		touched = append(touched, d.UserID)
	}
	out := []stmt{touchFactsStmt(touched)}
	if len(gone) > 0 {
		out = append(out, stmt{sql: "DELETE FROM presence_days WHERE (user_id, date, region_id) IN " + tuples(len(gone)/3, 3), args: gone})
	}
	if len(days) > 0 {
		up := dry.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "user_id"}, {Name: "date"}, {Name: "region_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"accepted", "first_at", "last_at", "counted", "made_up"}),
		}).Create(&days)
		if up.Error != nil {
			return nil, up.Error
		}
		out = append(out, stmt{sql: withoutReturning(up.Statement.SQL.String()), args: up.Statement.Vars})
	}
	return out, nil
}

// withoutReturning drops the RETURNING clause GORM adds where the database
// has one (MariaDB, SQLite): a statement without a scan func must have no
// rows. RETURNING is the last clause and takes no arguments.
func withoutReturning(sql string) string {
	if i := strings.LastIndex(sql, " RETURNING "); i >= 0 {
		return sql[:i]
	}
	return sql
}

// beginEvidence starts an evidence transaction.
func (s *Store) beginEvidence(ctx context.Context) (*EvidenceTx, error) {
	rt, err := s.beginRounds(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	return &EvidenceTx{s: s, rt: rt, days: map[DayKey]*models.PresenceDay{}}, nil
}

// dateRange returns the earliest and latest of dates.
func dateRange(dates []string) (first, last string) {
	first, last = "9999-12-31", "0000-01-01"
	for _, d := range dates {
		first, last = min(first, d), max(last, d)
	}
	return first, last
}
