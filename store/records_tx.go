package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/models"
)

// RecordTx is the transaction of one cadre's records off the check-in
// path — a make-up request or its decision, an approved absence or its
// withdrawal, a ruling on an activity: it holds the cadre's row lock from
// its Begin… to Commit or Rollback (Rollback after Commit does nothing, so
// callers defer it), so what it read stays true until it commits. On MySQL
// it runs at READ COMMITTED, as every per-cadre writer does (txPerCadre).
type RecordTx struct {
	s      *Store
	tx     *gorm.DB
	userID int64
	done   bool
}

// RecordWrites is what a RecordTx commits: its new rows (each set has its
// ID after Commit; the photos get the request's id), the days they change
// (matched by key; an empty one is deleted) and the rows' ledger leaves.
type RecordWrites struct {
	MakeUp            *models.MakeUp
	MakeUpPhotos      []*models.MakeUpPhoto
	MakeUpDecision    *models.MakeUpDecision
	ActivityRuling    *models.ActivityReview
	Absence           *models.Absence
	AbsenceWithdrawal *models.AbsenceWithdrawal
	Days              []models.PresenceDay
	Leaves            []models.Leaf
}

// beginRecord starts a RecordTx and takes cadre userID's row lock;
// NOT_FOUND for an unknown cadre.
func (s *Store) beginRecord(ctx context.Context, userID int64) (*RecordTx, error) {
	var opts []*sql.TxOptions
	if s.driver == DriverMySQL {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	tx := s.db.WithContext(ctx).Begin(opts...)
	if tx.Error != nil {
		return nil, mapErr(tx.Error)
	}
	t := &RecordTx{s: s, tx: tx, userID: userID}
	q := tx.Model(&models.User{}).Select("users.id").Where("users.id = ?", userID)
	if s.driver == DriverMySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var ids []int64
	if err := q.Pluck("users.id", &ids).Error; err != nil {
		t.Rollback()
		return nil, mapErr(err)
	}
	if len(ids) == 0 {
		t.Rollback()
		return nil, notFound("user", userID)
	}
	return t, nil
}

// Day returns the cadre's stored day k, an empty aggregate when there is
// none.
func (t *RecordTx) Day(k DayKey) (models.PresenceDay, error) {
	var rows []models.PresenceDay
	err := t.tx.Where("user_id = ? AND date = ? AND region_id = ?", k.UserID, k.Date, k.RegionID).Limit(1).Find(&rows).Error
	if err != nil {
		return models.PresenceDay{}, mapErr(err)
	}
	if len(rows) == 0 {
		return models.PresenceDay{UserID: k.UserID, Date: k.Date, RegionID: k.RegionID}, nil
	}
	return rows[0], nil
}

// Commit writes w and commits. CONFLICT for a duplicate key (a twin
// committed first), INTERNAL for a bug; nothing is stored then.
// UNAVAILABLE when the database failed: the outcome is then unknown.
func (t *RecordTx) Commit(w RecordWrites) error {
	err := t.write(w)
	if err == nil {
		err = t.tx.Commit().Error
	}
	t.done = true
	if err != nil {
		t.tx.Rollback()
	}
	return mapErr(err)
}

func (t *RecordTx) write(w RecordWrites) error {
	if err := touchFacts(t.tx, t.userID); err != nil {
		return err
	}
	var rows []any // in order: the photos name the request
	if w.MakeUp != nil {
		rows = append(rows, w.MakeUp)
	}
	if w.MakeUpDecision != nil {
		rows = append(rows, w.MakeUpDecision)
	}
	if w.ActivityRuling != nil {
		rows = append(rows, w.ActivityRuling)
	}
	if w.Absence != nil {
		rows = append(rows, w.Absence)
	}
	if w.AbsenceWithdrawal != nil {
		rows = append(rows, w.AbsenceWithdrawal)
	}
	for _, row := range rows {
		if err := t.tx.Create(row).Error; err != nil {
			return err
		}
	}
	if len(w.MakeUpPhotos) > 0 {
		for _, ph := range w.MakeUpPhotos {
			ph.MakeUpID = w.MakeUp.ID
		}
		if err := t.tx.Create(&w.MakeUpPhotos).Error; err != nil {
			return err
		}
	}
	if len(w.Days) > 0 {
		dry := t.s.db.Session(&gorm.Session{DryRun: true, NewDB: true, SkipDefaultTransaction: true})
		stmts, err := dayWrites(dry, w.Days)
		if err != nil {
			return err
		}
		for _, st := range stmts {
			if err := t.tx.Exec(st.sql, st.args...).Error; err != nil {
				return err
			}
		}
	}
	if len(w.Leaves) > 0 {
		st := insertLeaves(w.Leaves, t.s.db.Config.NowFunc())
		return t.tx.Exec(st.sql, st.args...).Error
	}
	return nil
}

// Rollback ends the transaction without storing anything, unless it has
// ended already.
func (t *RecordTx) Rollback() {
	if !t.done {
		t.done = true
		t.tx.Rollback()
	}
}
