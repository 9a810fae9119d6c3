package store

import (
	"context"
	"sync"
	"time"

	"github.com/henan-youth/onsite/models"
)

// CheckInWriter is group commit for check-ins: concurrent check-ins queue
// up while a transaction reads, and the next transaction takes all that
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
	workers  int // most batches in flight
	observe  func(BatchStats)
	queue    chan []*writeItem // a group: one cadre's check-ins, in order
	stop     chan struct{}
	wg       sync.WaitGroup
	// mu orders queueing against Close: RecordAll queues under the read
	// lock unless closed is set, and Close sets it under the write lock,
	// so every group queued is queued before the dispatcher is told to
	// stop, and is answered (stored, or refused) rather than left waiting.
	mu     sync.RWMutex
	closed bool
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
	// Workers is how many batches may be in flight at once (default 3 on
	// MySQL, always 1 on SQLite: one writer). A batch starts when none in
	// flight is still reading (startNext), so one batch's reads overlap
	// the writes and commit of the one before; another starts beside a
	// reading one only when a full batch (MaxBatch check-ins) is waiting
	// — a stalled commit, or more check-ins than the batches can take.
	// Starting one whenever a worker was free made slack into more,
	// smaller batches, each with MariaDB's fixed cost: at 1,000
	// requests/s the 2-core machine was as busy as at 2,000/s (306
	// batches/s of 3.6). More workers suit more cores or a distant
	// database.
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

// NewCheckInWriter starts the dispatcher; Close stops it.
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
	w := &CheckInWriter{s: s, rule: rule, maxBatch: cfg.MaxBatch, workers: cfg.Workers, observe: cfg.Observe,
		queue: make(chan []*writeItem, 4096), stop: make(chan struct{})}
	w.wg.Add(1)
	go w.dispatch()
	return w
}

// Close stops the writer after the batches in flight; check-ins still
// waiting, and any recorded from now on, are answered UNAVAILABLE (not
// stored; a retry is safe). A second Close does nothing.
func (w *CheckInWriter) Close() {
	w.mu.Lock()
	was := w.closed
	w.closed = true
	w.mu.Unlock()
	if was {
		return
	}
	close(w.stop)
	w.wg.Wait()
	for {
		select {
		case g := <-w.queue:
			refuse(g)
		default:
			return
		}
	}
}

// refuse answers a group that will not be stored.
func refuse(g []*writeItem) {
	for _, it := range g {
		it.done <- writeResult{err: errShuttingDown()}
	}
}

// errShuttingDown answers a check-in the writer will not store because it
// is closing; a retry is safe.
func errShuttingDown() error {
	return models.E(models.CodeUnavailable, "the server is shutting down; retry")
}

// errGaveUp answers a check-in whose client gave up (cause: its context's
// error) before its batch began: nothing was stored; a retry is safe.
func errGaveUp(cause error) error {
	return models.Wrap(models.CodeUnavailable, cause, "request timed out before the check-in was stored; retry")
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
		refused := w.enqueue(ctx, group)
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

// enqueue hands a group to the dispatcher, or says why it will not be
// stored: the writer is closed, or ctx ended while the queue was full.
func (w *CheckInWriter) enqueue(ctx context.Context, group []*writeItem) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return errShuttingDown()
	}
	select {
	case w.queue <- group:
		return nil
	case <-ctx.Done():
		return errGaveUp(ctx.Err())
	}
}

// dispatch gathers the waiting groups and starts batches: one when none
// is reading (startNext), so that the next batch locks and reads while the
// one before writes and commits; another beside a reading one only when a
// full batch is waiting; at most workers at once.
func (w *CheckInWriter) dispatch() {
	defer w.wg.Done()
	var waiting [][]*writeItem // in arrival order
	items, inflight, reading := 0, 0, 0
	done, read := make(chan struct{}, w.workers), make(chan struct{}, w.workers)
	for {
		for drained := false; !drained; { // take everything queued before deciding
			select {
			case g := <-w.queue:
				waiting, items = append(waiting, g), items+len(g)
			default:
				drained = true
			}
		}
		for len(waiting) > 0 && startNext(inflight, reading, w.workers, items, w.maxBatch) {
			var batch []*writeItem
			batch, waiting = w.fill(waiting)
			items -= len(batch)
			inflight++
			reading++
			go func() {
				w.commit(batch, func() { read <- struct{}{} })
				done <- struct{}{}
			}()
		}
		select {
		case g := <-w.queue:
			waiting, items = append(waiting, g), items+len(g)
		case <-read:
			reading--
		case <-done:
			inflight--
		case <-w.stop:
			for ; inflight > 0; inflight-- {
				<-done
			}
			for _, g := range waiting {
				refuse(g)
			}
			return
		}
	}
}

// startNext reports whether another batch should start now: when fewer
// than workers are in flight and none of them is still reading, or a full
// batch of check-ins is waiting.
//
// A batch spends about half its time in its first round (locks, facts)
// and half in its last (writes, commit). Starting the next one when the
// one before had committed made every check-in wait for both rounds of
// the batch before it as well as its own: at 2,000 check-ins/s the one
// pipeline was 90 % busy. Starting it when the one before has read lets
// the reads of one overlap the commit of the other, while check-ins that
// arrive during a batch's reads still gather into the next rather than
// into many small batches (each costs MariaDB a fixed part). A second
// batch's reads wait on the first's row locks for any cadre the two
// share, so each cadre's check-ins are still judged in order.
func startNext(inflight, reading, workers, waiting, maxBatch int) bool {
	return inflight < workers && (reading == 0 || waiting >= maxBatch)
}

// fill takes a batch from the groups waiting, up to maxBatch check-ins,
// keeping each cadre to one group per batch (its check-ins in order); a
// group of a cadre already in the batch, or one that does not fit, stays
// waiting for a later batch, in the order it came.
func (w *CheckInWriter) fill(groups [][]*writeItem) (batch []*writeItem, rest [][]*writeItem) {
	seen := map[int64]bool{}
	for _, g := range groups {
		u := g[0].userID
		if seen[u] || (len(batch) > 0 && len(batch)+len(g) > w.maxBatch) {
			seen[u] = true // later groups of u wait behind this one
			rest = append(rest, g)
			continue
		}
		seen[u] = true
		batch = append(batch, g...)
	}
	return batch, rest
}

// commit writes one batch; on failure each item is retried on its own.
// It calls read once, when the batch has done its reads (or will not).
func (w *CheckInWriter) commit(batch []*writeItem, read func()) {
	read = sync.OnceFunc(read)
	defer read()
	live := batch[:0:0]
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil { // the client gave up while queued: nothing stored
			it.done <- writeResult{err: errGaveUp(err)}
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
	results, err := w.s.recordBatch(ctx, live, w.rule, &st, read)
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
		read() // if the batch failed before its reads: the next need not wait for the retries
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
