package store

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// ActivityTx is the transaction recording one cadre's activities: it holds
// the cadre's row lock from BeginActivities to Commit or Rollback
// (Rollback after Commit does nothing, so callers defer it).
type ActivityTx struct {
	tx   *gorm.DB
	done bool
}

// ActivityPrior is what recording a cadre's activities is judged against.
type ActivityPrior struct {
	BoundDevice string                      // "" when the cadre has no bound device
	Stored      map[string]*models.Activity // by client id: activities already stored under the ids asked for (resends)
	Interviewee map[int64]*models.Interviewee
	Corrected   map[int64]*models.Activity // by id: the cadre's activities named as corrected
}

// NewActivity is an activity ready to store with its parts and its ledger
// leaf (of the activity with its photos).
type NewActivity struct {
	Activity    *models.Activity
	Interviewee *models.Interviewee // interviews only
	Needs       []*models.Need
	Photos      []*models.ActivityPhoto
	Leaf        models.Leaf
}

// BeginActivities begins the transaction of cadre p's activities with the
// given client ids: it locks the cadre's row and reads its bound device,
// the activities already stored under those ids (with their
// interviewees, for the answer to a resend), and the cadre's activities
// named in corrects. FORBIDDEN unless p may record activities;
// UNAVAILABLE when the database fails.
func (s *Store) BeginActivities(ctx context.Context, p *authz.Principal, clientIDs []string, corrects []int64) (*ActivityTx, *ActivityPrior, error) {
	if _, err := reach(p, authz.RecordActivity); err != nil {
		return nil, nil, err
	}
	tx := s.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		return nil, nil, mapErr(tx.Error)
	}
	t := &ActivityTx{tx: tx}
	prior, err := s.activityPrior(tx, p.UserID, clientIDs, corrects)
	if err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	return t, prior, nil
}

func (s *Store) activityPrior(tx *gorm.DB, userID int64, clientIDs []string, corrects []int64) (*ActivityPrior, error) {
	q := tx.Model(&models.User{}).Select("users.id")
	if s.driver == DriverMySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var id int64
	if err := q.Where("users.id = ?", userID).Scan(&id).Error; err != nil {
		return nil, err
	}
	prior := &ActivityPrior{Stored: map[string]*models.Activity{}, Interviewee: map[int64]*models.Interviewee{},
		Corrected: map[int64]*models.Activity{}}
	var dev models.Device
	if err := tx.Where("active_user_id = ?", userID).Limit(1).Find(&dev).Error; err != nil {
		return nil, err
	}
	prior.BoundDevice = dev.DeviceID
	var stored []*models.Activity
	if len(clientIDs) > 0 {
		if err := tx.Where("user_id = ? AND client_id IN ?", userID, clientIDs).Find(&stored).Error; err != nil {
			return nil, err
		}
	}
	ids := make([]int64, 0, len(stored))
	for _, a := range stored {
		prior.Stored[a.ClientID] = a
		ids = append(ids, a.ID)
	}
	if len(ids) > 0 {
		var ivs []*models.Interviewee
		if err := tx.Where("activity_id IN ?", ids).Find(&ivs).Error; err != nil {
			return nil, err
		}
		for _, iv := range ivs {
			prior.Interviewee[iv.ActivityID] = iv
		}
	}
	if len(corrects) > 0 {
		var olds []*models.Activity
		if err := tx.Where("user_id = ? AND id IN ?", userID, corrects).Find(&olds).Error; err != nil {
			return nil, err
		}
		for _, a := range olds {
			prior.Corrected[a.ID] = a
		}
	}
	return prior, nil
}

