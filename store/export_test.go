package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// Round runs statements (text, args, whether to read rows) as one round
// inside a transaction and returns the rows read, as strings, per statement.
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
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return s.round(tx, stmts) })
	return out, err
}
