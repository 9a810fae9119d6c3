package store

import (
	"context"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// Round names the cadres of a dispatch round (R9): those of an org unit's
// subtree with a DISPATCH assignment in force on some day of [From, To];
// with Groups, only those groups' assignments that ended within the
// period. SpokeFrom and SpokeTo bound the half year whose talks make a
// cadre no longer due.
type Round struct {
	OrgUnitID          int64
	From, To           string
	Groups             []int64
	SpokeFrom, SpokeTo string
	// AsOf, when set, reads the round as the records stood then:
	// assignments created by then, with the end they had then, and talks
	// recorded by then. Disabled accounts are then not told apart.
	AsOf *time.Time
}

// RoundCadre is a cadre of a round and whether it has spoken in the half
// year.
type RoundCadre struct {
	UserID int64
	Spoke  bool
}

// RoundCadres returns the cadres of a round in ascending id order, for p
// who may open seminars in the round's unit (FORBIDDEN otherwise;
// NOT_FOUND for an unknown unit or work group; INVALID for a malformed
// period).
func (s *Store) RoundCadres(ctx context.Context, p *authz.Principal, r Round) ([]RoundCadre, error) {
	if err := validPeriod("from", r.From, "to", r.To); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var unit models.OrgUnit
	if err := db.Select("id, path").First(&unit, r.OrgUnitID).Error; err != nil {
		return nil, notFoundOr(err, "org unit", r.OrgUnitID)
	}
	if err := s.checkUnit(db, p, authz.WriteSeminars, unit.ID); err != nil {
		return nil, err
	}
	if len(r.Groups) > 0 {
		var n int64
		if err := db.Model(&models.WorkGroup{}).Where("id IN ?", r.Groups).Count(&n).Error; err != nil {
			return nil, mapErr(err)
		}
		if int(n) != len(r.Groups) {
			return nil, models.E(models.CodeNotFound, "a work group of the round does not exist")
		}
	}
	q := db.Table("assignments a").Select("a.user_id, a.work_group_id, a.valid_to, a.ended_at").
		Joins("JOIN users u ON u.id = a.user_id").
		Where("a.purpose = ? AND a.valid_from <= ? AND u.org_unit_id IN (?)", models.PurposeDispatch, r.To,
			s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path)))
	if r.AsOf != nil {
		q = q.Where("a.created_at <= ?", r.AsOf.UTC())
	} else {
		q = q.Where("u.disabled = ?", false)
	}
	var rows []struct {
		UserID      int64
		WorkGroupID *int64
		ValidTo     string
		EndedAt     *time.Time
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	in := map[int64]bool{}
	for _, a := range rows {
		end := a.ValidTo
		if r.AsOf != nil && a.EndedAt != nil && a.EndedAt.After(*r.AsOf) {
			end = "" // ended later: open-ended as of then
		}
		if r.inRound(a.WorkGroupID, end) {
			in[a.UserID] = true
		}
	}
	ids := slices.Sorted(maps.Keys(in))
	spoke, err := s.spokeIn(db, ids, r.SpokeFrom, r.SpokeTo, r.AsOf)
	if err != nil {
		return nil, err
	}
	out := make([]RoundCadre, len(ids))
	for i, id := range ids {
		out[i] = RoundCadre{UserID: id, Spoke: spoke[id]}
	}
	return out, nil
}

// inRound reports whether a DISPATCH assignment that began by the
// round's end, of work group group (nil for none) and ending on end ("" if
// open-ended), is one of the round's: without groups, in force on some day
// of the period; with groups, one of those groups' that ended within it.
func (r Round) inRound(group *int64, end string) bool {
	if len(r.Groups) == 0 {
		return end == "" || end >= r.From
	}
	return group != nil && slices.Contains(r.Groups, *group) && end != "" && end >= r.From && end <= r.To
}

