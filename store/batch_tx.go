package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/models"
)

// One batch transaction is two round trips on MySQL (inRounds): begin with
// the reads (lock, facts with resends, assignments, days), then the writes
// (check-ins with their located regions, returning their ids; days) with
// the commit. Judging happens in Go between the reads and the writes,
// under the cadres' row locks.

// clientKey names one check-in by its cadre and client id.
type clientKey struct {
	user   int64
	client string
}

// dayKey names one presence aggregate.
type dayKey struct {
	user   int64
	date   string
	region int64
}

// batchState is one batch inside its transaction.
type batchState struct {
	s        *Store
	items    []*writeItem
	bound    map[int64]string
	priors   []facts
	assigned map[int64][]*models.Assignment
	results  []writeResult
	news     []*NewCheckIn // nil for replays and refusals
	days     map[dayKey]*models.PresenceDay
	changed  map[dayKey]bool
}

// recordBatch runs one batch transaction and returns a result per item.
// An error means nothing of the batch was stored. When st is not nil it
// gets the time of the reads and of the committing writes. When read is
// not nil it is called once the first round (the locks and reads) is done
// or has failed: the writer then lets the next batch begin. It is not
// called when the transaction could not begin (no connection); the
// writer's commit calls it then.
func (s *Store) recordBatch(ctx context.Context, items []*writeItem, rule DayRule, st *BatchStats, read func()) ([]writeResult, error) {
	b := &batchState{s: s, items: items, bound: map[int64]string{},
		priors: make([]facts, len(items)), assigned: map[int64][]*models.Assignment{}, results: make([]writeResult, len(items)),
		news: make([]*NewCheckIn, len(items)), days: map[dayKey]*models.PresenceDay{}, changed: map[dayKey]bool{}}
	var reads, writes time.Duration
	err := s.inRounds(ctx, func(r rounds) error {
		start := time.Now()
		err := r.round(b.reads())
		if read != nil {
			read()
		}
		if err != nil {
			return fmt.Errorf("reads: %w", err)
		}
		reads = time.Since(start)
		b.judge()
		if err := r.round(b.readMissingDays()); err != nil { // none in practice
			return err
		}
		b.applyDays(rule)
		stmts, err := b.writes(s.db)
		if err != nil {
			return fmt.Errorf("writes: %w", err)
		}
		start = time.Now()
		if err := r.last(stmts); err != nil {
			return fmt.Errorf("writes and commit: %w", err)
		}
		writes = time.Since(start)
		return nil
	})
	if st != nil {
		st.Reads, st.Writes = reads, writes
	}
	if err != nil {
		return nil, err
	}
	if err := b.answer(); err != nil {
		return nil, err
	}
	return b.results, nil
}

// reads locks the cadres' rows in id order (no deadlocks between batches),
// reading their bound devices, then reads what judging needs: the facts of
// every item (with the check-in stored under its client id, if any, and
// the day at the first region it was located in), the cadres' assignments
// over the batch's dates and the days at the items' other regions.
//
// The days are read with the facts (one statement fewer than reading them
// by one of their own): MariaDB answers each statement of a round with a
// packet of its own, and under load every packet the batch waits for is a
// wake-up that waits for a free processor. (Reading the assignments with
// the locking read would save another, but MariaDB has no FOR UPDATE OF:
// the join's locks made a batch wait for a batch of other cadres.)
func (b *batchState) reads() []stmt {
	users := make([]int64, len(b.items))
	probes := make([]*models.CheckIn, len(b.items))
	firstDay := make([]int64, len(b.items)) // 0: none
	first, last := "9999-12-31", "0000-01-01"
	var days []any
	for i, it := range b.items {
		users[i], probes[i] = it.userID, &it.probe
		first, last = min(first, it.probe.LocalDate), max(last, it.probe.LocalDate)
		for j, r := range it.near {
			k := dayKey{it.userID, it.probe.LocalDate, r}
			if j == 0 { // read with the item's facts
				firstDay[i] = r
				b.wantDay(nil, k)
				continue
			}
			days = b.wantDay(days, k)
		}
	}
	var ids []any // each cadre once, in id order
	for _, u := range slices.Compact(slices.Sorted(slices.Values(users))) {
		ids = append(ids, u)
	}
	lock := ""
	if b.s.driver == DriverMySQL {
		lock = " FOR UPDATE"
	}
	out := []stmt{
		{sql: "SELECT users.id, COALESCE(devices.device_id, '') FROM users LEFT JOIN devices ON devices.active_user_id = users.id WHERE users.id IN " + marks(len(ids)) + " ORDER BY users.id" + lock,
			args: ids, scan: func(r *sql.Rows) error {
				var id int64
				var dev string
				err := r.Scan(&id, &dev)
				b.bound[id] = dev
				return err
			}},
		b.s.factsStmt(users, probes, firstDay, b.priors),
		{sql: "SELECT " + columnList("a", assignmentColumns) + " FROM assignments a WHERE (a.valid_to = '' OR a.valid_to >= ?) AND a.valid_from <= ? AND a.user_id IN " + marks(len(ids)) + " ORDER BY a.id",
			args: append([]any{first, last}, ids...), scan: func(r *sql.Rows) error {
				a, err := scanAssignment(r)
				b.assigned[a.UserID] = append(b.assigned[a.UserID], a)
				return err
			}},
	}
	if len(days) > 0 {
		out = append(out, b.daysStmt(days))
	}
	return out
}