// Commit stores the activities with their parts and their ledger leaves
// and commits, setting the rows' ids. CONFLICT for a duplicate client id
// (a twin committed first), UNAVAILABLE when the database fails; nothing
// is stored then.
func (t *ActivityTx) Commit(news []NewActivity) error {
	err := func() error {
		leaves := make([]models.Leaf, 0, len(news))
		users := make([]int64, 0, len(news))
		for _, n := range news {
			leaves = append(leaves, n.Leaf)
			users = append(users, n.Activity.UserID)
			if err := t.tx.Create(n.Activity).Error; err != nil {
				return err
			}
			if n.Interviewee != nil {
				n.Interviewee.ActivityID = n.Activity.ID
				if err := t.tx.Create(n.Interviewee).Error; err != nil {
					return err
				}
			}
			for _, need := range n.Needs {
				need.ActivityID = n.Activity.ID
			}
			if len(n.Needs) > 0 {
				if err := t.tx.Create(&n.Needs).Error; err != nil {
					return err
				}
			}
			for _, ph := range n.Photos {
				ph.ActivityID = n.Activity.ID
			}
			if len(n.Photos) > 0 {
				if err := t.tx.Create(&n.Photos).Error; err != nil {
					return err
				}
			}
		}
		if err := touchFacts(t.tx, users...); err != nil {
			return err
		}
		if err := writeLeaves(t.tx, leaves); err != nil {
			return err
		}
		return t.tx.Commit().Error
	}()
	t.done = true
	if err != nil {
		t.tx.Rollback()
	}
	return mapErr(err)
}

// Rollback ends the transaction without storing anything, unless it has
// ended already.
func (t *ActivityTx) Rollback() {
	if !t.done {
		t.done = true
		t.tx.Rollback()
	}
}

// ActivityFilter narrows Activities.
type ActivityFilter struct {
	UserID    *int64
	UserIDs   []int64 // any of these cadres, when set
	OrgUnitID *int64  // cadres of this unit's subtree
	Kind      *models.ActivityKind
	From, To  string // LocalDate in [From, To], when set
	Pending   bool   // only those waiting for a ruling
}

// Activities pages through the activities p may read, newest first by id.
func (s *Store) Activities(ctx context.Context, p *authz.Principal, f ActivityFilter, page Page) ([]*models.Activity, PageInfo, error) {
	q, err := s.activityQuery(ctx, p, f)
	if err != nil {
		return nil, PageInfo{}, err
	}
	return list(q, "activities", page, func(a *models.Activity) int64 { return a.ID })
}

// AllActivities returns every activity p may read matching f (no paging),
// for counting a period. INVALID for a filter without a period.
func (s *Store) AllActivities(ctx context.Context, p *authz.Principal, f ActivityFilter) ([]*models.Activity, error) {
	if f.From == "" || f.To == "" {
		return nil, models.E(models.CodeInvalid, "counting activities needs a period")
	}
	q, err := s.activityQuery(ctx, p, f)
	if err != nil {
		return nil, err
	}
	var rows []*models.Activity
	return rows, mapErr(q.Order("activities.id").Find(&rows).Error)
}

func (s *Store) activityQuery(ctx context.Context, p *authz.Principal, f ActivityFilter) (*gorm.DB, error) {
	scope, err := s.userScope(ctx, p, authz.ReadActivities)
	if err != nil {
		return nil, err
	}
	users := s.db.Model(&models.User{}).Select("users.id").Scopes(scope)
	if f.UserIDs != nil {
		// Also inside: MariaDB then reads the activities of these users,
		// not of every user in scope.
		users = users.Where("users.id IN ?", f.UserIDs)
	}
	if f.OrgUnitID != nil {
		var unit models.OrgUnit
		if err := s.db.WithContext(ctx).Select("path").First(&unit, *f.OrgUnitID).Error; err != nil {
			return nil, notFoundOr(err, "org unit", *f.OrgUnitID)
		}
		users = users.Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path)))
	}
	q := s.db.WithContext(ctx).Model(&models.Activity{}).Where("activities.user_id IN (?)", users)
	if f.UserID != nil {
		q = q.Where("activities.user_id = ?", *f.UserID)
	}
	if f.UserIDs != nil {
		q = q.Where("activities.user_id IN ?", f.UserIDs)
	}
	if f.Kind != nil {
		q = q.Where("activities.kind = ?", *f.Kind)
	}
	if f.From != "" {
		q = q.Where("activities.local_date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("activities.local_date <= ?", f.To)
	}
	if f.Pending {
		q = q.Where("activities.status = ? AND activities.id NOT IN (SELECT activity_id FROM activity_reviews)", models.ActivityPending)
	}
	return q, nil
}

