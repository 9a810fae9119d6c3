package store

import (
	"context"
	"database/sql"

	"github.com/henan-youth/onsite/models"
)

// Round runs statements (text, args, whether to read rows) as one
// transaction of two rounds — the first half, then the rest with the
// commit — and returns the rows read, as strings, per statement.
func (s *Store) Round(ctx context.Context, texts []string, args [][]any, scans []bool) ([][]string, error) {
	out := make([][]string, len(texts))
	stmts := make([]stmt, len(texts))
	for i := range texts {
		stmts[i] = stmt{sql: texts[i], args: args[i]}
		if scans[i] {
			stmts[i].scan = func(r *sql.Rows) error {
				var v string
				err := r.Scan(&v)
				out[i] = append(out[i], v)
				return err
			}
		}
	}
	half := len(stmts) / 2
	err := s.inRounds(ctx, func(r rounds) error {
		if err := r.round(stmts[:half]); err != nil {
			return err
		}
		return r.last(stmts[half:])
	})
	return out, err
}

// HasReturning is hasReturning.
var HasReturning = hasReturning

// SetReturning makes batches read their new ids from INSERT ... RETURNING
// (on) or from a SELECT (off, as on MySQL 8), whatever the database.
func (s *Store) SetReturning(on bool) { s.returning = on }

// StartNext is startNext.
var StartNext = startNext

// Replay is replay: the answer to a check-in a twin stored first.
func (s *Store) Replay(ctx context.Context, userID int64, clientID string) (*Recorded, error) {
	return s.replay(ctx, userID, clientID)
}

// Exec runs one statement outside the store's API: tests build the state
// an older schema left behind.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	return s.db.WithContext(ctx).Exec(sql, args...).Error
}

// Batch is one check-in of RecordBatch: a cadre's probe and how it is judged.
type Batch struct {
	UserID int64
	Probe  models.CheckIn
	Near   []int64
	Judge  func(Prior) (*NewCheckIn, error)
}

// RecordBatch runs items as one group-commit batch transaction, as the
// writer's dispatcher would, and returns its results.
func (s *Store) RecordBatch(ctx context.Context, items []Batch, rule DayRule) ([]*Recorded, []error, error) {
	its := make([]*writeItem, len(items))
	for i, b := range items {
		its[i] = &writeItem{ctx: ctx, userID: b.UserID, probe: b.Probe, near: b.Near, judge: b.Judge}
	}
	res, err := s.recordBatch(ctx, its, rule, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	recs, errs := make([]*Recorded, len(res)), make([]error, len(res))
	for i, r := range res {
		recs[i], errs[i] = r.rec, r.err
	}
	return recs, errs, nil
}
