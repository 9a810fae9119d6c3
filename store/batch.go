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
// locks the cadres and reads every prior fact, one that writes every row
// and day, and one that adds the located regions and commits (one fsync)
// for the whole batch (batch_tx.go). Each check-in is answered only after
// its batch has committed. A cadre appears at most once per batch, so every check-in is
// judged after the previous one of the same cadre, exactly as one at a time.
// If a batch fails, its check-ins are retried one by one through
// RecordCheckIn, so one bad item cannot sink the others.
type CheckInWriter struct {
	s        *Store
	rule     DayRule
	maxBatch int
	observe  func(BatchStats)
	queue    chan *writeItem
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
		queue: make(chan *writeItem, 4096), stop: make(chan struct{})}
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
		case it := <-w.queue:
			it.done <- writeResult{err: models.E(models.CodeUnavailable, "the server is shutting down; retry")}
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
	it := &writeItem{ctx: ctx, userID: userID, probe: probe, near: near, judge: judge, queued: time.Now(), done: make(chan writeResult, 1)}
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
