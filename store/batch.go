package store

import (
	"context"
	"sync"
	"time"

	"github.com/henan-youth/onsite/models"
)

// CheckInWriter is group commit for check-ins: concurrent check-ins queue
// up while a transaction commits, and the next transaction takes all that
// are waiting (up to a batch size) — on MySQL one round trip that begins,
// locks the cadres and reads every prior fact, and one that writes every
// row, day and located region and commits (one fsync) for the whole batch
// (batch_tx.go). Each check-in is answered only after its batch has
// committed. A cadre appears in a batch with one request's check-ins only
// (one, or an offline queue's in order), and each is judged after the ones
// before it, exactly as one at a time. If a batch fails, its check-ins are
// retried one by one through RecordCheckIn, so one bad item cannot sink
// the others.
type CheckInWriter struct {
	s        *Store
	rule     DayRule
	maxBatch int
	observe  func(BatchStats)
	queue    chan []*writeItem // a group: one cadre's check-ins, in order
	stop     chan struct{}
	wg       sync.WaitGroup
}

type writeItem struct {
	ctx    context.Context
	userID int64
	probe  models.CheckIn
	near   []int64 // regions it was located in
	judge  func(Prior) (*NewCheckIn, error)
	queued time.Time
	done   chan writeResult
}

type writeResult struct {
	rec *Recorded
	err error
}

// WriterConfig tunes group commit. Zero values take the defaults.
type WriterConfig struct {
	// MaxBatch bounds the check-ins of one transaction (default 64).
	MaxBatch int
	// Workers is how many batches may be in flight at once. Default 3 on
	// MySQL. A batch's time is mostly waiting (round trips, the commit's
	// log flush), so the workers bound throughput: at 2,000 requests/s on
	// the 2-core machine two workers of two-round-trip batches were busy
	// 98 % of the time, and a stalled commit held up every check-in
	// behind it. Alternating runs, 3 workers gave the lower check-in p99
	// in 8 of 9 pairs against 2 (e.g. 64 vs 117 ms, 81 vs 304 ms); 4 made
	// more, smaller batches for no further gain (MariaDB's cost is mostly
	// per batch). With three round trips per batch, 1 worker gave
	// 20–117 ms. More workers suit more cores or a distant database.
	// Always 1 on SQLite (one writer).
	Workers int
	// Observe, when set, is called after every batch (for metrics).
	Observe func(BatchStats)
}

// BatchStats describes one batch, measured on the monotonic wall clock
// (these are latencies, not evidence times).
type BatchStats struct {
	Size   int           // check-ins in the batch, replays included
	Queued time.Duration // the longest an item of it waited for its batch
	Took   time.Duration // begin to commit
	Reads  time.Duration // of Took, the first round trip: lock and reads (on MySQL)
	Writes time.Duration // of Took, the last: writes and commit
	Failed bool          // the batch failed and its items were retried one by one
	Err    error         // why it failed
}

// NewCheckInWriter starts the workers; Close stops them.
func (s *Store) NewCheckInWriter(rule DayRule, cfg WriterConfig) *CheckInWriter {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 64
	}
	switch {
	case s.driver != DriverMySQL:
		cfg.Workers = 1
	case cfg.Workers <= 0:
		cfg.Workers = 3
	}
	w := &CheckInWriter{s: s, rule: rule, maxBatch: cfg.MaxBatch, observe: cfg.Observe,
		queue: make(chan []*writeItem, 4096), stop: make(chan struct{})}
	for range cfg.Workers {
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
		case g := <-w.queue:
			for _, it := range g {
				it.done <- writeResult{err: models.E(models.CodeUnavailable, "the server is shutting down; retry")}
			}
		default:
			return
		}
	}
}

