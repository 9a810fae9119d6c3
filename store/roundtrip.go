package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// stmt is one statement of a round, with what reads its rows (nil: rows,
// if any, are discarded). Its placeholders are plain ? with one argument
// each: a round goes to the driver as is (marks and tuples spell out IN lists).
type stmt struct {
	sql  string
	args []any
	scan func(*sql.Rows) error // called once per row
}

// queryer is what a round runs on: a transaction or a connection.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// roundOn runs statements in order on conn. On MySQL they travel together
// as one multi-statement query — one round trip instead of one each, which
// under load is most of a short transaction's time — and MySQL stops at the
// first statement that fails, whose error is returned. On SQLite, which is
// in-process, they run one by one. Either way the statements, their text
// and their effects are the same.
//
// A statement has rows exactly when it has a scan func: the MySQL driver
// skips the results of statements without rows, so the result sets are
// matched to the statements that scan, in order.
func (s *Store) roundOn(ctx context.Context, conn queryer, stmts []stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	if s.driver != DriverMySQL {
		for _, st := range stmts {
			rows, err := conn.QueryContext(ctx, st.sql, st.args...)
			if err != nil {
				return err
			}
			err = scanAll(rows, st.scan)
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	texts := make([]string, len(stmts))
	var args []any
	for i, st := range stmts {
		texts[i] = st.sql
		args = append(args, st.args...)
	}
	rows, err := conn.QueryContext(ctx, strings.Join(texts, ";\n"), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	fresh := len(cols) > 0 // the first result set has rows and is not read yet
	for i, st := range stmts {
		if st.scan == nil {
			continue
		}
		if !fresh && !rows.NextResultSet() {
			if err := rows.Err(); err != nil {
				return err
			}
			return fmt.Errorf("multi-statement round: no result set for statement %d of %d", i+1, len(stmts))
		}
		fresh = false
		if err := scanAll(rows, st.scan); err != nil {
			return fmt.Errorf("statement %d of %d: %w", i+1, len(stmts), err)
		}
	}
	for rows.NextResultSet() { // surfaces the error of a failing statement after the last with rows
		if err := scanAll(rows, nil); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// scanAll reads the current result set to its end.
func scanAll(rows *sql.Rows, scan func(*sql.Rows) error) error {
	for rows.Next() {
		if scan != nil {
			if err := scan(rows); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// marks returns "(?, ?, ...)" for n values.
func marks(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// tuples returns "((?, ?), (?, ?), ...)" for n tuples of width values.
func tuples(n, width int) string {
	one := marks(width)
	return "(" + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + ")"
}
