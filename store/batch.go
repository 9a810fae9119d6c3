package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/models"
)

// CheckInWriter is group commit for check-ins: concurrent check-ins queue
// up while a transaction commits, and the next transaction takes all that
// are waiting (up to a batch size) — one lock statement, one read of prior
// facts, one insert of rows, one upsert of days and one commit (one fsync)
// for the whole batch. Each check-in is answered only after its batch has
// committed. A cadre appears at most once per batch, so every check-in is
// judged after the previous one of the same cadre, exactly as one at a time.
// If a batch fails, its check-ins are retried one by one through
// RecordCheckIn, so one bad item cannot sink the others.
type CheckInWriter struct {
	s        *Store
	rule     DayRule
	maxBatch int
	queue    chan *writeItem
	stop     chan struct{}
	wg       sync.WaitGroup
}

type writeItem struct {
	ctx    context.Context
	userID int64
	probe  models.CheckIn
	judge  func(Prior) (*NewCheckIn, error)
	done   chan writeResult
}

type writeResult struct {
	rec *Recorded
	err error
}

// NewCheckInWriter starts workers committing batches of at most maxBatch
// check-ins: four on MySQL (batches prepare while others commit; on the
// 2-core machine 16 made batches smaller and slower, 2 and 3 were within
// the run-to-run noise, see the README), one on SQLite (one writer). Close
// stops them.
func (s *Store) NewCheckInWriter(rule DayRule, maxBatch int) *CheckInWriter {
	w := &CheckInWriter{s: s, rule: rule, maxBatch: maxBatch, queue: make(chan *writeItem, 4096), stop: make(chan struct{})}
	workers := 1
	if s.driver == DriverMySQL {
		workers = 4
	}
	for range workers {
		w.wg.Add(1)
		go w.run()
	}
	return w
}

// Close stops the workers after the batches in flight; check-ins still
// queued are answered UNAVAILABLE (not stored; a retry is safe).
func (w *CheckInWriter) Close() {
	close(w.stop)
	w.wg.Wait()
	for {
		select {
		case it := <-w.queue:
			it.done <- writeResult{err: models.E(models.CodeUnavailable, "the server is shutting down; retry")}
		default:
			return
		}
	}
}

// Record queues one check-in and waits for its batch to commit. It has the
// contract of Store.RecordCheckIn.
func (w *CheckInWriter) Record(ctx context.Context, userID int64, probe models.CheckIn, judge func(Prior) (*NewCheckIn, error)) (*Recorded, error) {
	it := &writeItem{ctx: ctx, userID: userID, probe: probe, judge: judge, done: make(chan writeResult, 1)}
	select {
	case w.queue <- it:
	case <-ctx.Done():
		return nil, models.Wrap(models.CodeUnavailable, ctx.Err(), "request timed out before the check-in was stored; retry")
	case <-w.stop:
		return nil, models.E(models.CodeUnavailable, "the server is shutting down; retry")
	}
	r := <-it.done // always answered: the batch runs to commit or failure
	return r.rec, r.err
}

func (w *CheckInWriter) run() {
	defer w.wg.Done()
	var carry []*writeItem
	for {
		batch := carry
		if len(batch) == 0 {
			select {
			case it := <-w.queue:
				batch = append(batch, it)
			case <-w.stop:
				return
			}
		}
		batch, carry = w.fill(batch)
		w.commit(batch)
	}
}

// fill takes what is waiting, up to maxBatch, keeping one item per cadre;
// a second item of a cadre is carried to the next batch.
func (w *CheckInWriter) fill(start []*writeItem) (batch, carry []*writeItem) {
	seen := map[int64]bool{}
	add := func(it *writeItem) {
		if seen[it.userID] || len(batch) >= w.maxBatch {
			carry = append(carry, it)
			return
		}
		seen[it.userID] = true
		batch = append(batch, it)
	}
	for _, it := range start {
		add(it)
	}
	for len(batch) < w.maxBatch && len(carry) < w.maxBatch {
		select {
		case it := <-w.queue:
			add(it)
		default:
			return batch, carry
		}
	}
	return batch, carry
}

