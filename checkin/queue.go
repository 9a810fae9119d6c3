package checkin

import (
	"context"
	"sync"
	"sync/atomic"
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
//
// Deadlines: a request waits for its answer only until its context ends.
// A group still queued then is withdrawn (no batch takes it later, so it
// is never stored after its answer); one whose batch is in flight is
// answered with an unknown outcome. A batch's deadline is the earliest of
// its requests' deadlines, so a hung database holds no batch, and no
// connection, past the requests it serves.
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
	ctx    context.Context // the request's
	items  []*item
	queued time.Time
	state  atomic.Int32  // groupQueued, then groupTaken or groupWithdrawn, once
	done   chan struct{} // closed once every item has its outcome
}

// A group's states. Only the dispatcher takes a group (for a batch or a
// refusal) and only its request withdraws it; whichever comes first wins,
// so a withdrawn group is never stored and a taken one is answered by its
// batch.
const (
	groupQueued int32 = iota
	groupTaken
	groupWithdrawn
)

func (g *group) user() int64 { return g.items[0].p.UserID }

// take claims g for a batch or a refusal; false when its request has
// withdrawn it (it is then answered already).
func (g *group) take() bool { return g.state.CompareAndSwap(groupQueued, groupTaken) }

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
// waiting, and any recorded from now on, are answered UNAVAILABLE (these
// are not stored; a retry with the same clientId is safe). A second Close
// does nothing.
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
			if g.take() {
				g.refuse(errShuttingDown())
			}
		default:
			return
		}
	}
}

// errShuttingDown answers a check-in the queue will not store because it
// is closing; it was not stored, and a retry is safe.
func errShuttingDown() error {
	return models.E(models.CodeUnavailable, "the server is shutting down; the check-in was not stored; retry with the same clientId")
}

// errGaveUp answers a check-in whose request ended (cause: its context's
// error) before a batch took it: it was not stored and never will be.
func errGaveUp(cause error) error {
	return models.Wrap(models.CodeUnavailable, cause, "the request timed out before the check-in was stored; it was not stored; retry with the same clientId")
}

// errUnknown answers a check-in whose request ended (cause: its context's
// error) while its batch was in flight: the batch may yet commit, or may
// have committed with its answer lost. A retry with the same clientId is
// answered with the stored check-in if there is one.
func errUnknown(cause error) error {
	return models.Wrap(models.CodeUnavailable, cause,
		"the request timed out while the check-in was being stored; it may or may not be stored; retry with the same clientId, which is always safe")
}

// maxBatchTime bounds a batch none of whose requests has a deadline (the
// server's requests always have one).
const maxBatchTime = 30 * time.Second

// record queues one request's items, in groups of at most a batch, and
// waits until each has its outcome or ctx ends; it returns the outcomes in
// the order of items. After ctx ends the items are the batch's, not the
// caller's: the caller reads the returned outcomes only.
func (q *queue) record(ctx context.Context, items []*item) []outcome {
	out := make([]outcome, 0, len(items))
	for start := 0; start < len(items); start += q.maxBatch {
		g := &group{ctx: ctx, items: items[start:min(start+q.maxBatch, len(items))], queued: time.Now(), done: make(chan struct{})}
		if err := q.enqueue(ctx, g); err != nil {
			g.refuse(err)
		}
		out = append(out, q.wait(ctx, g)...)
	}
	return out
}

// wait returns g's outcomes once its batch has answered it or, when ctx
// ends first, withdraws it (still queued: not stored, errGaveUp) or gives
// up on it (in a batch: errUnknown) without waiting for the database.
func (q *queue) wait(ctx context.Context, g *group) []outcome {
	select {
	case <-g.done:
		return outcomes(g.items)
	case <-ctx.Done():
	}
	var err error
	switch {
	case g.state.CompareAndSwap(groupQueued, groupWithdrawn):
		err = errGaveUp(ctx.Err())
	default:
		select {
		case <-g.done: // answered as ctx ended
			return outcomes(g.items)
		default:
			err = errUnknown(ctx.Err())
		}
	}
	out := make([]outcome, len(g.items))
	for i := range out {
		out[i] = outcome{err: err}
	}
	return out
}

