package store

import (
	"database/sql"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/models"
)

// readerConns is the size of SQLite's read pool.
const readerConns = 4

// openReaders opens SQLite's read pool beside the one writer connection
// (writer) and routes reads to it. In WAL mode readers never wait for the
// writer, so a long write — a batch waiting on a lock that another process
// holds — stalls neither queries nor the readiness check. Every write, and
// everything inside a transaction (check-in batches, reviews, migrations),
// stays on the writer: only queries outside a transaction move, and the
// read connections are query_only, so a write routed there by mistake
// fails instead of bypassing the writer. It fails with UNAVAILABLE.
func (s *Store) openReaders(path string, writer *sql.DB) error {
	readers, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return models.Wrap(models.CodeUnavailable, err, "cannot open the database for reading")
	}
	readers.SetMaxOpenConns(readerConns)
	readers.SetMaxIdleConns(readerConns)
	toReaders := func(db *gorm.DB) {
		if db.Statement.ConnPool == writer && isRead(db.Statement) {
			db.Statement.ConnPool = readers
		}
	}
	cb := s.db.Callback()
	err = cb.Query().Before("gorm:query").Register("onsite:readers", toReaders)
	if err == nil {
		err = cb.Row().Before("gorm:row").Register("onsite:readers", toReaders)
	}
	if err != nil {
		readers.Close()
		return models.Wrap(models.CodeInternal, err, "routing reads")
	}
	s.readers = readers
	return nil
}

// isRead reports whether a statement on its way to the database only
// reads: one GORM builds from clauses (a query, a row scan), or raw SQL
// that is a SELECT.
func isRead(st *gorm.Statement) bool {
	raw := st.SQL.String()
	if raw == "" {
		return true
	}
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\n', '\r', '(':
			continue
		}
		return len(raw)-i >= 6 && (raw[i:i+6] == "SELECT" || raw[i:i+6] == "select")
	}
	return false
}
