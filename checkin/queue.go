package checkin

import (
	"context"
	"sync"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// queue is group commit for check-ins: concurrent requests queue up while
// a batch reads, and the next batch takes all that are waiting (up to a
// batch size) into one transaction (Service.store) — on MySQL one round
// trip that begins, locks the cadres and reads every prior, and one that
// writes and commits (one fsync) for the whole batch. Each check-in is
// answered only after its batch has committed. A cadre appears in a batch
// with one request's check-ins only (one, or an offline queue's in order),
// and each is judged after the ones before it, exactly as one at a time. If
// a batch fails, its requests are retried one by one, so one bad item
// cannot sink the others.
type queue struct {
	s        *Service
	maxBatch int
	workers  int // most batches in flight
	observe  func(BatchStats)
	groups   chan *group
	stop     chan struct{}
	wg       sync.WaitGroup
	// mu orders queueing against Close: record queues under the read lock
	// unless closed is set, and Close sets it under the write lock, so every
	// group queued is queued before the dispatcher is told to stop, and is
	// answered (stored, or refused) rather than left waiting.
	mu     sync.RWMutex
	closed bool
}

// group is one request's check-ins: one cadre's, in order.
type group struct {
	items  []*item
	queued time.Time
	done   chan struct{} // closed once every item has its outcome
}

func (g *group) user() int64 { return g.items[0].p.UserID }

// refuse gives every item of g err as its outcome and answers it.
func (g *group) refuse(err error) {
	for _, it := range g.items {
		it.out = outcome{err: err}
	}
	close(g.done)
}

// QueueConfig tunes group commit. Zero values take the defaults.
type QueueConfig struct {
	// MaxBatch bounds the check-ins of one transaction (default 64).
	MaxBatch int
	// Workers is how many batches may be in flight at once (default 3 on
	// MySQL, always 1 on SQLite: one writer). A batch starts when none in
	// flight is still reading (startNext), so one batch's reads overlap
	// the writes and commit of the one before; another starts beside a
	// reading one only when a full batch is waiting — a stalled commit, or
	// more check-ins than the batches can take. Starting one whenever a
	// worker was free would turn slack into more, smaller batches, each
	// with the database's fixed cost per transaction.
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
	Reads  time.Duration // of Took, the first round trip: locks and reads
	Writes time.Duration // of Took, the rest: judging, writes and commit
	Failed bool          // the batch failed and its requests were retried one by one
	Err    error         // why it failed
}

// StartGroupCommit makes the service share transactions between requests
// from now on; Close stops it.
func (s *Service) StartGroupCommit(cfg QueueConfig) {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 64
	}
	switch {
	case s.Store.Driver() != store.DriverMySQL:
		cfg.Workers = 1
	case cfg.Workers <= 0:
		cfg.Workers = 3
	}
	q := &queue{s: s, maxBatch: cfg.MaxBatch, workers: cfg.Workers, observe: cfg.Observe,
		groups: make(chan *group, 4096), stop: make(chan struct{})}
	q.wg.Add(1)
	go q.dispatch()
	s.queue = q
}

// Close stops group commit after the batches in flight; check-ins still
// waiting, and any recorded from now on, are answered UNAVAILABLE (not
// stored; a retry is safe). A second Close does nothing.
func (s *Service) Close() {
	q := s.queue
	if q == nil {
		return
	}
	q.mu.Lock()
	was := q.closed
	q.closed = true
	q.mu.Unlock()
	if was {
		return
	}
	close(q.stop)
	q.wg.Wait()
	for {
		select {
		case g := <-q.groups:
			g.refuse(errShuttingDown())
		default:
			return
		}
	}
}

// errShuttingDown answers a check-in the queue will not store because it
// is closing; a retry is safe.
func errShuttingDown() error {
	return models.E(models.CodeUnavailable, "the server is shutting down; retry")
}

// errGaveUp answers a check-in whose client gave up (cause: its context's
// error) before its batch began: nothing was stored; a retry is safe.
func errGaveUp(cause error) error {
	return models.Wrap(models.CodeUnavailable, cause, "request timed out before the check-in was stored; retry")
}

// record queues one request's items, in groups of at most a batch, and
// waits until each has its outcome.
func (q *queue) record(ctx context.Context, items []*item) {
	for start := 0; start < len(items); start += q.maxBatch {
		g := &group{items: items[start:min(start+q.maxBatch, len(items))], queued: time.Now(), done: make(chan struct{})}
		if err := q.enqueue(ctx, g); err != nil {
			g.refuse(err)
		}
		<-g.done // always answered: the batch runs to commit or failure
	}
}