// outcomes copies the outcomes of items, once their group is answered.
func outcomes(items []*item) []outcome {
	out := make([]outcome, len(items))
	for i, it := range items {
		out[i] = it.out
	}
	return out
}

// enqueue hands a group to the dispatcher, or says why it will not be
// stored: the queue is closed, or ctx ended before the queue took it.
func (q *queue) enqueue(ctx context.Context, g *group) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return errShuttingDown()
	}
	if err := ctx.Err(); err != nil {
		return errGaveUp(err)
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
				q.arrived(g)
				waiting, items = append(waiting, g), items+len(g.items)
			default:
				drained = true
			}
		}
		for len(waiting) > 0 && startNext(inflight, reading, q.workers, items, q.maxBatch) {
			var batch []*group
			batch, waiting = q.fill(waiting)
			items = 0
			for _, g := range waiting {
				items += len(g.items)
			}
			if len(batch) == 0 { // every group taken was withdrawn
				continue
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
			q.arrived(g)
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
				if g.take() {
					g.refuse(errShuttingDown())
				}
			}
			return
		}
	}
}

// arrived tells the service's queued hook, if any, that g is waiting.
func (q *queue) arrived(g *group) {
	if q.s.queued != nil {
		q.s.queued(g.items)
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
// waiting for a later batch, in the order it came. A group its request
// has withdrawn is dropped: it is answered already.
func (q *queue) fill(groups []*group) (batch, rest []*group) {
	seen := map[int64]bool{}
	n := 0
	for _, g := range groups {
		if g.state.Load() == groupWithdrawn {
			continue
		}
		u := g.user()
		if seen[u] || (n > 0 && n+len(g.items) > q.maxBatch) {
			seen[u] = true // later groups of u wait behind this one
			rest = append(rest, g)
			continue
		}
		if !g.take() { // withdrawn since the check above
			continue
		}
		seen[u] = true
		batch, n = append(batch, g), n+len(g.items)
	}
	return batch, rest
}

// commit stores one batch and answers its groups; on failure each group is
// retried on its own, within its own request's deadline. It calls read
// once, when the batch has done its reads (or will not). The batch's
// deadline is the earliest of its requests': when that passes, the batch
// is abandoned and every request still waiting retries alone.
func (q *queue) commit(batch []*group, read func()) {
	read = sync.OnceFunc(read)
	defer read()
	var live []*group
	var items []*item
	for _, g := range batch {
		if err := g.ctx.Err(); err != nil { // the client gave up while queued: nothing stored
			g.refuse(errGaveUp(err))
			continue
		}
		live, items = append(live, g), append(items, g.items...)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), batchDeadline(live, time.Now()))
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
			q.retry(g)
		}
		return
	}
	for _, g := range live {
		close(g.done)
	}
}

// retry stores g alone after its batch failed, within its
// request's deadline, and answers it. A request that has ended is not
// retried: its caller has its answer already (errUnknown), and the outcome
// set here is for no one.
func (q *queue) retry(g *group) {
	defer close(g.done)
	if cerr := g.ctx.Err(); cerr != nil {
		for _, it := range g.items {
			it.out = outcome{err: errUnknown(cerr)}
		}
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), batchDeadline([]*group{g}, time.Now()))
	defer cancel()
	q.s.storeAlone(ctx, g.items)
}

// batchDeadline is the earliest deadline of the groups' requests, or
// maxBatchTime from now when none has one.
func batchDeadline(groups []*group, now time.Time) time.Time {
	deadline := now.Add(maxBatchTime)
	for _, g := range groups {
		if d, ok := g.ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
	}
	return deadline
}
