package auth

import (
	"sync"
	"time"

	"github.com/henan-youth/onsite/models"
)

// Backoff slows the login attempts on one key (an account) down as they
// fail, without ever locking it: after Free failures, each attempt must
// wait Base·2^(failures−Free), at most Max, after the one before. A
// stranger guessing an account's password from many addresses thus gets a
// few guesses a minute, and its owner waits at most Max. Failures are
// forgotten Forget after the last one, or at a success (Reset).
//
// Allow reserves the attempt: once delays apply, a second attempt arriving
// while one is in flight waits too, so aliased logins in one request gain
// nothing. Memory is bounded by DefaultMaxKeys; when full, forgotten
// entries are dropped, and if none is, the whole table. A Backoff is safe
// for concurrent use.
type Backoff struct {
	free    int
	base    time.Duration
	max     time.Duration
	forget  time.Duration
	now     func() time.Time
	maxKeys int

	mu sync.Mutex
	m  map[string]*backoffEntry
}

type backoffEntry struct {
	fails int
	next  time.Time // no attempt before this
	last  time.Time // the last failure
}

// NewBackoff returns a Backoff with free failures before delays start,
// delays from base doubling to max, failures forgotten after forget, and
// the clock now (time.Now when nil). It panics when free < 0, base <= 0,
// max < base or forget <= 0, which are programming errors.
func NewBackoff(free int, base, max, forget time.Duration, now func() time.Time) *Backoff {
	if free < 0 || base <= 0 || max < base || forget <= 0 {
		panic("auth: NewBackoff needs free >= 0, 0 < base <= max and forget > 0")
	}
	if now == nil {
		now = time.Now
	}
	return &Backoff{free: free, base: base, max: max, forget: forget, now: now, maxKeys: DefaultMaxKeys, m: make(map[string]*backoffEntry)}
}

// delay is the wait after n failures.
func (b *Backoff) delay(n int) time.Duration {
	if n < b.free {
		return 0
	}
	d := b.base
	for i := b.free; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// entry returns key's live entry, or nil. b.mu must be held.
func (b *Backoff) entry(key string, now time.Time) *backoffEntry {
	e := b.m[key]
	if e != nil && now.Sub(e.last) >= b.forget {
		delete(b.m, key)
		return nil
	}
	return e
}

// Allow returns nil when an attempt on key may proceed now, reserving its
// slot; otherwise a RATE_LIMITED error saying in how many seconds to retry.
func (b *Backoff) Allow(key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	e := b.entry(key, now)
	if e == nil {
		return nil
	}
	if now.Before(e.next) {
		return models.E(models.CodeRateLimited, "too many failed sign-ins for this account; retry after %d seconds", ceilSeconds(e.next.Sub(now)))
	}
	if d := b.delay(e.fails); d > 0 {
		e.next = now.Add(d)
	}
	return nil
}

// Fail records a failed attempt on key and returns its failures so far.
// It cannot fail.
func (b *Backoff) Fail(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	e := b.entry(key, now)
	if e == nil {
		if len(b.m) >= b.maxKeys {
			b.sweep(now)
		}
		e = &backoffEntry{}
		b.m[key] = e
	}
	e.fails++
	e.last = now
	e.next = now.Add(b.delay(e.fails))
	return e.fails
}

// Reset forgets key's failures, as after a successful login. It cannot fail.
func (b *Backoff) Reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
}

// sweep drops forgotten entries, or every entry when none is. b.mu must be
// held.
func (b *Backoff) sweep(now time.Time) {
	for k, e := range b.m {
		if now.Sub(e.last) >= b.forget {
			delete(b.m, k)
		}
	}
	if len(b.m) >= b.maxKeys {
		clear(b.m)
	}
}
