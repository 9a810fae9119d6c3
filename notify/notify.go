// Package notify is the users' inbox: notifications stored as rows, sent
// by other features as events (Notify) or by the scheduler as reminders,
// read and marked read by their user, and delivered at once to the user's
// open subscriptions (GraphQL over WebSocket) on whichever server holds
// them.
//
// Delivery: every server polls the notifications table by id (Run) and
// hands each new row to the subscriptions it holds for that row's user. A
// row may commit after a row with a larger id (MySQL assigns ids at
// insert, not at commit), so an id skipped over is watched for a while as
// a gap and delivered when it appears. A subscription is a convenience:
// what it misses (it was not open, it fell behind) is in the inbox.
//
// Reminders run from a Scheduler that one server at a time holds the lease
// of (scheduler.go).
package notify

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Service stores, lists and delivers notifications. Build it with New.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	Log   *slog.Logger
	// PollInterval is how often the server looks for new notifications to
	// deliver (1 s when zero).
	PollInterval time.Duration
	// GapWait is how long an id skipped over is watched for a late commit
	// (1 min when zero).
	GapWait time.Duration

	mu     sync.Mutex
	subs   map[int64]map[*subscriber]struct{} // by user id
	closed bool
	done   chan struct{} // closed by Close
	ready  chan struct{} // closed by Run once it knows where delivery starts
}

// New returns a Service on st with the clock now, logging to log.
func New(st *store.Store, now func() time.Time, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: st, Now: now, Log: log, subs: map[int64]map[*subscriber]struct{}{}, done: make(chan struct{}),
		ready: make(chan struct{})}
}

// Notify stores an event notification of kind for user userID, for
// features that tell a user something happened ("SUMMARY_RETURNED",
// "SEMINAR_SPEAKER", "TASK_OVERDUE"); open subscriptions of the user
// receive it within a poll interval. kind is 1–32 characters of A–Z, 0–9
// and '_'; title 1–200 characters; body at most 2000. It fails with
// INVALID for a bad argument, NOT_FOUND for an unknown user and
// UNAVAILABLE when the database fails (the notification may then have
// been stored: a retry may store it twice).
func (s *Service) Notify(ctx context.Context, userID int64, kind string, title string, body string) error {
	n, err := build(userID, kind, title, body)
	if err != nil {
		return err
	}
	if err := s.Store.UsersExist(ctx, []int64{userID}); err != nil {
		return err
	}
	_, err = s.Store.AddNotifications(ctx, authz.System("notify"), []*models.Notification{n})
	return err
}

// build checks and builds an event notification.
func build(userID int64, kind, title, body string) (*models.Notification, error) {
	if userID <= 0 {
		return nil, models.E(models.CodeInvalid, "notify: no user")
	}
	if !validKind(kind) {
		return nil, models.E(models.CodeInvalid, "notify: kind %q must be 1–32 characters of A–Z, 0–9 and '_'", kind)
	}
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > 200 || utf8.RuneCountInString(body) > 2000 {
		return nil, models.E(models.CodeInvalid, "notify: a title of 1–200 characters and a body of at most 2000")
	}
	return &models.Notification{UserID: userID, Kind: kind, Title: title, Body: body}, nil
}

func validKind(kind string) bool {
	if kind == "" || len(kind) > 32 {
		return false
	}
	for _, c := range kind {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Inbox pages through p's notifications, newest first; unreadOnly leaves
// out those read. FORBIDDEN for roles without an inbox.
func (s *Service) Inbox(ctx context.Context, p *authz.Principal, unreadOnly bool, page store.Page) ([]*models.Notification, store.PageInfo, error) {
	return s.Store.Notifications(ctx, p, unreadOnly, page)
}

// Unread counts p's unread notifications.
func (s *Service) Unread(ctx context.Context, p *authz.Principal) (int, error) {
	return s.Store.UnreadNotifications(ctx, p)
}

// MaxMarked is the most ids one markRead names.
const MaxMarked = 100

// MarkRead marks p's notifications ids read (every unread one when all is
// set) and returns how many were unread; marking again changes nothing, so
// a resend is safe. INVALID for more than MaxMarked ids.
func (s *Service) MarkRead(ctx context.Context, p *authz.Principal, ids []int64, all bool) (int, error) {
	if len(ids) > MaxMarked {
		return 0, models.E(models.CodeInvalid, "at most %d ids at a time; or all: true", MaxMarked)
	}
	return s.Store.MarkNotificationsRead(ctx, p, ids, all, s.Now().UTC().Truncate(time.Millisecond))
}