// enqueue hands a group to the dispatcher, or says why it will not be
// stored: the queue is closed, or ctx ended while the queue was full.
func (q *queue) enqueue(ctx context.Context, g *group) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return errShuttingDown()
	}
	select {
	case q.groups <- g:
		return nil
	case <-ctx.Done():
		return errGaveUp(ctx.Err())
	}
}

// dispatch gathers the waiting groups and starts batches: one when none
// is reading (startNext), so that the next batch locks and reads while the
// one before writes and commits; another beside a reading one only when a
// full batch is waiting; at most workers at once.
func (q *queue) dispatch() {
	defer q.wg.Done()
	var waiting []*group // in arrival order
	items, inflight, reading := 0, 0, 0
	done, read := make(chan struct{}, q.workers), make(chan struct{}, q.workers)
	for {
		for drained := false; !drained; { // take everything queued before deciding
			select {
			case g := <-q.groups:
				waiting, items = append(waiting, g), items+len(g.items)
			default:
				drained = true
			}
		}
		for len(waiting) > 0 && startNext(inflight, reading, q.workers, items, q.maxBatch) {
			var batch []*group
			batch, waiting = q.fill(waiting)
			for _, g := range batch {
				items -= len(g.items)
			}
			inflight++
			reading++
			go func() {
				q.commit(batch, func() { read <- struct{}{} })
				done <- struct{}{}
			}()
		}
		select {
		case g := <-q.groups:
			waiting, items = append(waiting, g), items+len(g.items)
		case <-read:
			reading--
		case <-done:
			inflight--
		case <-q.stop:
			for ; inflight > 0; inflight-- {
				<-done
			}
			for _, g := range waiting {
				g.refuse(errShuttingDown())
			}
			return
		}
	}
}

// startNext reports whether another batch should start now: when fewer
// than workers are in flight and none of them is still reading, or a full
// batch of check-ins is waiting.
//
// A batch spends about half its time in its first round (locks, priors)
// and half in its last (writes, commit). Starting the next one only when
// the one before had committed would make every check-in wait for both
// rounds of the batch before it as well as its own; starting it when the
// one before has read lets the reads of one overlap the commit of the
// other, while check-ins that arrive during a batch's reads still gather
// into the next rather than into many small batches. A second batch's
// reads wait on the first's row locks for any cadre the two share, so each
// cadre's check-ins are still judged in order.
func startNext(inflight, reading, workers, waiting, maxBatch int) bool {
	return inflight < workers && (reading == 0 || waiting >= maxBatch)
}

// fill takes a batch from the groups waiting, up to maxBatch check-ins,
// keeping each cadre to one group per batch (its check-ins in order); a
// group of a cadre already in the batch, or one that does not fit, stays
// waiting for a later batch, in the order it came.
func (q *queue) fill(groups []*group) (batch, rest []*group) {
	seen := map[int64]bool{}
	n := 0
	for _, g := range groups {
		u := g.user()
		if seen[u] || (n > 0 && n+len(g.items) > q.maxBatch) {
			seen[u] = true // later groups of u wait behind this one
			rest = append(rest, g)
			continue
		}
		seen[u] = true
		batch, n = append(batch, g), n+len(g.items)
	}
	return batch, rest
}

// commit stores one batch and answers its groups; on failure each group is
// retried on its own. It calls read once, when the batch has done its
// reads (or will not).
func (q *queue) commit(batch []*group, read func()) {
	read = sync.OnceFunc(read)
	defer read()
	var live []*group
	var items []*item
	for _, g := range batch {
		if err := g.items[0].ctx.Err(); err != nil { // the client gave up while queued: nothing stored
			g.refuse(errGaveUp(err))
			continue
		}
		live, items = append(live, g), append(items, g.items...)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	var reads time.Duration
	err := q.s.store(ctx, items, func() { reads = time.Since(start); read() })
	if q.observe != nil {
		oldest := start
		for _, g := range live {
			if g.queued.Before(oldest) {
				oldest = g.queued
			}
		}
		took := time.Since(start)
		q.observe(BatchStats{Size: len(items), Queued: start.Sub(oldest), Took: took, Reads: reads, Writes: took - reads,
			Failed: err != nil, Err: err})
	}
	if err != nil {
		read() // if the batch failed before its reads: the next need not wait for the retries
		for _, g := range live {
			q.s.storeAlone(ctx, g.items)
			close(g.done)
		}
		return
	}
	for _, g := range live {
		close(g.done)
	}
}