// ActivityFacts is what deciding whether activities count needs besides
// the rows: their rulings, which of them a later activity corrects, and
// the cadres' days at the keys asked for.
type ActivityFacts struct {
	Reviews     map[int64]*models.ActivityReview // by activity id: the latest ruling
	CorrectedBy map[int64]int64                  // activity id → the latest activity correcting it
	Days        map[DayKey]models.PresenceDay    // empty aggregates where none is stored
}

// ActivityFacts reads the facts of acts (which p has read) and the days of
// keys, in three statements whatever their number. The days are those of
// the activities' cadres only.
func (s *Store) ActivityFacts(ctx context.Context, p *authz.Principal, acts []*models.Activity, keys []DayKey) (*ActivityFacts, error) {
	if _, err := reach(p, authz.ReadActivities); err != nil {
		return nil, err
	}
	out := &ActivityFacts{Reviews: map[int64]*models.ActivityReview{}, CorrectedBy: map[int64]int64{}, Days: map[DayKey]models.PresenceDay{}}
	if len(acts) == 0 {
		return out, nil
	}
	db := s.db.WithContext(ctx)
	ids := make([]int64, len(acts))
	users := map[int64]bool{}
	for i, a := range acts {
		ids[i] = a.ID
		users[a.UserID] = true
	}
	for chunk := range chunks(ids, 1000) {
		var revs []*models.ActivityReview
		if err := db.Where("activity_id IN ?", chunk).Order("activity_id, seq").Find(&revs).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, r := range revs { // the latest of each, by seq, last
			out.Reviews[r.ActivityID] = r
		}
		var corr []struct {
			ID       int64
			Corrects int64
		}
		if err := db.Model(&models.Activity{}).Select("id, corrects").Where("corrects IN ?", chunk).Order("id").Scan(&corr).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, c := range corr {
			out.CorrectedBy[c.Corrects] = c.ID
		}
	}
	var wanted []DayKey
	for _, k := range keys {
		if users[k.UserID] {
			wanted = append(wanted, k)
		}
		out.Days[k] = models.PresenceDay{UserID: k.UserID, Date: k.Date, RegionID: k.RegionID}
	}
	for chunk := range chunks(wanted, 300) {
		args := make([]any, 0, 3*len(chunk))
		for _, k := range chunk {
			args = append(args, k.UserID, k.Date, k.RegionID)
		}
		var days []models.PresenceDay
		err := db.Where("(user_id, date, region_id) IN "+tuples(len(chunk), 3), args...).Find(&days).Error
		if err != nil {
			return nil, mapErr(err)
		}
		for _, d := range days {
			out.Days[DayKey{d.UserID, d.Date, d.RegionID}] = d
		}
	}
	return out, nil
}

// chunks yields xs in runs of at most n.
func chunks[T any](xs []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(xs) > 0 {
			k := min(n, len(xs))
			if !yield(xs[:k]) {
				return
			}
			xs = xs[k:]
		}
	}
}

// ActivityParts are the parts of several activities, by activity id.
type ActivityParts struct {
	Interviewees map[int64]*models.Interviewee
	Needs        map[int64][]*models.Need
	Photos       map[int64][]*models.ActivityPhoto
}

