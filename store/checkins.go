package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/models"
)

// Prior is what a new check-in is judged against: the cadre's bound device,
// its previous fix by device time, and whether an identical fix (same WGS-84
// coordinates and accuracy) was sent before. It is read inside the
// recording transaction, after the cadre's row lock, so concurrent
// check-ins of one cadre see each other.
type Prior struct {
	BoundDevice string               // "" when the cadre has no bound device
	Assignments []*models.Assignment // in force on the check-in's LocalDate
	Previous    *models.CheckIn      // ID, WGSLat, WGSLon, AccuracyM and DeviceTime only
	Repeated    bool
}

// NewCheckIn is a judged check-in ready to store: the row (with the
// regions it was located against) and the regions whose day it counts
// toward (empty when it does not count).
type NewCheckIn struct {
	Row      *models.CheckIn
	CountsAt []int64
}

// DayRule decides whether a day's aggregate counts (the policy's day rule).
type DayRule func(accepted int, first, last time.Time) bool

// Recorded is what RecordCheckIn stored, or found stored under the same
// client id (Replayed), with the presence day at the check-in's region
// (nil when it lies in no region).
type Recorded struct {
	CheckIn  *models.CheckIn
	Day      *models.PresenceDay
	Replayed bool
	// Review is a replayed check-in's review as the batch read it, under
	// the cadre's lock (nil: none yet). A new check-in has none.
	Review *models.Review
}

// RecordCheckIn stores one check-in of userID in one transaction: it locks
// the cadre's row (reading its bound device), calls judge with the Prior
// facts, inserts the check-in (with its located regions), and adds it to the
// presence day of every region in CountsAt. If (userID, clientID) already
// exists nothing is written and the stored original comes back as Replayed.
// The caller acknowledges only after this returns nil: the commit has
// happened. An error from judge is returned as is; database failures are
// UNAVAILABLE or INTERNAL; nothing is half-written. It is a group-commit
// batch of one (batch_tx.go): the same statements, whether or not a
// CheckInWriter is in use.
func (s *Store) RecordCheckIn(ctx context.Context, userID int64, probe models.CheckIn, rule DayRule, judge func(Prior) (*NewCheckIn, error)) (*Recorded, error) {
	res, err := s.recordBatch(ctx, []*writeItem{{ctx: ctx, userID: userID, probe: probe, judge: judge}}, rule, nil, nil)
	if isDuplicate(err) { // a twin committed first (the batch found none): answer with it
		return s.replay(ctx, userID, probe.ClientID)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return res[0].rec, res[0].err
}

// replay answers a check-in a twin stored first: the stored row, its
// review if any, and the day at its region.
func (s *Store) replay(ctx context.Context, userID int64, clientID string) (*Recorded, error) {
	c, err := s.CheckInByClientID(ctx, userID, clientID)
	if err != nil {
		return nil, err
	}
	out := &Recorded{CheckIn: c, Replayed: true}
	var rv models.Review // a replay carries its review, as the batch's replays do (the answer's status reads it)
	if err := s.db.WithContext(ctx).Where("check_in_id = ?", c.ID).Limit(1).Find(&rv).Error; err != nil {
		return nil, mapErr(err)
	}
	if rv.ID != 0 {
		out.Review = &rv
	}
	if c.RegionID != nil {
		out.Day, err = day(s.db.WithContext(ctx), userID, *c.RegionID, c.LocalDate)
	}
	return out, mapErr(err)
}

// addToDay adds one counting check-in at time at to the (user, region, date)
// aggregate. Callers hold the cadre's lock, so read-modify-write is safe.
func addToDay(tx *gorm.DB, userID, regionID int64, date string, at time.Time, rule DayRule) (*models.PresenceDay, error) {
	var d models.PresenceDay
	err := tx.Where("user_id = ? AND date = ? AND region_id = ?", userID, date, regionID).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		d = models.PresenceDay{UserID: userID, Date: date, RegionID: regionID}
		count(&d, at, rule)
		return &d, tx.Create(&d).Error
	}
	if err != nil {
		return nil, err
	}
	count(&d, at, rule)
	return &d, tx.Model(&d).Select("accepted", "first_at", "last_at", "counted").Updates(&d).Error
}

// count adds one counting check-in at time at to day d, in memory: one
// more accepted, the first and last times widened, the day rule applied.
func count(d *models.PresenceDay, at time.Time, rule DayRule) {
	at = at.UTC()
	if d.Accepted == 0 || at.Before(d.FirstAt) {
		d.FirstAt = at
	}
	if d.Accepted == 0 || at.After(d.LastAt) {
		d.LastAt = at
	}
	d.Accepted++
	d.Counted = rule(d.Accepted, d.FirstAt, d.LastAt)
}

// day reads one presence aggregate, or a zero day when there is none.
func day(db *gorm.DB, userID, regionID int64, date string) (*models.PresenceDay, error) {
	var d models.PresenceDay
	err := db.Where("user_id = ? AND date = ? AND region_id = ?", userID, date, regionID).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &models.PresenceDay{UserID: userID, RegionID: regionID, Date: date}, nil
	}
	return &d, err
}

// ownerScope refuses unless p may apply op to the records of userID: the
// user must be within p's reach (self, subtree or all). NOT_FOUND for an
// unknown or unreachable user.
func (s *Store) ownerScope(ctx context.Context, p *auth.Principal, op Op, userID int64) error {
	scope, err := s.userScope(ctx, p, op)
	if err != nil {
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.User{}).Scopes(scope).Where("users.id = ?", userID).Count(&n).Error; err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return notFound("user", userID)
	}
	return nil
}

// Days returns a cadre's presence days with dates in [first, last], for
// callers that may read the cadre's check-ins (NOT_FOUND otherwise).
func (s *Store) Days(ctx context.Context, p *auth.Principal, userID int64, first, last string) ([]*models.PresenceDay, error) {
	if err := s.ownerScope(ctx, p, OpReadCheckIns, userID); err != nil {
		return nil, err
	}
	var rows []*models.PresenceDay
	err := s.db.WithContext(ctx).Where("user_id = ? AND date >= ? AND date <= ?", userID, first, last).
		Order("date, region_id").Find(&rows).Error
	return rows, mapErr(err)
}

// CheckInByClientID returns a cadre's check-in with that client id, or
// NOT_FOUND. No authorization: the check-in service asks for the signed-in
// cadre's own.
func (s *Store) CheckInByClientID(ctx context.Context, userID int64, clientID string) (*models.CheckIn, error) {
	var c models.CheckIn
	if err := s.db.WithContext(ctx).Where("user_id = ? AND client_id = ?", userID, clientID).Take(&c).Error; err != nil {
		return nil, notFoundOr(err, "check-in", clientID)
	}
	return &c, nil
}

// CountCheckIns returns how many check-ins userID has stored (audits and
// tests; no authorization).
func (s *Store) CountCheckIns(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.CheckIn{}).Where("user_id = ?", userID).Count(&n).Error
	return n, mapErr(err)
}

// lockUser serialises the writes of one cadre (a review and a check-in of
// the same cadre touch the same days). SQLite needs nothing: its
// transactions are IMMEDIATE, one writer at a time.
func (s *Store) lockUser(tx *gorm.DB, userID int64) error {
	if s.driver != DriverMySQL {
		return nil
	}
	var id int64
	return tx.Model(&models.User{}).Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Where("id = ?", userID).Scan(&id).Error
}
