package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
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
	err := s.inRounds(ctx, func(t *roundTx) ([]stmt, error) {
		return stmts[half:], t.round(stmts[:half])
	})
	return out, err
}

// HasReturning is hasReturning.
var HasReturning = hasReturning

// SetReturning makes transactions read new ids from INSERT ... RETURNING
// (on) or from a SELECT (off, as on MySQL 8), whatever the database.
func (s *Store) SetReturning(on bool) { s.returning = on }

// Exec runs one statement outside the store's API: tests build the state
// an older schema left behind.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	return s.db.WithContext(ctx).Exec(sql, args...).Error
}

// Migrate applies pending migrations again, as a server starting on this
// database would.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx) }

// MissingColumns returns the columns of model m the database lacks.
func (s *Store) MissingColumns(m any) []string {
	stmt := &gorm.Statement{DB: s.db}
	if err := stmt.Parse(m); err != nil {
		return []string{"(model does not parse: " + err.Error() + ")"}
	}
	var out []string
	for _, f := range stmt.Schema.Fields {
		if f.DBName != "" && !s.db.Migrator().HasColumn(m, f.DBName) {
			out = append(out, f.DBName)
		}
	}
	return out
}

// inRounds runs fn as one transaction of rounds and commits with its last
// round: fn returns the final statements. An error from fn rolls back.
func (s *Store) inRounds(ctx context.Context, fn func(t *roundTx) ([]stmt, error)) error {
	t, err := s.beginRounds(ctx)
	if err != nil {
		return err
	}
	defer t.rollback()
	last, err := fn(t)
	if err != nil {
		return err
	}
	if err := t.commit(last); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// WriterInUse is how many connections of the writer pool are taken.
func (s *Store) WriterInUse() int {
	db, err := s.db.DB()
	if err != nil {
		return -1
	}
	return db.Stats().InUse
}

// DialConfig is the MySQL driver configuration Open would use for cfg.
func DialConfig(cfg Config) (*mysql.Config, error) {
	d, err := dialector(cfg)
	if err != nil {
		return nil, err
	}
	my := d.(*gormmysql.Dialector)
	my.Conn.(*sql.DB).Close()
	return my.DSNConfig, nil
}

// RawOnReaders runs q on SQLite's read pool.
func (s *Store) RawOnReaders(ctx context.Context, q string) error {
	_, err := s.readers.ExecContext(ctx, q)
	return err
}

// ConnectionID is the MySQL id of a connection of the pool, which goes
// back to the pool idle.
func (s *Store) ConnectionID(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.WithContext(ctx).Raw("SELECT CONNECTION_ID()").Scan(&id).Error
	return id, err
}