// ActivityParts reads the interviewees, needs and photos of activities p
// may read (a data-loader batch); others are absent.
func (s *Store) ActivityParts(ctx context.Context, p *authz.Principal, ids []int64) (*ActivityParts, error) {
	q, err := s.activityQuery(ctx, p, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	visible := q.Select("activities.id").Where("activities.id IN ?", ids)
	db := s.db.WithContext(ctx)
	out := &ActivityParts{Interviewees: map[int64]*models.Interviewee{}, Needs: map[int64][]*models.Need{}, Photos: map[int64][]*models.ActivityPhoto{}}
	var ivs []*models.Interviewee
	if err := db.Where("activity_id IN (?)", visible).Find(&ivs).Error; err != nil {
		return nil, mapErr(err)
	}
	for _, iv := range ivs {
		out.Interviewees[iv.ActivityID] = iv
	}
	var needs []*models.Need
	if err := db.Where("activity_id IN (?)", visible).Order("id").Find(&needs).Error; err != nil {
		return nil, mapErr(err)
	}
	for _, n := range needs {
		out.Needs[n.ActivityID] = append(out.Needs[n.ActivityID], n)
	}
	var photos []*models.ActivityPhoto
	if err := db.Where("activity_id IN (?)", visible).Order("activity_id, position").Find(&photos).Error; err != nil {
		return nil, mapErr(err)
	}
	for _, ph := range photos {
		out.Photos[ph.ActivityID] = append(out.Photos[ph.ActivityID], ph)
	}
	return out, nil
}

// ActivitiesByID loads activities p may read (a data-loader batch).
func (s *Store) ActivitiesByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.Activity, error) {
	q, err := s.activityQuery(ctx, p, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	var rows []*models.Activity
	if err := q.Where("activities.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(a *models.Activity) int64 { return a.ID }), nil
}

// PhotoOwner returns the activity a photo hash belongs to among those p may
// read, for serving the photo; NOT_FOUND when none.
func (s *Store) PhotoOwner(ctx context.Context, p *authz.Principal, sha256 string) (*models.Activity, *models.ActivityPhoto, error) {
	q, err := s.activityQuery(ctx, p, ActivityFilter{})
	if err != nil {
		return nil, nil, err
	}
	var ph models.ActivityPhoto
	err = s.db.WithContext(ctx).Where("sha256 = ? AND activity_id IN (?)", sha256, q.Select("activities.id")).
		Order("id").Take(&ph).Error
	if err != nil {
		return nil, nil, notFoundOr(err, "photo", sha256)
	}
	var a models.Activity
	if err := s.db.WithContext(ctx).First(&a, ph.ActivityID).Error; err != nil {
		return nil, nil, mapErr(err)
	}
	return &a, &ph, nil
}

// ReviewActivity stores p's ruling on a PENDING activity with its ledger
// leaf; rev is p's (ReviewerID). Refusals: FORBIDDEN outside the
// reviewer's reach, for one's own activity or for a ruling not made out
// to p; NOT_FOUND for an unknown id; CONFLICT when it is not PENDING or is
// already ruled on.
func (s *Store) ReviewActivity(ctx context.Context, p *authz.Principal, rev *models.ActivityReview, leaf models.Leaf) error {
	if _, err := reach(p, authz.ReviewActivity); err != nil {
		return err
	}
	if rev.ReviewerID != p.UserID {
		return models.E(models.CodeForbidden, "a ruling is made out to its reviewer")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var a models.Activity
		if err := tx.First(&a, rev.ActivityID).Error; err != nil {
			return notFoundOr(err, "activity", rev.ActivityID)
		}
		if a.UserID == p.UserID {
			return models.E(models.CodeForbidden, "nobody reviews their own activities")
		}
		var owner models.User
		if err := tx.Select("org_unit_id").First(&owner, a.UserID).Error; err != nil {
			return err
		}
		if err := s.checkUnit(tx, p, authz.ReviewActivity, owner.OrgUnitID); err != nil {
			return err
		}
		if a.Status != models.ActivityPending {
			return models.E(models.CodeConflict, "activity %d is %s; only PENDING activities are reviewed (overturnActivity supersedes a ruling)", a.ID, a.Status)
		}
		rev.ReviewerID, rev.Seq = p.UserID, 1
		if err := tx.Create(rev).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "activity %d has already been reviewed (overturnActivity supersedes a ruling)", a.ID)
			}
			return err
		}
		if err := touchFacts(tx, a.UserID); err != nil {
			return err
		}
		return writeLeaves(tx, []models.Leaf{leaf})
	})
}

// Interviewee returns an interviewee of an activity p may read; NOT_FOUND
// otherwise.
func (s *Store) Interviewee(ctx context.Context, p *authz.Principal, id int64) (*models.Interviewee, *models.Activity, error) {
	var iv models.Interviewee
	if err := s.db.WithContext(ctx).First(&iv, id).Error; err != nil {
		return nil, nil, notFoundOr(err, "interviewee", id)
	}
	acts, err := s.ActivitiesByID(ctx, p, []int64{iv.ActivityID})
	if err != nil {
		return nil, nil, err
	}
	a := acts[iv.ActivityID]
	if a == nil {
		return nil, nil, notFound("interviewee", id)
	}
	return &iv, a, nil
}

