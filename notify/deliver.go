package notify

import (
	"context"
	"slices"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// subscriber is one open subscription.
type subscriber struct {
	ch chan *models.Notification
}

// subscriptionBuffer is how many notifications a subscription holds that
// its client has not taken yet; one more ends it (the client reconnects
// and reads its inbox).
const subscriptionBuffer = 32

// MaxSubscriptions bounds one user's open subscriptions on one server: a
// phone and a browser tab or two need a few, and each holds a goroutine
// and a buffer.
const MaxSubscriptions = 8

// Subscribe returns a channel of p's notifications stored from now on,
// which is closed when ctx ends, when the server stops, or when the client
// falls subscriptionBuffer notifications behind. FORBIDDEN for roles
// without an inbox; RATE_LIMITED beyond MaxSubscriptions; UNAVAILABLE once
// the server is stopping. It waits for Run to start delivery.
func (s *Service) Subscribe(ctx context.Context, p *authz.Principal) (<-chan *models.Notification, error) {
	if _, err := authz.Check(p, authz.Inbox); err != nil {
		return nil, err
	}
	// Delivery starts after the newest notification Run found when it
	// started; a subscription taken before that could miss one stored in
	// between, so it waits for Run.
	select {
	case <-s.ready:
	case <-s.done:
	case <-ctx.Done():
		return nil, models.E(models.CodeUnavailable, "the subscription ended before delivery started; subscribe again")
	}
	sub := &subscriber{ch: make(chan *models.Notification, subscriptionBuffer)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, models.E(models.CodeUnavailable, "the server is stopping; subscribe again")
	}
	if len(s.subs[p.UserID]) >= MaxSubscriptions {
		s.mu.Unlock()
		return nil, models.E(models.CodeRateLimited, "at most %d open subscriptions per user; close one first", MaxSubscriptions)
	}
	if s.subs[p.UserID] == nil {
		s.subs[p.UserID] = map[*subscriber]struct{}{}
	}
	s.subs[p.UserID][sub] = struct{}{}
	s.mu.Unlock()
	context.AfterFunc(ctx, func() { s.drop(p.UserID, sub) })
	return sub.ch, nil
}

// drop ends a subscription; it does nothing when it has ended already.
func (s *Service) drop(userID int64, sub *subscriber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[userID][sub]; ok {
		delete(s.subs[userID], sub)
		if len(s.subs[userID]) == 0 {
			delete(s.subs, userID)
		}
		close(sub.ch)
	}
}

// deliver hands n to its user's subscriptions, ending those that are full.
func (s *Service) deliver(n *models.Notification) {
	s.mu.Lock()
	var full []*subscriber
	for sub := range s.subs[n.UserID] {
		select {
		case sub.ch <- n:
		default:
			full = append(full, sub)
		}
	}
	s.mu.Unlock()
	for _, sub := range full {
		s.drop(n.UserID, sub)
	}
}

// Close ends every subscription and refuses new ones: the server is
// stopping, and clients reconnect to another. Run returns.
func (s *Service) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	subs := s.subs
	s.subs = map[int64]map[*subscriber]struct{}{}
	s.mu.Unlock()
	for _, set := range subs {
		for sub := range set {
			close(sub.ch)
		}
	}
}

// Closed is closed once Close has been called.
func (s *Service) Closed() <-chan struct{} { return s.done }

// pollBatch is the most rows one poll reads at a time.
const pollBatch = 1000

// maxGaps bounds the id gaps watched; the oldest is given up first.
const maxGaps = 64

// Run delivers the notifications stored by any server to the subscriptions
// this one holds, polling every PollInterval until ctx ends or Close. It
// starts after the latest notification stored.
func (s *Service) Run(ctx context.Context) {
	every := s.PollInterval
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var c cursor
	started := false
	for {
		if !started {
			id, err := s.Store.LatestNotificationID(ctx)
			if err == nil {
				c.after, started = id, true
				close(s.ready)
			} else if ctx.Err() == nil {
				s.Log.Warn("notifications: reading the latest id failed", "err", err)
			}
		} else if err := s.poll(ctx, &c); err != nil && ctx.Err() == nil {
			s.Log.Warn("notifications: polling failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-t.C:
		}
	}
}

// poll reads the rows after the cursor and in its gaps and delivers them.
func (s *Service) poll(ctx context.Context, c *cursor) error {
	sys := authz.System("notification delivery")
	wait := s.GapWait
	if wait <= 0 {
		wait = time.Minute
	}
	now := s.Now()
	for {
		rows, err := s.Store.NotificationsAfter(ctx, sys, c.after, c.ranges(), pollBatch)
		if err != nil {
			return err
		}
		for _, n := range rows {
			if c.see(n.ID, now) {
				s.deliver(n)
			}
		}
		if len(rows) < pollBatch {
			break
		}
	}
	c.expire(now.Add(-wait))
	return nil
}

// cursor is how far delivery has read: every id up to after, except the
// gaps — ids skipped over that may still commit.
type cursor struct {
	after int64
	gaps  []gap // in id order, disjoint
}

// gap is the ids lo…hi, not seen since at least since.
type gap struct {
	lo, hi int64
	since  time.Time
}

// ranges are the gaps to read again.
func (c *cursor) ranges() []store.IDRange {
	out := make([]store.IDRange, len(c.gaps))
	for i, g := range c.gaps {
		out[i] = store.IDRange{Lo: g.lo, Hi: g.hi}
	}
	return out
}

// see records that id was read at now and reports whether it is new: past
// the cursor (the ids skipped over become a gap) or inside a gap.
func (c *cursor) see(id int64, now time.Time) bool {
	if id > c.after {
		if id > c.after+1 {
			c.gaps = append(c.gaps, gap{lo: c.after + 1, hi: id - 1, since: now})
			if len(c.gaps) > maxGaps {
				c.gaps = c.gaps[len(c.gaps)-maxGaps:]
			}
		}
		c.after = id
		return true
	}
	for i, g := range c.gaps {
		if id < g.lo || id > g.hi {
			continue
		}
		var keep []gap
		if id > g.lo {
			keep = append(keep, gap{lo: g.lo, hi: id - 1, since: g.since})
		}
		if id < g.hi {
			keep = append(keep, gap{lo: id + 1, hi: g.hi, since: g.since})
		}
		c.gaps = slices.Replace(c.gaps, i, i+1, keep...)
		return true
	}
	return false
}

// expire gives up the gaps older than before.
func (c *cursor) expire(before time.Time) {
	c.gaps = slices.DeleteFunc(c.gaps, func(g gap) bool { return g.since.Before(before) })
}
