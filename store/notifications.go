package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// insertNotes stores notifications in tx; one whose (user, dedupe key) is
// stored already is skipped, so a reminder is stored at most once however
// often and by whichever server it is sent. It returns how many it stored.
func insertNotes(tx *gorm.DB, notes []*models.Notification) error {
	_, err := insertNotesCounted(tx, notes)
	return err
}

func insertNotesCounted(tx *gorm.DB, notes []*models.Notification) (int64, error) {
	if len(notes) == 0 {
		return 0, nil
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&notes)
	return res.RowsAffected, res.Error
}

// AddNotifications stores notifications — events, or reminders with a
// dedupe key, of which one already stored is skipped — and returns how
// many it stored. Sending is the server's work: FORBIDDEN for users.
func (s *Store) AddNotifications(ctx context.Context, p *authz.Principal, notes []*models.Notification) (int64, error) {
	if !p.IsSystem() {
		return 0, models.E(models.CodeForbidden, "only the server sends notifications")
	}
	var n int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		n, err = insertNotesCounted(tx, notes)
		return err
	})
	return n, err
}

// Notifications pages through p's own notifications, newest first;
// unreadOnly leaves out those marked read.
func (s *Store) Notifications(ctx context.Context, p *authz.Principal, unreadOnly bool, page Page) ([]*models.Notification, PageInfo, error) {
	if _, err := reach(p, authz.Inbox); err != nil {
		return nil, PageInfo{}, err
	}
	n := page.First
	if n == 0 {
		n = DefaultPageSize
	}
	if n < 1 || n > MaxPageSize {
		return nil, PageInfo{}, models.E(models.CodeInvalid, "first must be between 1 and %d", MaxPageSize)
	}
	q := s.db.WithContext(ctx).Where("user_id = ?", p.UserID)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if page.After != "" {
		id, err := parseCursor(page.After)
		if err != nil {
			return nil, PageInfo{}, err
		}
		q = q.Where("id < ?", id)
	}
	var rows []*models.Notification
	if err := q.Order("id DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, PageInfo{}, mapErr(err)
	}
	rows, info := trim(rows, n, func(r *models.Notification) int64 { return r.ID })
	return rows, info, nil
}

// UnreadNotifications counts p's notifications not marked read.
func (s *Store) UnreadNotifications(ctx context.Context, p *authz.Principal) (int, error) {
	if _, err := reach(p, authz.Inbox); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Notification{}).Where("user_id = ? AND read_at IS NULL", p.UserID).Count(&n).Error
	return int(n), mapErr(err)
}

// MarkNotificationsRead marks p's notifications ids (all of them when all
// is set) read at at, and returns how many were unread. Ids of other users'
// notifications are ignored.
func (s *Store) MarkNotificationsRead(ctx context.Context, p *authz.Principal, ids []int64, all bool, at time.Time) (int, error) {
	if _, err := reach(p, authz.Inbox); err != nil {
		return 0, err
	}
	q := s.db.WithContext(ctx).Model(&models.Notification{}).Where("user_id = ? AND read_at IS NULL", p.UserID)
	if !all {
		if len(ids) == 0 {
			return 0, nil
		}
		q = q.Where("id IN ?", ids)
	}
	res := q.Update("read_at", at.UTC())
	return int(res.RowsAffected), mapErr(res.Error)
}

// IDRange is the ids lo…hi, both included.
type IDRange struct{ Lo, Hi int64 }

// NotificationsAfter returns up to limit notifications of every user with
// an id above after or inside one of ranges, in id order: what a server
// delivers to the subscriptions it holds. The server's own work:
// FORBIDDEN for users.
func (s *Store) NotificationsAfter(ctx context.Context, p *authz.Principal, after int64, ranges []IDRange, limit int) ([]*models.Notification, error) {
	if !p.IsSystem() {
		return nil, models.E(models.CodeForbidden, "only the server delivers notifications")
	}
	var where strings.Builder
	args := []any{after}
	where.WriteString("id > ?")
	for _, r := range ranges {
		where.WriteString(" OR id BETWEEN ? AND ?")
		args = append(args, r.Lo, r.Hi)
	}
	var rows []*models.Notification
	err := s.db.WithContext(ctx).Where(where.String(), args...).Order("id").Limit(limit).Find(&rows).Error
	return rows, mapErr(err)
}

// LatestNotificationID returns the largest notification id stored, 0 when
// none is.
func (s *Store) LatestNotificationID(ctx context.Context) (int64, error) {
	var id *int64
	if err := s.db.WithContext(ctx).Raw("SELECT MAX(id) FROM notifications").Row().Scan(&id); err != nil {
		return 0, mapErr(err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// UsersExist refuses (NOT_FOUND) unless every id names an account.
func (s *Store) UsersExist(ctx context.Context, ids []int64) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.User{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
		return mapErr(err)
	}
	if int(n) != len(uniq(ids)) {
		return models.E(models.CodeNotFound, "no such user among %v", ids)
	}
	return nil
}

func uniq(ids []int64) map[int64]bool {
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// TakeLease takes or renews the lease name for holder until ttl from now,
// unless another holder's lease runs; it reports whether holder holds it.
// Leases only spare servers duplicate work: what they guard must be safe
// when two servers run it at once.
func (s *Store) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	db := s.db.WithContext(ctx)
	if err := db.Exec(s.ignore()+" INTO leases (name, holder, expires_at) VALUES (?, '', ?)", name, now.Add(-time.Second)).Error; err != nil {
		return false, mapErr(err)
	}
	err := db.Exec("UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)",
		holder, now.Add(ttl), name, holder, now).Error
	if err != nil {
		return false, mapErr(err)
	}
	var cur string
	if err := db.Raw("SELECT holder FROM leases WHERE name = ?", name).Row().Scan(&cur); err != nil {
		return false, mapErr(err)
	}
	return cur == holder, nil
}

// ReleaseLease ends holder's lease name, so another server may take it at
// once; it does nothing when holder does not hold it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	past := s.now().UTC().Add(-time.Second)
	err := s.db.WithContext(ctx).Exec("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?", past, name, holder).Error
	if err != nil {
		return mapErr(fmt.Errorf("release lease %s: %w", name, err))
	}
	return nil
}