// Record queues one check-in and waits for its batch to commit. It has the
// contract of Store.RecordCheckIn. near lists the regions the check-in was
// located in: the batch reads their days with the other facts, before
// judging, so that it needs no read after (a day outside near is read
// then, at the cost of a round trip).
func (w *CheckInWriter) Record(ctx context.Context, userID int64, probe models.CheckIn, near []int64, judge func(Prior) (*NewCheckIn, error)) (*Recorded, error) {
	recs, errs := w.RecordAll(ctx, userID, []Pending{{Probe: probe, Near: near, Judge: judge}})
	return recs[0], errs[0]
}

// Pending is one check-in of RecordAll: what Record takes.
type Pending struct {
	Probe models.CheckIn
	Near  []int64
	Judge func(Prior) (*NewCheckIn, error)
}

// RecordAll records several check-ins of one cadre — an offline queue —
// in order, each exactly as Record would one after the other: judged
// against the cadre's stored history and the ones before it in the list
// (a repeated client id is a resend of the earlier one). They share a
// batch (up to its size), so a sync of n check-ins waits for one commit
// rather than n. It returns a result and an error per check-in.
func (w *CheckInWriter) RecordAll(ctx context.Context, userID int64, ps []Pending) ([]*Recorded, []error) {
	recs, errs := make([]*Recorded, len(ps)), make([]error, len(ps))
	for start := 0; start < len(ps); start += w.maxBatch {
		group := make([]*writeItem, 0, min(w.maxBatch, len(ps)-start))
		for _, p := range ps[start:min(start+w.maxBatch, len(ps))] {
			group = append(group, &writeItem{ctx: ctx, userID: userID, probe: p.Probe, near: p.Near, judge: p.Judge,
				queued: time.Now(), done: make(chan writeResult, 1)})
		}
		var refused error
		select {
		case w.queue <- group:
		case <-ctx.Done():
			refused = models.Wrap(models.CodeUnavailable, ctx.Err(), "request timed out before the check-in was stored; retry")
		case <-w.stop:
			refused = models.E(models.CodeUnavailable, "the server is shutting down; retry")
		}
		for i, it := range group {
			if refused != nil {
				errs[start+i] = refused
				continue
			}
			r := <-it.done // always answered: the batch runs to commit or failure
			recs[start+i], errs[start+i] = r.rec, r.err
		}
	}
	return recs, errs
}

func (w *CheckInWriter) run() {
	defer w.wg.Done()
	var carry [][]*writeItem
	for {
		groups := carry
		if len(groups) == 0 {
			select {
			case g := <-w.queue:
				groups = append(groups, g)
			case <-w.stop:
				return
			}
		}
		var batch []*writeItem
		batch, carry = w.fill(groups)
		w.commit(batch)
	}
}

// fill takes the groups waiting, up to maxBatch check-ins, keeping each
// cadre to one group per batch (its check-ins in order); a group of a
// cadre already in the batch, or one that does not fit, is carried to the
// next batch, in the order it came.
func (w *CheckInWriter) fill(start [][]*writeItem) (batch []*writeItem, carry [][]*writeItem) {
	seen := map[int64]bool{}
	add := func(g []*writeItem) {
		u := g[0].userID
		if seen[u] || (len(batch) > 0 && len(batch)+len(g) > w.maxBatch) {
			seen[u] = true // later groups of u wait behind this one
			carry = append(carry, g)
			return
		}
		seen[u] = true
		batch = append(batch, g...)
	}
	for _, g := range start {
		add(g)
	}
	for len(batch) < w.maxBatch && len(carry) < w.maxBatch {
		select {
		case g := <-w.queue:
			add(g)
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
	start := time.Now()
	var st BatchStats
	results, err := w.s.recordBatch(ctx, live, w.rule, &st)
	if w.observe != nil {
		oldest := start
		for _, it := range live {
			if it.queued.Before(oldest) {
				oldest = it.queued
			}
		}
		st.Size, st.Queued, st.Took, st.Failed, st.Err = len(live), start.Sub(oldest), time.Since(start), err != nil, err
		w.observe(st)
	}
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