// wantDay notes that the batch needs day k, adding its key to keys unless
// it is known already; until read, a day is an empty aggregate.
func (b *batchState) wantDay(keys []any, k dayKey) []any {
	if _, ok := b.days[k]; ok {
		return keys
	}
	b.days[k] = &models.PresenceDay{UserID: k.user, Date: k.date, RegionID: k.region}
	return append(keys, k.user, k.date, k.region)
}

// daysStmt reads the days of keys (user, date, region, flattened).
func (b *batchState) daysStmt(keys []any) stmt {
	return stmt{sql: "SELECT " + columnList("d", dayColumns) + " FROM presence_days d WHERE (d.user_id, d.date, d.region_id) IN " + tuples(len(keys)/3, 3),
		args: keys, scan: func(r *sql.Rows) error {
			var n nullDay
			if err := r.Scan(n.dest()...); err != nil {
				return err
			}
			d := n.row()
			b.days[dayKey{d.UserID, d.Date, d.RegionID}] = d
			return nil
		}}
}

// judge answers replays with their originals and judges every other item
// against its prior facts.
func (b *batchState) judge() {
	for _, f := range b.priors { // days read with the facts
		if d := f.Day; d != nil {
			b.days[dayKey{d.UserID, d.Date, d.RegionID}] = d
		}
	}
	earlier := map[int64][]*models.CheckIn{} // per cadre, the batch's new rows so far, in order
	for i, it := range b.items {
		f := b.priors[i]
		if c := f.Stored; c != nil {
			b.results[i] = writeResult{rec: &Recorded{CheckIn: c, Replayed: true, Review: f.Review}}
			continue
		}
		if c := sentBefore(earlier[it.userID], it.probe.ClientID); c != nil {
			b.results[i] = writeResult{rec: &Recorded{CheckIn: c, Replayed: true}}
			continue
		}
		prev, repeated := withEarlier(f.Previous, f.Repeated, earlier[it.userID], &it.probe)
		p := Prior{BoundDevice: b.bound[it.userID], Assignments: activeOn(b.assigned[it.userID], it.probe.LocalDate),
			Previous: prev, Repeated: repeated}
		n, err := it.judge(p)
		if err != nil {
			b.results[i] = writeResult{err: err}
			continue
		}
		b.news[i] = n
		earlier[it.userID] = append(earlier[it.userID], n.Row)
	}
}

// sentBefore returns the row of rows (a cadre's new check-ins earlier in
// the batch) with the given client id, if any: a resend within one sync.
func sentBefore(rows []*models.CheckIn, clientID string) *models.CheckIn {
	for _, c := range rows {
		if c.ClientID == clientID {
			return c
		}
	}
	return nil
}

// withEarlier completes a probe's stored facts with its cadre's check-ins
// earlier in the batch, which are stored after every row the facts saw:
// the previous fix is the latest by device time not after the probe's,
// the later-stored one winning a tie (as ORDER BY device_time, id does),
// and an identical earlier fix makes it repeated.
func withEarlier(prev *models.CheckIn, repeated bool, rows []*models.CheckIn, probe *models.CheckIn) (*models.CheckIn, bool) {
	for _, c := range rows {
		if !c.DeviceTime.After(probe.DeviceTime) && (prev == nil || !c.DeviceTime.Before(prev.DeviceTime)) {
			prev = c
		}
		if c.WGSLat == probe.WGSLat && c.WGSLon == probe.WGSLon && c.AccuracyM == probe.AccuracyM {
			repeated = true
		}
	}
	return prev, repeated
}

