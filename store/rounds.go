package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// rounds is one transaction run as rounds of statements (see round).
type rounds interface {
	// round runs statements inside the transaction.
	round(stmts []stmt) error
	// last runs the final statements and commits.
	last(stmts []stmt) error
}

// inRounds runs fn as one transaction. fn must end with last; an error
// from fn, or fn returning without last, rolls everything back.
//
// On MySQL the transaction's START TRANSACTION travels with its first
// round and its COMMIT with its last, on a connection of its own, so a
// group-commit batch is two round trips rather than four; on this 2-core
// machine every round trip is two wake-ups on each side. On failure it
// sends ROLLBACK and, if that fails too, discards the connection, so no
// half-done transaction returns to the pool. On SQLite it is a GORM
// transaction (round trips cost nothing in-process).
func (s *Store) inRounds(ctx context.Context, fn func(rounds) error) error {
	if s.driver != DriverMySQL {
		return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			r := &txRounds{s: s, tx: tx}
			if err := fn(r); err != nil {
				return err
			}
			if !r.done {
				return errors.New("rounds: the transaction ended without last")
			}
			return nil
		})
	}
	db, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	r := &connRounds{s: s, ctx: ctx, conn: conn}
	err = fn(r)
	if err == nil && !r.done {
		err = errors.New("rounds: the transaction ended without last")
	}
	if err != nil && r.begun && !r.done {
		rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, rbErr := conn.ExecContext(rbCtx, "ROLLBACK"); rbErr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // never reuse it
			return fmt.Errorf("%w (and ROLLBACK failed: %v; connection discarded)", err, rbErr)
		}
	}
	return err
}

// txRounds runs rounds in a GORM transaction.
type txRounds struct {
	s    *Store
	tx   *gorm.DB
	done bool
}

func (r *txRounds) round(stmts []stmt) error { return r.s.round(r.tx, stmts) }

func (r *txRounds) last(stmts []stmt) error {
	err := r.s.round(r.tx, stmts)
	r.done = err == nil // GORM commits when the function returns
	return err
}

// connRounds runs rounds on one MySQL connection, beginning with the first
// round and committing with the last.
type connRounds struct {
	s     *Store
	ctx   context.Context
	conn  queryer
	begun bool
	done  bool
}

func (r *connRounds) round(stmts []stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	if !r.begun {
		stmts = append([]stmt{{sql: "START TRANSACTION"}}, stmts...)
		r.begun = true
	}
	return r.s.roundOn(r.ctx, r.conn, stmts)
}

func (r *connRounds) last(stmts []stmt) error {
	if err := r.round(append(stmts, stmt{sql: "COMMIT"})); err != nil {
		return err
	}
	r.done = true
	return nil
}
