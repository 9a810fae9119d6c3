package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"
)

// roundTx is one transaction run as rounds of statements (roundOn). On
// MySQL it runs on a connection of its own, START TRANSACTION travelling
// with its first round and COMMIT with its last, so that a transaction of
// reads and then writes is two round trips rather than four; on SQLite it
// is a database/sql transaction (round trips cost nothing in-process).
// Exactly one of commit and rollback ends it; rollback after commit does
// nothing, so callers may defer it.
type roundTx struct {
	s     *Store
	ctx   context.Context
	conn  *sql.Conn // MySQL
	tx    *sql.Tx   // SQLite
	begun bool      // MySQL: START TRANSACTION has been sent
	done  bool      // committed or rolled back
}

// beginRounds starts a transaction. On MySQL it only takes a connection:
// the transaction begins with the first round.
func (s *Store) beginRounds(ctx context.Context) (*roundTx, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	t := &roundTx{s: s, ctx: ctx}
	if s.driver == DriverMySQL {
		t.conn, err = db.Conn(ctx)
	} else {
		t.tx, err = db.BeginTx(ctx, nil)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// round runs statements inside the transaction.
func (t *roundTx) round(stmts []stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	if t.tx != nil {
		return t.s.roundOn(t.ctx, t.tx, stmts)
	}
	if !t.begun {
		stmts = append([]stmt{{sql: "START TRANSACTION"}}, stmts...)
		t.begun = true
	}
	return t.s.roundOn(t.ctx, t.conn, stmts)
}

// commit runs the last statements and commits. On failure the transaction
// is rolled back.
func (t *roundTx) commit(stmts []stmt) error {
	var err error
	if t.tx != nil {
		if err = t.round(stmts); err == nil {
			err = t.tx.Commit()
			t.done = err == nil
		}
	} else if err = t.round(append(stmts, stmt{sql: "COMMIT"})); err == nil {
		t.done = true
		t.conn.Close()
	}
	if err != nil {
		t.rollback()
	}
	return err
}

// rollback ends the transaction unless it has ended. On MySQL a ROLLBACK
// that fails too discards the connection, so no half-done transaction
// returns to the pool.
func (t *roundTx) rollback() {
	if t.done {
		return
	}
	t.done = true
	if t.tx != nil {
		_ = t.tx.Rollback()
		return
	}
	defer t.conn.Close()
	if !t.begun {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), 5*time.Second)
	defer cancel()
	if _, err := t.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		_ = t.conn.Raw(func(any) error { return driver.ErrBadConn }) // never reuse it
		t.s.log.Warn("rollback failed; connection discarded", "err", err)
	}
}