// commit writes one batch; on failure each item is retried on its own.
func (w *CheckInWriter) commit(batch []*writeItem) {
	live := batch[:0:0]
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil { // the client gave up while queued: nothing stored
			it.done <- writeResult{err: models.Wrap(models.CodeUnavailable, err, "request timed out before the check-in was stored; retry")}
			continue
		}
		live = append(live, it)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results, err := w.s.recordBatch(ctx, live, w.rule)
	if err != nil {
		for _, it := range live {
			rec, err := w.s.RecordCheckIn(ctx, it.userID, it.probe, w.rule, it.judge)
			it.done <- writeResult{rec: rec, err: err}
		}
		return
	}
	for i, it := range live {
		it.done <- results[i]
	}
}

// dayKey names one presence aggregate.
type dayKey struct {
	user   int64
	date   string
	region int64
}

// batchState is one batch inside its transaction.
type batchState struct {
	items   []*writeItem
	bound   map[int64]string
	results []writeResult
	priors  []Prior
	news    []*NewCheckIn // nil for replays and refusals
	days    map[dayKey]*models.PresenceDay
	changed map[dayKey]bool
}

// recordBatch runs one batch transaction and returns a result per item.
// An error means nothing of the batch was stored.
func (s *Store) recordBatch(ctx context.Context, items []*writeItem, rule DayRule) ([]writeResult, error) {
	b := &batchState{items: items, results: make([]writeResult, len(items)), priors: make([]Prior, len(items)), news: make([]*NewCheckIn, len(items)),
		days: map[dayKey]*models.PresenceDay{}, changed: map[dayKey]bool{}}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		steps := []func(*gorm.DB) error{b.lock(s), b.facts, b.judge, b.readDays, b.insert, b.applyDays(rule), b.writeDays}
		for _, step := range steps {
			if err := step(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.answerDays()
	return b.results, nil
}

// lock takes the cadres' row locks in id order (no deadlocks between
// batches) and reads their bound devices.
func (b *batchState) lock(s *Store) func(*gorm.DB) error {
	return func(tx *gorm.DB) error {
		ids := make([]int64, len(b.items))
		for i, it := range b.items {
			ids[i] = it.userID
		}
		slices.Sort(ids)
		lock := ""
		if s.driver == DriverMySQL {
			lock = " FOR UPDATE"
		}
		var rows []struct {
			ID     int64
			Device string
		}
		err := tx.Raw("SELECT users.id, COALESCE(devices.device_id, '') AS device FROM users LEFT JOIN devices ON devices.active_user_id = users.id WHERE users.id IN ? ORDER BY users.id"+lock, ids).
			Scan(&rows).Error
		b.bound = make(map[int64]string, len(rows))
		for _, r := range rows {
			b.bound[r.ID] = r.Device
		}
		return err
	}
}

// facts reads every item's facts in one statement (readFacts) and the
// replayed originals and previous fixes by id in a second. An item whose
// client id is stored already is answered with the original.
func (b *batchState) facts(tx *gorm.DB) error {
	users := make([]int64, len(b.items))
	probes := make([]*models.CheckIn, len(b.items))
	for i, it := range b.items {
		users[i], probes[i] = it.userID, &it.probe
	}
	fs, err := readFacts(tx, users, probes)
	if err != nil {
		return err
	}
	var ids []int64
	for _, f := range fs {
		if f.ReplayID != nil {
			ids = append(ids, *f.ReplayID)
		} else if f.PrevID != nil {
			ids = append(ids, *f.PrevID)
		}
	}
	rows, err := checkInsByID(tx, ids)
	if err != nil {
		return err
	}
	for i, f := range fs {
		switch {
		case f.ReplayID != nil:
			b.results[i] = writeResult{rec: &Recorded{CheckIn: rows[*f.ReplayID], Replayed: true}}
		case f.PrevID != nil:
			b.priors[i] = Prior{Previous: rows[*f.PrevID], Repeated: f.Repeated}
		default:
			b.priors[i] = Prior{Repeated: f.Repeated}
		}
	}
	return nil
}

// judge judges every new item against its prior facts.
func (b *batchState) judge(tx *gorm.DB) error {
	assigned, err := b.assignments(tx)
	if err != nil {
		return err
	}
	for i, it := range b.items {
		if b.results[i].rec != nil {
			continue
		}
		p := b.priors[i]
		p.BoundDevice = b.bound[it.userID]
		p.Assignments = activeOn(assigned[it.userID], it.probe.LocalDate)
		n, err := it.judge(p)
		if err != nil {
			b.results[i] = writeResult{err: err}
			continue
		}
		b.news[i] = n
	}
	return nil
}

// assignments reads the batch's cadres' assignments overlapping its dates.
func (b *batchState) assignments(tx *gorm.DB) (map[int64][]*models.Assignment, error) {
	ids := make([]int64, 0, len(b.items))
	first, last := "9999-12-31", "0000-01-01"
	for _, it := range b.items {
		ids = append(ids, it.userID)
		first, last = min(first, it.probe.LocalDate), max(last, it.probe.LocalDate)
	}
	var rows []*models.Assignment
	err := overlapping(tx, first, last).Where("assignments.user_id IN ?", ids).Order("assignments.id").Find(&rows).Error
	out := map[int64][]*models.Assignment{}
	for _, a := range rows {
		out[a.UserID] = append(out[a.UserID], a)
	}
	return out, err
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

// readDays reads every aggregate the batch touches or answers with.
func (b *batchState) readDays(tx *gorm.DB) error {
	var keys [][]any
	add := func(k dayKey) {
		if _, ok := b.days[k]; !ok {
			b.days[k] = &models.PresenceDay{UserID: k.user, Date: k.date, RegionID: k.region}
			keys = append(keys, []any{k.user, k.date, k.region})
		}
	}
	for i, it := range b.items {
		c := b.results[i].rec
		if n := b.news[i]; n != nil {
			c = &Recorded{CheckIn: n.Row}
			for _, r := range n.CountsAt {
				add(dayKey{it.userID, n.Row.LocalDate, r})
			}
		}
		if c != nil && c.CheckIn.RegionID != nil {
			add(dayKey{it.userID, c.CheckIn.LocalDate, *c.CheckIn.RegionID})
		}
	}
	if len(keys) == 0 {
		return nil
	}
	var rows []*models.PresenceDay
	if err := tx.Where("(user_id, date, region_id) IN ?", keys).Find(&rows).Error; err != nil {
		return err
	}
	for _, d := range rows {
		b.days[dayKey{d.UserID, d.Date, d.RegionID}] = d
	}
	return nil
}

// insert stores the new check-ins and their located regions, two
// multi-row statements.
func (b *batchState) insert(tx *gorm.DB) error {
	var rows []*models.CheckIn
	for _, n := range b.news {
		if n != nil {
			rows = append(rows, n.Row)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Create(&rows).Error; err != nil {
		return err
	}
	var regs []models.CheckInRegion
	for i, n := range b.news {
		if n == nil {
			continue
		}
		for _, r := range n.Regions {
			r.CheckInID = n.Row.ID
			regs = append(regs, r)
		}
		b.results[i] = writeResult{rec: &Recorded{CheckIn: n.Row}}
	}
	if len(regs) == 0 {
		return nil
	}
	return tx.Create(&regs).Error
}

// applyDays adds every counting check-in to its aggregates, in memory.
func (b *batchState) applyDays(rule DayRule) func(*gorm.DB) error {
	return func(*gorm.DB) error {
		for i, n := range b.news {
			if n == nil {
				continue
			}
			at := n.Row.OccurredAt.UTC()
			for _, r := range n.CountsAt {
				k := dayKey{b.items[i].userID, n.Row.LocalDate, r}
				d := b.days[k]
				if d.Accepted == 0 || at.Before(d.FirstAt) {
					d.FirstAt = at
				}
				if d.Accepted == 0 || at.After(d.LastAt) {
					d.LastAt = at
				}
				d.Accepted++
				d.Counted = rule(d.Accepted, d.FirstAt, d.LastAt)
				b.changed[k] = true
			}
		}
		return nil
	}
}

// writeDays upserts the changed aggregates in one statement.
func (b *batchState) writeDays(tx *gorm.DB) error {
	var rows []models.PresenceDay
	for k := range b.changed {
		d := *b.days[k]
		d.ID = 0 // matched by the (user, date, region) key, inserted or updated
		rows = append(rows, d)
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, c models.PresenceDay) int { // a stable lock order
		return cmp.Or(cmp.Compare(a.UserID, c.UserID), strings.Compare(a.Date, c.Date), cmp.Compare(a.RegionID, c.RegionID))
	})
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "date"}, {Name: "region_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"accepted", "first_at", "last_at", "counted"}),
	}).Create(&rows).Error
}

// answerDays attaches to every result the day at its check-in's region.
func (b *batchState) answerDays() {
	for i, it := range b.items {
		rec := b.results[i].rec
		if rec == nil || rec.CheckIn.RegionID == nil {
			continue
		}
		rec.Day = b.days[dayKey{it.userID, rec.CheckIn.LocalDate, *rec.CheckIn.RegionID}]
	}
}