// spokeIn reports which of users gave a talk on a date in [from, to],
// recorded by asOf when set.
func (s *Store) spokeIn(db *gorm.DB, users []int64, from, to string, asOf *time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	for chunk := range chunks(users, 1000) {
		q := db.Model(&models.SeminarTalk{}).Distinct("speaker_id").
			Where("speaker_id IN ? AND given_on >= ? AND given_on <= ?", chunk, from, to)
		if asOf != nil {
			q = q.Where("created_at <= ?", asOf.UTC())
		}
		var ids []int64
		if err := q.Scan(&ids).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

// SeminarTx is the transaction opening a seminar: BeginSeminar has stored
// its row and so given it its id, which its draw depends on; Commit stores
// the draw, the candidates and the leaf. Rollback after Commit does
// nothing, so callers defer it.
type SeminarTx struct {
	tx   *gorm.DB
	s    *Store
	done bool
}

// BeginSeminar begins opening sem (its Seed, Algorithm and Candidates are
// set later, by Commit) for p, who must reach its org unit with
// WriteSeminars (FORBIDDEN otherwise, NOT_FOUND for an unknown unit). It
// sets sem.ID. When p already opened a seminar under sem.ClientID it
// begins nothing and returns that seminar with its candidates: a resend
// with the same payload hash, or CONFLICT for another payload.
func (s *Store) BeginSeminar(ctx context.Context, p *authz.Principal, sem *models.Seminar) (*SeminarTx, *models.Seminar, error) {
	db := s.db.WithContext(ctx)
	if err := s.checkUnit(db, p, authz.WriteSeminars, sem.OrgUnitID); err != nil {
		return nil, nil, err
	}
	var prior models.Seminar
	err := db.Where("opened_by = ? AND client_id = ?", p.UserID, sem.ClientID).Limit(1).Find(&prior).Error
	if err != nil {
		return nil, nil, mapErr(err)
	}
	if prior.ID != 0 {
		if prior.PayloadHash != sem.PayloadHash {
			return nil, nil, models.E(models.CodeConflict, "clientId %q was already used for another seminar", sem.ClientID)
		}
		if err := s.withCandidates(db, []*models.Seminar{&prior}); err != nil {
			return nil, nil, err
		}
		return nil, &prior, nil
	}
	tx := db.Begin()
	if tx.Error != nil {
		return nil, nil, mapErr(tx.Error)
	}
	sem.OpenedBy = p.UserID
	if err := tx.Omit("Candidates").Create(sem).Error; err != nil {
		tx.Rollback()
		return nil, nil, mapErr(err)
	}
	return &SeminarTx{tx: tx, s: s}, nil, nil
}

// Commit stores the seminar's draw (Seed, Algorithm), its candidates and
// its ledger leaf, and commits. CONFLICT when a twin under the same client
// id committed first; UNAVAILABLE when the database fails, and then the
// outcome is unknown.
func (t *SeminarTx) Commit(sem *models.Seminar, leaf models.Leaf) error {
	err := func() error {
		if err := t.tx.Model(&models.Seminar{}).Where("id = ?", sem.ID).
			Updates(map[string]any{"seed": sem.Seed, "algorithm": sem.Algorithm}).Error; err != nil {
			return err
		}
		for i := range sem.Candidates {
			sem.Candidates[i].SeminarID = sem.ID
		}
		if len(sem.Candidates) > 0 {
			if err := t.tx.CreateInBatches(&sem.Candidates, 500).Error; err != nil {
				return err
			}
		}
		l := insertLeaves([]models.Leaf{leaf}, t.s.db.Config.NowFunc())
		if err := t.tx.Exec(l.sql, l.args...).Error; err != nil {
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
func (t *SeminarTx) Rollback() {
	if !t.done {
		t.done = true
		t.tx.Rollback()
	}
}

// withCandidates reads the candidates of seminars, in user-id order.
func (s *Store) withCandidates(db *gorm.DB, sems []*models.Seminar) error {
	byID := map[int64]*models.Seminar{}
	ids := make([]int64, 0, len(sems))
	for _, sem := range sems {
		byID[sem.ID] = sem
		sem.Candidates = nil
		ids = append(ids, sem.ID)
	}
	for chunk := range chunks(ids, 1000) {
		var cands []models.SeminarCandidate
		if err := db.Where("seminar_id IN ?", chunk).Order("seminar_id, user_id").Find(&cands).Error; err != nil {
			return mapErr(err)
		}
		for _, c := range cands {
			sem := byID[c.SeminarID]
			sem.Candidates = append(sem.Candidates, c)
		}
	}
	return nil
}

// findSeminars runs q (FROM seminars AS r) into seminars with their
// candidates, for the ledger.
func findSeminars(q *gorm.DB) ([]models.Ledgered, error) {
	var rows []*models.Seminar
	if err := q.Select("r.*").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	if err := (&Store{}).withCandidates(q.Session(&gorm.Session{NewDB: true}), rows); err != nil {
		return nil, err
	}
	out := make([]models.Ledgered, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out, nil
}

// seminarScope restricts a query on seminars to those p may read: a cadre
// those it is a candidate of, a supervisor those of its subtree's units.
func (s *Store) seminarScope(ctx context.Context, p *authz.Principal) (func(*gorm.DB) *gorm.DB, error) {
	r, err := reach(p, authz.ReadSeminars)
	if err != nil {
		return nil, err
	}
	switch r {
	case authz.All:
		return func(db *gorm.DB) *gorm.DB { return db }, nil
	case authz.Self:
		return func(db *gorm.DB) *gorm.DB {
			return db.Where("seminars.id IN (SELECT seminar_id FROM seminar_candidates WHERE user_id = ?)", p.UserID)
		}, nil
	}
	prefix, err := s.subtreePrefix(s.db.WithContext(ctx), p)
	if err != nil {
		return nil, err
	}
	return func(db *gorm.DB) *gorm.DB {
		return db.Where("seminars.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(prefix)))
	}, nil
}

// SeminarFilter narrows Seminars.
type SeminarFilter struct {
	OrgUnitID *int64 // seminars of this unit's subtree
	UserID    *int64 // seminars this cadre was a candidate of
}

// Seminars pages through the seminars p may read, oldest first, each with
// its candidates.
func (s *Store) Seminars(ctx context.Context, p *authz.Principal, f SeminarFilter, page Page) ([]*models.Seminar, PageInfo, error) {
	scope, err := s.seminarScope(ctx, p)
	if err != nil {
		return nil, PageInfo{}, err
	}
	db := s.db.WithContext(ctx)
	q := db.Model(&models.Seminar{}).Scopes(scope)
	if f.OrgUnitID != nil {
		var unit models.OrgUnit
		if err := db.Select("path").First(&unit, *f.OrgUnitID).Error; err != nil {
			return nil, PageInfo{}, notFoundOr(err, "org unit", *f.OrgUnitID)
		}
		q = q.Where("seminars.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path)))
	}
	if f.UserID != nil {
		q = q.Where("seminars.id IN (SELECT seminar_id FROM seminar_candidates WHERE user_id = ?)", *f.UserID)
	}
	rows, info, err := list(q, "seminars", page, func(s *models.Seminar) int64 { return s.ID })
	if err != nil {
		return nil, PageInfo{}, err
	}
	return rows, info, s.withCandidates(db, rows)
}

// SeminarsByID loads the seminars p may read, with their candidates (a
// data-loader batch, or one seminar); others are absent.
func (s *Store) SeminarsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.Seminar, error) {
	scope, err := s.seminarScope(ctx, p)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var rows []*models.Seminar
	if err := db.Model(&models.Seminar{}).Scopes(scope).Where("seminars.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	if err := s.withCandidates(db, rows); err != nil {
		return nil, err
	}
	return keyBy(rows, func(s *models.Seminar) int64 { return s.ID }), nil
}

// RecordTalk stores a talk at a seminar and its leaf, for p who may write
// seminars in the seminar's unit (FORBIDDEN otherwise). It returns the
// talk stored, and whether it is the stored original of a resend of
// (p, ClientID): CONFLICT when that original has another payload.
// NOT_FOUND for an unknown seminar; INVALID when the speaker was not drawn.
func (s *Store) RecordTalk(ctx context.Context, p *authz.Principal, talk *models.SeminarTalk, leaf models.Leaf) (*models.SeminarTalk, bool, error) {
	if _, err := reach(p, authz.WriteSeminars); err != nil {
		return nil, false, err
	}
	var out *models.SeminarTalk
	replayed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var prior models.SeminarTalk
		if err := tx.Where("recorded_by = ? AND client_id = ?", p.UserID, talk.ClientID).Limit(1).Find(&prior).Error; err != nil {
			return err
		}
		if prior.ID != 0 {
			if prior.PayloadHash != talk.PayloadHash {
				return models.E(models.CodeConflict, "clientId %q was already used for another talk", talk.ClientID)
			}
			out, replayed = &prior, true
			return nil
		}
		var sem models.Seminar
		if err := tx.Select("id, org_unit_id").First(&sem, talk.SeminarID).Error; err != nil {
			return notFoundOr(err, "seminar", talk.SeminarID)
		}
		if err := s.checkUnit(tx, p, authz.WriteSeminars, sem.OrgUnitID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.SeminarCandidate{}).Where("seminar_id = ? AND user_id = ? AND position IS NOT NULL", sem.ID, talk.SpeakerID).
			Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.E(models.CodeInvalid, "user %d was not drawn to speak at seminar %d", talk.SpeakerID, sem.ID)
		}
		talk.RecordedBy = p.UserID
		if err := tx.Create(talk).Error; err != nil {
			return err
		}
		if err := touchFacts(tx, talk.SpeakerID); err != nil {
			return err
		}
		l := insertLeaves([]models.Leaf{leaf}, s.db.Config.NowFunc())
		out = talk
		return tx.Exec(l.sql, l.args...).Error
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// TalksOf returns the talks of seminars p may read, by seminar, oldest
// first (a data-loader batch).
func (s *Store) TalksOf(ctx context.Context, p *authz.Principal, seminarIDs []int64) (map[int64][]*models.SeminarTalk, error) {
	scope, err := s.seminarScope(ctx, p)
	if err != nil {
		return nil, err
	}
	visible := s.db.Model(&models.Seminar{}).Select("seminars.id").Scopes(scope).Where("seminars.id IN ?", seminarIDs)
	var rows []*models.SeminarTalk
	if err := s.db.WithContext(ctx).Where("seminar_id IN (?)", visible).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.SeminarTalk{}
	for _, t := range rows {
		out[t.SeminarID] = append(out[t.SeminarID], t)
	}
	return out, nil
}

// SpeakersOwed pages through the cadres of an org unit's subtree that p
// may read (ReadSeminars' reach over users) with a DISPATCH assignment in
// force on some day of [from, to] and no talk given on a date in it (R9's
// half-year rule), by id. NOT_FOUND for an unknown unit.
func (s *Store) SpeakersOwed(ctx context.Context, p *authz.Principal, orgUnitID int64, from, to string, page Page) ([]*models.User, PageInfo, error) {
	scope, err := s.userScope(ctx, p, authz.ReadSeminars)
	if err != nil {
		return nil, PageInfo{}, err
	}
	db := s.db.WithContext(ctx)
	var unit models.OrgUnit
	if err := db.Select("path").First(&unit, orgUnitID).Error; err != nil {
		return nil, PageInfo{}, notFoundOr(err, "org unit", orgUnitID)
	}
	dispatched := s.db.Table("assignments").Select("user_id").
		Where("purpose = ? AND valid_from <= ? AND (valid_to = '' OR valid_to >= ?)", models.PurposeDispatch, to, from)
	spoke := s.db.Model(&models.SeminarTalk{}).Select("speaker_id").Where("given_on >= ? AND given_on <= ?", from, to)
	q := db.Model(&models.User{}).Scopes(scope).
		Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path))).
		Where("users.disabled = ? AND users.id IN (?) AND users.id NOT IN (?)", false, dispatched, spoke)
	return list(q, "users", page, func(u *models.User) int64 { return u.ID })
}
