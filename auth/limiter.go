package auth

import (
	"container/list"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/henan-youth/onsite/models"
)

// DefaultMaxKeys is how many keys a Limiter tracks at most.
const DefaultMaxKeys = 100_000

// Limiter limits login attempts per key, such as UserKey(name) and
// AddrKey(addr). Each key may have limit attempts per window: the window
// starts at the key's first attempt, and once limit attempts of it have failed
// or are still in progress, Allow refuses until the window ends.
//
// Every attempt counts, even concurrent ones: Allow reserves the attempt, and
// the caller then reports it with exactly one of Fail (wrong credentials),
// Reset (success; forget the key) or Done (no failure, but keep the key's
// failures, as for an address). A reservation never reported lapses with its
// window.
//
// Memory is bounded: expired keys are dropped as time passes, and at most
// DefaultMaxKeys keys are kept; when full, the key whose window ends first is
// evicted. A Limiter is safe for concurrent use.
type Limiter struct {
	limit   int
	window  time.Duration
	now     func() time.Time
	maxKeys int

	mu    sync.Mutex
	byKey map[string]*list.Element // values are *limitEntry
	order *list.List               // entries by window start, oldest first
}

// limitEntry is the state of one key within its window.
type limitEntry struct {
	key     string
	fails   int       // failed attempts in the window
	pending int       // attempts allowed but not yet reported
	expires time.Time // end of the window
}

// NewLimiter returns a Limiter allowing limit attempts per key per window,
// reading time from now (time.Now when nil). It panics if limit < 1 or
// window <= 0, which are programming errors.
func NewLimiter(limit int, window time.Duration, now func() time.Time) *Limiter {
	if limit < 1 || window <= 0 {
		panic("auth: NewLimiter needs limit >= 1 and window > 0")
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		limit:   limit,
		window:  window,
		now:     now,
		maxKeys: DefaultMaxKeys,
		byKey:   make(map[string]*list.Element),
		order:   list.New(),
	}
}

// UserKey returns the limiter key of a login name, case-folded and trimmed so
// that variants of one name share a counter. It cannot fail.
func UserKey(name string) string {
	return "user:" + strings.ToLower(strings.TrimSpace(name))
}

// AccountKey returns the key of an account's login attempts: its name,
// case-folded and trimmed, and its login generation, which an unlock moves
// on so that the account's old failures stop counting on every server. It
// cannot fail.
func AccountKey(name string, generation int64) string {
	return UserKey(name) + "#" + strconv.FormatInt(generation, 10)
}

// PairKey returns the key of one account's login attempts from one client
// address (AccountKey and AddrKey together): locking it out locks out
// only that address, so a stranger cannot lock the account's owner out.
// It cannot fail.
func PairKey(account string, addr netip.Addr) string {
	return account + "|" + AddrKey(addr)
}

// AddrKey returns the limiter key of a client address: the address itself for
// IPv4 (and IPv4-mapped IPv6), its /64 prefix for IPv6, since one client
// usually holds a whole /64. It cannot fail; an invalid addr yields "ip:invalid".
func AddrKey(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case !addr.IsValid():
		return "ip:invalid"
	case addr.Is4():
		return "ip:" + addr.String()
	}
	p, _ := addr.WithZone("").Prefix(64)
	return "ip:" + p.String()
}

// Allow reserves an attempt for key, returning nil when it may proceed. It
// returns a RATE_LIMITED error, whose message says in how many seconds to
// retry, when the key's attempts of the current window are used up.
func (l *Limiter) Allow(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.entry(key, now)
	if e != nil && e.fails+e.pending >= l.limit {
		return models.E(models.CodeRateLimited, "too many attempts; retry after %d seconds", ceilSeconds(e.expires.Sub(now)))
	}
	if e == nil {
		e = l.add(key, now)
	}
	e.pending++
	return nil
}

// Fail records a failed attempt for key, settling a reservation made by Allow
// if there is one. It reports whether this failure used up the key's
// attempts of the window: the moment the key is locked out. It cannot fail.
func (l *Limiter) Fail(key string) (locked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.entry(key, now)
	if e == nil {
		e = l.add(key, now)
	}
	if e.pending > 0 {
		e.pending--
	}
	e.fails++
	return e.fails == l.limit
}

// Done settles a reservation made by Allow without counting a failure: for a
// successful attempt whose key should keep its failures (an address shared
// by several users), or an attempt cut short by an internal error. It cannot
// fail.
func (l *Limiter) Done(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key, l.now())
	if e == nil {
		return
	}
	if e.pending > 0 {
		e.pending--
	}
	if e.pending == 0 && e.fails == 0 {
		l.remove(l.byKey[key])
	}
}

// Reset forgets key: its failures and reservations are cleared, as after a
// successful login. It cannot fail.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.byKey[key]; ok {
		l.remove(el)
	}
}

// entry returns the live entry of key, or nil when there is none. It first
// drops the entries whose window has ended. l.mu must be held.
func (l *Limiter) entry(key string, now time.Time) *limitEntry {
	for el := l.order.Front(); el != nil && !now.Before(el.Value.(*limitEntry).expires); el = l.order.Front() {
		l.remove(el)
	}
	el, ok := l.byKey[key]
	if !ok {
		return nil
	}
	e := el.Value.(*limitEntry)
	if !now.Before(e.expires) { // out of order only if the clock went back
		l.remove(el)
		return nil
	}
	return e
}

// add returns a new entry for key whose window starts at now, evicting the
// entry whose window ends first when the limiter is full. l.mu must be held.
func (l *Limiter) add(key string, now time.Time) *limitEntry {
	for l.order.Len() >= l.maxKeys {
		l.remove(l.order.Front())
	}
	e := &limitEntry{key: key, expires: now.Add(l.window)}
	l.byKey[key] = l.order.PushBack(e)
	return e
}

// remove drops the entry in el. l.mu must be held.
func (l *Limiter) remove(el *list.Element) {
	delete(l.byKey, el.Value.(*limitEntry).key)
	l.order.Remove(el)
}

// ceilSeconds returns d in whole seconds, rounded up, at least 1.
func ceilSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