// readMissingDays reads the days an answer or a counting check-in needs
// that the reads did not cover: a replay dated otherwise than its resend,
// or a region outside near. Empty (no statement) in practice.
func (b *batchState) readMissingDays() []stmt {
	var keys []any
	for i, it := range b.items {
		if c := b.results[i].rec; c != nil && c.CheckIn.RegionID != nil {
			keys = b.wantDay(keys, dayKey{it.userID, c.CheckIn.LocalDate, *c.CheckIn.RegionID})
		}
		if n := b.news[i]; n != nil {
			if n.Row.RegionID != nil {
				keys = b.wantDay(keys, dayKey{it.userID, n.Row.LocalDate, *n.Row.RegionID})
			}
			for _, r := range n.CountsAt {
				keys = b.wantDay(keys, dayKey{it.userID, n.Row.LocalDate, r})
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return []stmt{b.daysStmt(keys)}
}

func activeOn(as []*models.Assignment, date string) []*models.Assignment {
	var out []*models.Assignment
	for _, a := range as {
		if a.ActiveOn(date) {
			out = append(out, a)
		}
	}
	return out
}

// applyDays adds every counting check-in to its aggregates, in memory.
func (b *batchState) applyDays(rule DayRule) {
	for i, n := range b.news {
		if n == nil {
			continue
		}
		for _, r := range n.CountsAt {
			k := dayKey{b.items[i].userID, n.Row.LocalDate, r}
			count(b.days[k], n.Row.OccurredAt, rule)
			b.changed[k] = true
		}
	}
}

// writes inserts the new check-ins (each with its located regions in its
// row), upserts the changed days and reads the new ids back, all in the
// round that commits. The check-in INSERT is built by hand from the column
// list the facts are scanned with (insertCheckIns: for a batch of 16, 12 µs
// and 154 allocations against GORM's dry run's 69 µs and 491, on the
// goroutine every check-in waits for); the day upsert is GORM's (a dry run),
// so it follows the model. The ids come from the
// check-ins' INSERT ... RETURNING where the database has it (SQLite,
// MariaDB), else from a SELECT on idx_checkin_client (MySQL 8); each is
// matched by cadre and client id, not by position. On MariaDB RETURNING
// made the batch one statement shorter and took about 6 % off its CPU
// (0.62–0.65 against 0.66–0.69 cores at 2,000 requests/s, three
// alternating pairs). The located regions were rows of check_in_regions,
// each naming its check-in by a subquery, a third statement; in the
// check-in's row (migration 4) they took MariaDB from 0.51–0.54 to
// 0.43–0.51 cores and p99 from 64–109 to 46–73 ms (three alternating
// pairs at 2,000 requests/s).
func (b *batchState) writes(db *gorm.DB) ([]stmt, error) {
	var rows []*models.CheckIn
	byKey := map[clientKey]*models.CheckIn{}
	for _, n := range b.news {
		if n != nil {
			rows = append(rows, n.Row)
			byKey[clientKey{n.Row.UserID, n.Row.ClientID}] = n.Row
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	insert, args := insertCheckIns(rows, db.Config.NowFunc())
	if b.s.returning {
		insert += " RETURNING id, user_id, client_id"
	}
	out := []stmt{{sql: insert, args: args}}
	if len(b.changed) > 0 {
		dry := db.Session(&gorm.Session{DryRun: true, NewDB: true, SkipDefaultTransaction: true}) // builds SQL only
		var days []models.PresenceDay
		for k := range b.changed {
			d := *b.days[k]
			d.ID = 0 // matched by the (user, date, region) key, inserted or updated
			days = append(days, d)
		}
		slices.SortFunc(days, func(a, c models.PresenceDay) int { // a stable lock order
			return cmp.Or(cmp.Compare(a.UserID, c.UserID), strings.Compare(a.Date, c.Date), cmp.Compare(a.RegionID, c.RegionID))
		})
		up := dry.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "user_id"}, {Name: "date"}, {Name: "region_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"accepted", "first_at", "last_at", "counted"}),
		}).Create(&days)
		if up.Error != nil {
			return nil, up.Error
		}
		out = append(out, stmt{sql: withoutReturning(up.Statement.SQL.String()), args: up.Statement.Vars})
	}
	ids := func(r *sql.Rows) error { // the new ids, from the INSERT or a SELECT
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
	if b.s.returning {
		out[0].scan = ids
		return out, nil
	}
	keys := make([]any, 0, 2*len(rows))
	for _, c := range rows {
		keys = append(keys, c.UserID, c.ClientID)
	}
	return append(out, stmt{sql: "SELECT id, user_id, client_id FROM check_ins WHERE (user_id, client_id) IN " + tuples(len(rows), 2), args: keys, scan: ids}), nil
}

// withoutReturning drops the RETURNING clause GORM adds where the database
// has one (MariaDB, SQLite): the batch reads the new ids with a SELECT that
// MySQL 8 runs too, and a statement without a scan func must have no rows.
// RETURNING is the last clause and takes no arguments.
func withoutReturning(sql string) string {
	if i := strings.LastIndex(sql, " RETURNING "); i >= 0 {
		return sql[:i]
	}
	return sql
}

// answer completes every result: new check-ins become results (their ids
// are read back), and each result gets the day at its check-in's region.
// A new check-in without an id cannot happen (its INSERT committed); if it
// did, the error makes the writer retry the batch's items one by one, and
// they come back as resends of what was stored.
func (b *batchState) answer() error {
	for i, it := range b.items {
		if n := b.news[i]; n != nil {
			if n.Row.ID == 0 {
				return fmt.Errorf("check-in %q of user %d was not read back after insert", n.Row.ClientID, n.Row.UserID)
			}
			b.results[i] = writeResult{rec: &Recorded{CheckIn: n.Row}}
		}
		rec := b.results[i].rec
		if rec == nil || rec.CheckIn.RegionID == nil {
			continue
		}
		rec.Day = b.days[dayKey{it.userID, rec.CheckIn.LocalDate, *rec.CheckIn.RegionID}]
	}
	return nil
}
