package account

import (
	"context"
	"sync"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/store"
)

// State-cache defaults.
const (
	// DefaultStateMaxAge bounds how stale a server's view of an account may
	// be: a revocation made on another server is seen within it.
	DefaultStateMaxAge = time.Second
	// stateOverlap is how far back each poll reads changes: changes are
	// stamped by the clock of the server that made them and become visible
	// when their transaction commits, so a poll rereads the last minute's
	// changes to tolerate clock differences and slow commits of that much.
	stateOverlap = time.Minute
	// stateTTL reloads an entry however quiet the account, so that the cache
	// heals from anything a poll missed.
	stateTTL = 10 * time.Minute
	// stateMaxEntries bounds the cache; it is emptied when full.
	stateMaxEntries = 100_000
)

// states is the per-process cache of account states that every request is
// checked against, so that the check costs a map lookup: an account is
// read once when first seen (and every stateTTL), and at most once per
// maxAge the cache reads, in one indexed query, every account whose auth
// version changed lately, updating those it holds. Changes made through
// this process are applied at once (forget). A maxAge of zero reads the
// account on every request.
type states struct {
	store  *store.Store
	system *authz.Principal
	now    func() time.Time
	maxAge time.Duration

	mu     sync.RWMutex
	m      map[int64]stateEntry
	polled time.Time  // when the last successful poll began
	pollMu sync.Mutex // one poll at a time; others wait for it
}

type stateEntry struct {
	s      store.AccountState
	loaded time.Time
}

func newStates(st *store.Store, system *authz.Principal, now func() time.Time) *states {
	return &states{store: st, system: system, now: now, maxAge: DefaultStateMaxAge, m: make(map[int64]stateEntry)}
}

// get returns the current state of account id, as of at most maxAge ago.
// It fails with UNAVAILABLE when the database does, and with
// UNAUTHENTICATED (SessionEnded) for an account that no longer exists.
func (c *states) get(ctx context.Context, id int64) (store.AccountState, error) {
	now := c.now()
	if c.maxAge <= 0 {
		return c.load(ctx, id, now)
	}
	if err := c.poll(ctx, now); err != nil {
		return store.AccountState{}, err
	}
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if ok && now.Sub(e.loaded) < stateTTL {
		return e.s, nil
	}
	return c.load(ctx, id, now)
}

// load reads account id and caches it.
func (c *states) load(ctx context.Context, id int64, now time.Time) (store.AccountState, error) {
	got, err := c.store.AccountStates(ctx, c.system, []int64{id})
	if err != nil {
		return store.AccountState{}, err
	}
	s, ok := got[id]
	if !ok {
		return store.AccountState{}, authz.SessionEnded()
	}
	if c.maxAge > 0 {
		c.mu.Lock()
		if len(c.m) >= stateMaxEntries {
			clear(c.m)
		}
		c.m[id] = stateEntry{s: s, loaded: now}
		c.mu.Unlock()
	}
	return s, nil
}

// poll reads the accounts changed since the last poll (less the overlap)
// when that poll began maxAge or more ago, and updates the cached ones.
// Concurrent callers wait for one poll.
func (c *states) poll(ctx context.Context, now time.Time) error {
	c.mu.RLock()
	fresh := now.Sub(c.polled) < c.maxAge
	c.mu.RUnlock()
	if fresh {
		return nil
	}
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	c.mu.RLock()
	since := c.polled
	fresh = now.Sub(since) < c.maxAge
	c.mu.RUnlock()
	if fresh {
		return nil // another caller polled while this one waited
	}
	if since.IsZero() {
		since = now // nothing cached yet: every entry is loaded after now
	}
	changed, err := c.store.AccountChangesSince(ctx, c.system, since.Add(-stateOverlap))
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range changed {
		if e, ok := c.m[s.ID]; ok {
			e.s = s
			c.m[s.ID] = e
		}
	}
	c.polled = now
	return nil
}

// forget drops account id, so that its next request reads it afresh: for
// changes made through this process, which take effect here at once.
func (c *states) forget(id int64) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
