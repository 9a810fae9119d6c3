// Package accesslog records who read a cadre's data (R11, 9): every read
// of a cadre's presence evidence, activities or contacts by anyone other
// than that cadre — who, what, when, by which query — before the data is
// answered. Entries from concurrent requests are written together, one
// transaction and one ledger leaf per batch (group commit, as check-ins
// are), and kept at least 180 days: the server deletes none.
package accesslog

import (
	"context"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// DefaultMaxBatch bounds the entries of one batch.
const DefaultMaxBatch = 500

// writeTimeout bounds one batch's transaction: a hung database holds no
// batch longer, and the requests waiting on it have their own deadlines.
const writeTimeout = 10 * time.Second

// Log records reads. Its zero value is not usable: set Store and Now.
type Log struct {
	Store    *store.Store
	Now      func() time.Time
	Log      *slog.Logger
	MaxBatch int // entries per batch; DefaultMaxBatch when zero

	mu       sync.Mutex
	pending  []*waiter
	flushing bool
	wg       sync.WaitGroup
}

// waiter is one request's entries and where its outcome goes.
type waiter struct {
	entries []*models.AccessEntry
	done    chan error
}

type ctxKey struct{}

// WithRequest returns ctx carrying the request's id, which entries
// recorded under it name.
func WithRequest(ctx context.Context, requestID string) context.Context {
	return context.WithValue(ctx, ctxKey{}, requestID)
}

// Record logs reads made by p and returns once they are committed. Reads
// of p's own data, and reads by the server itself, are not logged; a read
// repeated in one call is logged once. It fails with UNAVAILABLE when the
// log could not be written, or ctx ended first (the entries may still be
// written): the caller must then not answer the data.
func (l *Log) Record(ctx context.Context, p *authz.Principal, reads []models.AccessRead) error {
	entries := l.entries(ctx, p, reads)
	if len(entries) == 0 {
		return nil
	}
	w := &waiter{entries: entries, done: make(chan error, 1)}
	l.mu.Lock()
	l.pending = append(l.pending, w)
	if !l.flushing {
		l.flushing = true
		l.wg.Add(1)
		go l.flush()
	}
	l.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return models.E(models.CodeUnavailable, "the read could not be logged in time; retry")
	}
}

// Close waits for the batches being written.
func (l *Log) Close() { l.wg.Wait() }

// entries builds the entries of reads that are logged.
func (l *Log) entries(ctx context.Context, p *authz.Principal, reads []models.AccessRead) []*models.AccessEntry {
	if p == nil || p.IsSystem() {
		return nil
	}
	rid, _ := ctx.Value(ctxKey{}).(string)
	at := l.Now().UTC().Truncate(time.Millisecond)
	seen := map[models.AccessRead]bool{}
	var out []*models.AccessEntry
	for _, r := range reads {
		r.Query = cut(r.Query, 200)
		if r.CadreID == p.UserID || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, &models.AccessEntry{At: at, ReaderID: p.UserID, ReaderName: cut(p.Username, 128), ReaderRole: string(p.Role),
			CadreID: r.CadreID, What: r.What, Query: r.Query, RequestID: cut(rid, 32), ClientAddr: cut(p.ClientAddr, 64)})
	}
	return out
}

// flush writes what is pending, batch after batch, until nothing is.
func (l *Log) flush() {
	defer l.wg.Done()
	for {
		batch := l.take()
		if batch == nil {
			return
		}
		err := l.write(batch)
		for _, w := range batch {
			w.done <- err
		}
	}
}

// take removes the next batch from the pending requests: whole requests,
// up to MaxBatch entries (at least one request); nil when none waits, and
// then the flush ends.
func (l *Log) take() []*waiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	max := l.MaxBatch
	if max == 0 {
		max = DefaultMaxBatch
	}
	n, size := 0, 0
	for n < len(l.pending) && (n == 0 || size+len(l.pending[n].entries) <= max) {
		size += len(l.pending[n].entries)
		n++
	}
	if n == 0 {
		l.flushing = false
		return nil
	}
	batch := l.pending[:n:n]
	l.pending = l.pending[n:]
	return batch
}

// write stores one batch with its ledger leaf.
func (l *Log) write(batch []*waiter) error {
	var entries []*models.AccessEntry
	for _, w := range batch {
		entries = append(entries, w.entries...)
	}
	b := &models.AccessBatch{Ref: uuid.NewString(), Entries: len(entries), CreatedAt: l.Now().UTC().Truncate(time.Millisecond)}
	leaf, err := ledger.LeafOf(&models.AccessBatchRecord{Batch: b, Entries: entries})
	if err != nil {
		return models.Wrap(models.CodeInternal, err, "ledger leaf of an access-log batch")
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := l.Store.AppendAccess(ctx, authz.System("access log"), b, entries, leaf); err != nil {
		if l.Log != nil {
			l.Log.Warn("access log: a batch could not be written; its reads are refused", "entries", len(entries), "err", err)
		}
		if models.CodeOf(err) != models.CodeUnavailable {
			return models.Wrap(models.CodeUnavailable, err, "the read could not be logged; retry")
		}
		return err
	}
	return nil
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
