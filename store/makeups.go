package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// MakeUpPrior is what a new make-up request is judged against, read under
// the cadre's lock.
type MakeUpPrior struct {
	BoundDevice string                 // "" when the cadre has no bound device
	Stored      *models.MakeUp         // the request stored under the client id before (a resend), if any
	Open        []*models.MakeUp       // the cadre's requests for the same day and region not refused
	Assignments []*models.Assignment   // the cadre's assignments in force on the day
	Day         models.PresenceDay     // the cadre's day at the region; an empty aggregate when none
	Decision    *models.MakeUpDecision // Stored's decision, if any
}

// BeginMakeUp begins the transaction of cadre p's make-up request under
// clientID for date at regionID: it locks the cadre's row and reads the
// prior. FORBIDDEN unless p may request make-ups; UNAVAILABLE when the
// database fails.
func (s *Store) BeginMakeUp(ctx context.Context, p *authz.Principal, clientID, date string, regionID int64) (*RecordTx, *MakeUpPrior, error) {
	if _, err := reach(p, authz.RequestMakeUp); err != nil {
		return nil, nil, err
	}
	t, err := s.beginRecord(ctx, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	prior, err := t.makeUpPrior(p.UserID, clientID, date, regionID)
	if err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	return t, prior, nil
}

func (t *RecordTx) makeUpPrior(userID int64, clientID, date string, regionID int64) (*MakeUpPrior, error) {
	tx := t.tx
	prior := &MakeUpPrior{}
	var dev models.Device
	if err := tx.Where("active_user_id = ?", userID).Limit(1).Find(&dev).Error; err != nil {
		return nil, err
	}
	prior.BoundDevice = dev.DeviceID
	var stored []*models.MakeUp
	if err := tx.Where("user_id = ? AND client_id = ?", userID, clientID).Find(&stored).Error; err != nil {
		return nil, err
	}
	if len(stored) > 0 {
		prior.Stored = stored[0]
		var decs []*models.MakeUpDecision
		if err := tx.Where("make_up_id = ?", prior.Stored.ID).Find(&decs).Error; err != nil {
			return nil, err
		}
		if len(decs) > 0 {
			prior.Decision = decs[0]
		}
		return prior, nil
	}
	err := tx.Where("user_id = ? AND date = ? AND region_id = ?", userID, date, regionID).
		Where("id NOT IN (SELECT make_up_id FROM make_up_decisions WHERE decision = ?)", models.MakeUpRefuse).
		Order("id").Find(&prior.Open).Error
	if err != nil {
		return nil, err
	}
	if err := overlapping(tx, date, date).Where("assignments.user_id = ?", userID).Order("id").Find(&prior.Assignments).Error; err != nil {
		return nil, err
	}
	prior.Day, err = t.Day(DayKey{UserID: userID, Date: date, RegionID: regionID})
	return prior, err
}

// BeginMakeUpDecision begins the transaction of p's decision on make-up
// request id: it checks that p may decide it, locks the cadre's row and
// returns the request and its decision when it has one already.
// FORBIDDEN outside the decider's reach or for one's own request;
// NOT_FOUND for an unknown request.
func (s *Store) BeginMakeUpDecision(ctx context.Context, p *authz.Principal, id int64) (*RecordTx, *models.MakeUp, *models.MakeUpDecision, error) {
	if _, err := reach(p, authz.DecideMakeUp); err != nil {
		return nil, nil, nil, err
	}
	var m models.MakeUp
	if err := s.db.WithContext(ctx).First(&m, id).Error; err != nil {
		return nil, nil, nil, notFoundOr(err, "make-up request", id)
	}
	if _, err := s.ownerInReach(ctx, p, authz.DecideMakeUp, m.UserID, "make-up requests"); err != nil {
		return nil, nil, nil, err
	}
	t, err := s.beginRecord(ctx, m.UserID)
	if err != nil {
		return nil, nil, nil, err
	}
	var decs []*models.MakeUpDecision
	if err := t.tx.Where("make_up_id = ?", m.ID).Find(&decs).Error; err != nil {
		t.Rollback()
		return nil, nil, nil, mapErr(err)
	}
	var dec *models.MakeUpDecision
	if len(decs) > 0 {
		dec = decs[0]
	}
	return t, &m, dec, nil
}

// ApprovedMakeUps counts the cadre's approved make-up requests for dates
// in [first, last], read under its lock.
func (t *RecordTx) ApprovedMakeUps(userID int64, first, last string) (int, error) {
	var n int64
	err := t.tx.Model(&models.MakeUp{}).Where("user_id = ? AND date >= ? AND date <= ?", userID, first, last).
		Where("id IN (SELECT make_up_id FROM make_up_decisions WHERE decision = ?)", models.MakeUpApprove).Count(&n).Error
	return int(n), mapErr(err)
}

// MakeUpFilter narrows MakeUps.
type MakeUpFilter struct {
	UserID   *int64
	Status   *models.MakeUpStatus
	From, To string // Date in [From, To], when set
}

// MakeUps pages through the make-up requests p may read (authz.ReadMakeUps:
// a cadre its own, a supervisor its subtree's, the discipline group and
// admins all), in id order. INVALID for an unknown status or a bad page.
func (s *Store) MakeUps(ctx context.Context, p *authz.Principal, f MakeUpFilter, page Page) ([]*models.MakeUp, PageInfo, error) {
	q, err := s.makeUpQuery(ctx, p)
	if err != nil {
		return nil, PageInfo{}, err
	}
	if f.UserID != nil {
		q = q.Where("make_ups.user_id = ?", *f.UserID)
	}
	if f.From != "" {
		q = q.Where("make_ups.date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("make_ups.date <= ?", f.To)
	}
	if f.Status != nil {
		decided := "make_ups.id IN (SELECT make_up_id FROM make_up_decisions WHERE decision = ?)"
		switch *f.Status {
		case models.MakeUpPending:
			q = q.Where("make_ups.id NOT IN (SELECT make_up_id FROM make_up_decisions)")
		case models.MakeUpApproved:
			q = q.Where(decided, models.MakeUpApprove)
		case models.MakeUpRefused:
			q = q.Where(decided, models.MakeUpRefuse)
		default:
			return nil, PageInfo{}, models.E(models.CodeInvalid, "unknown make-up status %q", *f.Status)
		}
	}
	return list(q, "make_ups", page, func(m *models.MakeUp) int64 { return m.ID })
}

func (s *Store) makeUpQuery(ctx context.Context, p *authz.Principal) (*gorm.DB, error) {
	scope, err := s.userScope(ctx, p, authz.ReadMakeUps)
	if err != nil {
		return nil, err
	}
	return s.db.WithContext(ctx).Model(&models.MakeUp{}).
		Where("make_ups.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope)), nil
}

// MakeUpsByID loads make-up requests p may read (a data-loader batch).
func (s *Store) MakeUpsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.MakeUp, error) {
	q, err := s.makeUpQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.MakeUp
	if err := q.Where("make_ups.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(m *models.MakeUp) int64 { return m.ID }), nil
}

// MakeUpParts are the photos and decisions of several requests, by id.
type MakeUpParts struct {
	Photos    map[int64][]*models.MakeUpPhoto
	Decisions map[int64]*models.MakeUpDecision
}

// MakeUpParts reads the photos and decisions of requests p may read (a
// data-loader batch); others are absent.
func (s *Store) MakeUpParts(ctx context.Context, p *authz.Principal, ids []int64) (*MakeUpParts, error) {
	q, err := s.makeUpQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	visible := q.Select("make_ups.id").Where("make_ups.id IN ?", ids)
	db := s.db.WithContext(ctx)
	out := &MakeUpParts{Photos: map[int64][]*models.MakeUpPhoto{}, Decisions: map[int64]*models.MakeUpDecision{}}
	var photos []*models.MakeUpPhoto
	if err := db.Where("make_up_id IN (?)", visible).Order("make_up_id, position").Find(&photos).Error; err != nil {
		return nil, mapErr(err)
	}
	for _, ph := range photos {
		out.Photos[ph.MakeUpID] = append(out.Photos[ph.MakeUpID], ph)
	}
	var decs []*models.MakeUpDecision
	if err := db.Where("make_up_id IN (?)", visible).Find(&decs).Error; err != nil {
		return nil, mapErr(err)
	}
	for _, d := range decs {
		out.Decisions[d.MakeUpID] = d
	}
	return out, nil
}

// MakeUpPhotoOwner returns the request a photo hash belongs to among those
// p may read, for serving the photo; NOT_FOUND when none.
func (s *Store) MakeUpPhotoOwner(ctx context.Context, p *authz.Principal, sha256 string) (*models.MakeUp, *models.MakeUpPhoto, error) {
	q, err := s.makeUpQuery(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	var ph models.MakeUpPhoto
	err = s.db.WithContext(ctx).Where("sha256 = ? AND make_up_id IN (?)", sha256, q.Select("make_ups.id")).Order("id").Take(&ph).Error
	if err != nil {
		return nil, nil, notFoundOr(err, "photo", sha256)
	}
	var m models.MakeUp
	if err := s.db.WithContext(ctx).First(&m, ph.MakeUpID).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	return &m, &ph, nil
}
