package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// AbsencePrior is what recording an absence is judged against, read under
// the cadre's lock.
type AbsencePrior struct {
	Stored      *models.Absence   // the absence recorded under the client id before (a resend), if any
	Overlapping []*models.Absence // the cadre's absences, not withdrawn, overlapping the dates asked for
}

// BeginAbsence begins the transaction of p recording an approved absence
// of cadre userID under clientID over [from, to]: it checks that p may
// write the cadre's absences, locks the cadre's row and reads the prior.
// FORBIDDEN outside the supervisor's reach or for one's own absence;
// NOT_FOUND for an unknown user; INVALID when the user is not a cadre.
func (s *Store) BeginAbsence(ctx context.Context, p *authz.Principal, userID int64, clientID, from, to string) (*RecordTx, *AbsencePrior, error) {
	if _, err := reach(p, authz.WriteAbsences); err != nil {
		return nil, nil, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Select("id, role").First(&u, userID).Error; err != nil {
		return nil, nil, notFoundOr(err, "user", userID)
	}
	if _, err := s.ownerInReach(ctx, p, authz.WriteAbsences, userID, "absences"); err != nil {
		return nil, nil, err
	}
	if u.Role != models.RoleCadre {
		return nil, nil, models.E(models.CodeInvalid, "user %d is a %s: absences are recorded for dispatched cadres", userID, u.Role)
	}
	t, err := s.beginRecord(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	prior := &AbsencePrior{}
	var stored []*models.Absence
	err = t.tx.Where("user_id = ? AND client_id = ?", userID, clientID).Find(&stored).Error
	if err == nil && len(stored) > 0 {
		prior.Stored = stored[0]
	}
	if err == nil {
		err = activeAbsences(t.tx.Where("absences.user_id = ?", userID), from, to).Order("absences.id").Find(&prior.Overlapping).Error
	}
	if err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	return t, prior, nil
}

// activeAbsences restricts q to absences not withdrawn that overlap
// [from, to].
func activeAbsences(q *gorm.DB, from, to string) *gorm.DB {
	return q.Where("absences.from_date <= ? AND absences.to_date >= ?", to, from).
		Where("absences.id NOT IN (SELECT absence_id FROM absence_withdrawals)")
}

// BeginAbsenceWithdrawal begins the transaction of p withdrawing absence
// id: it checks that p may write the cadre's absences, locks the cadre's
// row and returns the absence and its withdrawal when it has one already.
// FORBIDDEN outside the supervisor's reach; NOT_FOUND for an unknown
// absence.
func (s *Store) BeginAbsenceWithdrawal(ctx context.Context, p *authz.Principal, id int64) (*RecordTx, *models.Absence, *models.AbsenceWithdrawal, error) {
	if _, err := reach(p, authz.WriteAbsences); err != nil {
		return nil, nil, nil, err
	}
	var a models.Absence
	if err := s.db.WithContext(ctx).First(&a, id).Error; err != nil {
		return nil, nil, nil, notFoundOr(err, "absence", id)
	}
	if _, err := s.ownerInReach(ctx, p, authz.WriteAbsences, a.UserID, "absences"); err != nil {
		return nil, nil, nil, err
	}
	t, err := s.beginRecord(ctx, a.UserID)
	if err != nil {
		return nil, nil, nil, err
	}
	var ws []*models.AbsenceWithdrawal
	if err := t.tx.Where("absence_id = ?", a.ID).Find(&ws).Error; err != nil {
		t.Rollback()
		return nil, nil, nil, mapErr(err)
	}
	var w *models.AbsenceWithdrawal
	if len(ws) > 0 {
		w = ws[0]
	}
	return t, &a, w, nil
}

// AbsenceFilter narrows Absences.
type AbsenceFilter struct {
	UserID           *int64
	OrgUnitID        *int64 // cadres of this unit's subtree
	From, To         string // overlapping [From, To], when set
	IncludeWithdrawn bool
}

// Absences pages through the absences p may read (authz.ReadAbsences: a
// cadre its own, a supervisor its subtree's, the discipline group and
// admins all), in id order. INVALID for a bad page; NOT_FOUND for an
// unknown org unit.
func (s *Store) Absences(ctx context.Context, p *authz.Principal, f AbsenceFilter, page Page) ([]*models.Absence, PageInfo, error) {
	q, err := s.absenceQuery(ctx, p, f)
	if err != nil {
		return nil, PageInfo{}, err
	}
	return list(q, "absences", page, func(a *models.Absence) int64 { return a.ID })
}

// ApprovedAbsences returns every absence, not withdrawn, of users (those p
// may read) overlapping [from, to], in id order: what a period's
// requirements are reduced by. INVALID without a period.
func (s *Store) ApprovedAbsences(ctx context.Context, p *authz.Principal, users []int64, from, to string) ([]*models.Absence, error) {
	if from == "" || to == "" {
		return nil, models.E(models.CodeInvalid, "absences are read for a period")
	}
	q, err := s.absenceQuery(ctx, p, AbsenceFilter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	var rows []*models.Absence
	err = q.Where("absences.user_id IN ?", users).Order("absences.id").Find(&rows).Error
	return rows, mapErr(err)
}

func (s *Store) absenceQuery(ctx context.Context, p *authz.Principal, f AbsenceFilter) (*gorm.DB, error) {
	scope, err := s.userScope(ctx, p, authz.ReadAbsences)
	if err != nil {
		return nil, err
	}
	users := s.db.Model(&models.User{}).Select("users.id").Scopes(scope)
	if f.OrgUnitID != nil {
		var unit models.OrgUnit
		if err := s.db.WithContext(ctx).Select("path").First(&unit, *f.OrgUnitID).Error; err != nil {
			return nil, notFoundOr(err, "org unit", *f.OrgUnitID)
		}
		users = users.Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path)))
	}
	q := s.db.WithContext(ctx).Model(&models.Absence{}).Where("absences.user_id IN (?)", users)
	if f.UserID != nil {
		q = q.Where("absences.user_id = ?", *f.UserID)
	}
	from, to := f.From, f.To
	if from == "" {
		from = "0000-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	if f.IncludeWithdrawn {
		return q.Where("absences.from_date <= ? AND absences.to_date >= ?", to, from), nil
	}
	return activeAbsences(q, from, to), nil
}

// AbsenceWithdrawals loads the withdrawal of each of several absences p
// may read (a data-loader batch); absent when not withdrawn.
func (s *Store) AbsenceWithdrawals(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.AbsenceWithdrawal, error) {
	q, err := s.absenceQuery(ctx, p, AbsenceFilter{IncludeWithdrawn: true})
	if err != nil {
		return nil, err
	}
	var rows []*models.AbsenceWithdrawal
	err = s.db.WithContext(ctx).Where("absence_id IN ? AND absence_id IN (?)", ids, q.Select("absences.id")).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(w *models.AbsenceWithdrawal) int64 { return w.AbsenceID }), nil
}
