// Package tasks is R10's two task lists. The quarterly dispatch task list
// (每季度下发下沉工作任务清单) is issued by a unit to its dispatched cadres
// with a briefing on the county's recent key work, more briefings follow
// before trips, and each cadre reports progress per task. The key-work
// list (清单销号机制) holds an org unit's items, each with an owner, a
// standard and a deadline; the owner ticks an item off with evidence —
// a statement, photos, links to its activities — and a supervisor
// confirms it (销号) or returns it; overdue items are listed and their
// owners reminded. Nothing is deleted: reports, changes, tick-offs and
// rulings are rows of their own, and tick-offs and rulings are ledgered.
package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Notifier tells a user something happened; the notification service
// implements it. A failure is logged and changes nothing already stored.
type Notifier interface {
	Notify(ctx context.Context, userID int64, kind string, title string, body string) error
}

// The notifications this package sends.
const (
	KindAssigned = "TASK_ASSIGNED" // a dispatch list issued to the cadre, or a key-work item assigned to its owner
	KindOverdue  = "TASK_OVERDUE"  // a key-work item passed its deadline without being ticked off
)

// BlobStore keeps photos content-addressed by SHA-256 (package blob).
type BlobStore interface {
	Put(ctx context.Context, r io.Reader, maxBytes int64) (sha string, size int64, err error)
	Get(ctx context.Context, sha string) (io.ReadCloser, int64, error)
}

// storedPrecision is the finest time every database keeps: times are cut
// to it before a record's leaf is hashed.
const storedPrecision = time.Millisecond

// Service issues and reads task lists.
type Service struct {
	Store         *store.Store
	Blobs         BlobStore
	Notifier      Notifier       // nil: nobody is told
	Location      *time.Location // whose calendar dates; Asia/Shanghai when nil
	MaxPhotoBytes int64          // per photo; DefaultMaxPhotoBytes when zero
	Log           *slog.Logger   // notification failures; discarded when nil
	Now           func() time.Time
}

func (s *Service) loc() *time.Location {
	if s.Location == nil {
		return presence.ShanghaiLocation()
	}
	return s.Location
}

// now is the service's clock cut to the stored precision, in UTC.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(storedPrecision) }

// Today returns today's calendar date, YYYY-MM-DD, in the service's zone.
func (s *Service) Today() string { return s.Now().In(s.loc()).Format(time.DateOnly) }

// notify tells users, logging a failure: what was stored stands.
func (s *Service) notify(ctx context.Context, users []int64, kind, title, body string) {
	if s.Notifier == nil {
		return
	}
	for _, id := range users {
		if err := s.Notifier.Notify(ctx, id, kind, title, body); err != nil {
			s.logger().WarnContext(ctx, "task notification not sent", "kind", kind, "user", id, "err", err)
		}
	}
}

func (s *Service) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// text returns INVALID unless s is between min and max characters with no
// control characters but newlines and tabs, nor bidirectional overrides.
func text(field, s string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if !utf8.ValidString(s) || n < min || utf8.RuneCountInString(s) > max {
		if min > 0 && n == 0 {
			return models.E(models.CodeInvalid, "%s is required", field)
		}
		return models.E(models.CodeInvalid, "%s is at most %d characters", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
			return models.E(models.CodeInvalid, "%s holds a control character", field)
		}
	}
	return nil
}

// date returns INVALID unless s is a calendar date YYYY-MM-DD.
func date(field, s string) error {
	if t, err := time.Parse(time.DateOnly, s); err != nil || t.Format(time.DateOnly) != s {
		return models.E(models.CodeInvalid, "%s is a date YYYY-MM-DD, got %q", field, s)
	}
	return nil
}

// clientID returns INVALID unless id is a valid client id.
func clientID(id string) error {
	if !models.ValidClientID(id) {
		return models.E(models.CodeInvalid, "clientId must be 1–64 letters, digits or -_.:")
	}
	return nil
}

// fingerprint hashes parts unambiguously (each length-prefixed), to tell
// a resend from another record reusing its client id.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