// RecordReveal stores that p saw an interviewee's contact in clear, and
// why (rev, made out to p, with its ledger leaf), with its entry in the
// security audit log, and returns the interviewee with its ciphertext.
// Only roles with authz.RevealContact (FORBIDDEN otherwise, and for a
// reveal made out to another); NOT_FOUND for an unknown interviewee;
// CONFLICT when there is no contact to reveal (none recorded, or erased).
func (s *Store) RecordReveal(ctx context.Context, p *authz.Principal, rev *models.ContactReveal, leaf models.Leaf) (*models.Interviewee, error) {
	if _, err := reach(p, authz.RevealContact); err != nil {
		return nil, err
	}
	if rev.ActorID != p.UserID {
		return nil, models.E(models.CodeForbidden, "a reveal is made out to who sees the contact")
	}
	var iv models.Interviewee
	err := s.auditedTx(ctx, p, func(tx *gorm.DB, audit func(AuditEvent) error) error {
		if err := tx.First(&iv, rev.IntervieweeID).Error; err != nil {
			return notFoundOr(err, "interviewee", rev.IntervieweeID)
		}
		if iv.PhoneCipher == "" {
			return models.E(models.CodeConflict, "interviewee %d has no contact to reveal", rev.IntervieweeID)
		}
		if err := tx.Create(rev).Error; err != nil {
			return err
		}
		if err := writeLeaves(tx, []models.Leaf{leaf}); err != nil {
			return err
		}
		return audit(AuditEvent{Action: models.AuditContactReveal, TargetType: "interviewee",
			TargetID: strconv.FormatInt(rev.IntervieweeID, 10), Detail: rev.Reason, Outcome: models.AuditSuccess})
	})
	if err != nil {
		return nil, err
	}
	return &iv, nil
}

// ContactRevealsOf loads the reveals of each interviewee whose activity p
// may read (a data-loader batch), oldest first.
func (s *Store) ContactRevealsOf(ctx context.Context, p *authz.Principal, intervieweeIDs []int64) (map[int64][]*models.ContactReveal, error) {
	acts, err := s.activityQuery(ctx, p, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	visible := s.db.Model(&models.Interviewee{}).Select("interviewees.id").Where("interviewees.activity_id IN (?)", acts.Select("activities.id"))
	var rows []*models.ContactReveal
	err = s.db.WithContext(ctx).Where("interviewee_id IN ? AND interviewee_id IN (?)", intervieweeIDs, visible).Order("id").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.ContactReveal{}
	for _, r := range rows {
		out[r.IntervieweeID] = append(out[r.IntervieweeID], r)
	}
	return out, nil
}

// EraseContacts erases the contact fields of interviewees whose interview
// took place before cutoff, keeping the activity and the rest of the
// interviewee, and returns how many it erased. The system principal only.
func (s *Store) EraseContacts(ctx context.Context, p *authz.Principal, cutoff time.Time) (int64, error) {
	if !p.IsSystem() {
		return 0, models.E(models.CodeForbidden, "only the server erases contacts")
	}
	old := s.db.Model(&models.Activity{}).Select("id").Where("occurred_at < ?", cutoff.UTC())
	res := s.db.WithContext(ctx).Model(&models.Interviewee{}).
		Where("phone_cipher <> '' AND activity_id IN (?)", old).
		Updates(map[string]any{"phone_cipher": "", "phone_masked": "", "erased_at": s.now().UTC()})
	return res.RowsAffected, mapErr(res.Error)
}

// FollowUpCounts counts the cases of each of users (whose activities p may
// read) by status.
func (s *Store) FollowUpCounts(ctx context.Context, p *authz.Principal, users []int64) (map[int64]map[models.FollowUpStatus]int, error) {
	out := map[int64]map[models.FollowUpStatus]int{}
	if len(users) == 0 {
		return out, nil
	}
	scope, err := s.userScope(ctx, p, authz.ReadActivities)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		UserID int64
		Status models.FollowUpStatus
		N      int
	}
	err = s.db.WithContext(ctx).Model(&models.FollowUp{}).Select("user_id, status, COUNT(*) AS n").
		Where("user_id IN ? AND user_id IN (?)", users, s.db.Model(&models.User{}).Select("users.id").Scopes(scope)).
		Group("user_id, status").Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	for _, r := range rows {
		if out[r.UserID] == nil {
			out[r.UserID] = map[models.FollowUpStatus]int{}
		}
		out[r.UserID][r.Status] = r.N
	}
	return out, nil
}
