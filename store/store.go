// Package store persists onsite's data with GORM on MySQL/MariaDB (production)
// or SQLite (the embedded default, pure Go). Every read of another user's data
// is scoped in SQL by the caller's role and org-unit subtree (see authz.go), so
// authorization holds on every path, nested GraphQL fields included.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/henan-youth/onsite/models"
)

// Drivers Open understands.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Config says which database to open.
type Config struct {
	Driver string           // DriverSQLite (default) or DriverMySQL
	DSN    string           // SQLite file path, or a go-sql-driver/mysql DSN
	Now    func() time.Time // the clock; time.Now when nil
	Log    *slog.Logger     // slow/failed SQL is logged here; discarded when nil
}

// Store is the handle every service uses. It is safe for concurrent use.
type Store struct {
	db     *gorm.DB
	driver string
	// readers is SQLite's pool of read-only connections, which every query
	// outside a transaction uses (readers.go); nil on MySQL.
	readers *sql.DB
	now     func() time.Time
	log     *slog.Logger
	// returning: INSERT ... RETURNING works (SQLite, MariaDB 10.5+; not
	// MySQL 8), so a batch reads its new ids from its INSERT.
	returning bool
	// valuesRow spells a row of a VALUES list: "" ((1, 2): SQLite,
	// MariaDB) or "ROW" (ROW(1, 2): MySQL 8).
	valuesRow string
}

// Open connects, applies pending migrations and returns the store. It fails
// with UNAVAILABLE when the database cannot be reached and INVALID for an
// unknown driver.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	dial, err := dialector(cfg)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dial, &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) },
		DisableForeignKeyConstraintWhenMigrating: true,
		// No server-side prepared statements: GORM prepares them on the pool,
		// so a transaction preparing one needs a second connection — a
		// deadlock when every connection is held by such a transaction
		// (SQLite's only one; MySQL's under load). MySQL interpolates
		// parameters client-side instead: one round trip per statement.
		PrepareStmt: false,
	})
	if err != nil {
		if pool, ok := dial.(*gormmysql.Dialector); ok {
			pool.Conn.(*sql.DB).Close()
		}
		return nil, models.Wrap(models.CodeUnavailable, err, "database unavailable")
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "database handle")
	}
	if cfg.Driver == DriverMySQL {
		sqlDB.SetMaxOpenConns(64)
		sqlDB.SetMaxIdleConns(64)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	} else {
		// One connection serialises SQLite writers; reads go to a pool of
		// their own (readers.go), so a held write lock stalls no read.
		sqlDB.SetMaxOpenConns(1)
	}
	s := &Store{db: db, driver: cfg.Driver, now: cfg.Now, log: cfg.Log, returning: cfg.Driver != DriverMySQL}
	if cfg.Driver == DriverMySQL {
		var version string
		if err := db.WithContext(ctx).Raw("SELECT VERSION()").Scan(&version).Error; err != nil {
			sqlDB.Close()
			return nil, models.Wrap(models.CodeUnavailable, err, "database unavailable")
		}
		s.returning = hasReturning(version)
		if !strings.Contains(version, "MariaDB") {
			s.valuesRow = "ROW"
		}
	}
	if err := s.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if cfg.Driver != DriverMySQL {
		if err := s.openReaders(cfg.DSN, sqlDB); err != nil {
			sqlDB.Close()
			return nil, err
		}
	}
	return s, nil
}

// MySQL I/O timeouts, unless the DSN sets its own (timeout, readTimeout,
// writeTimeout). Requests are bounded by their contexts; these bound what
// runs without one (a rollback, a migration) and a connection to a server
// that stopped answering, so that no connection hangs for good. A single
// statement longer than dbReadTimeout (a migration of a large table) needs
// a larger readTimeout in the DSN.
const (
	dbDialTimeout  = 5 * time.Second
	dbReadTimeout  = 60 * time.Second
	dbWriteTimeout = 30 * time.Second
)

// dialector returns GORM's dialector for cfg. On MySQL it owns a connection
// pool (Conn) whose driver logs through cfg.Log.
func dialector(cfg Config) (gorm.Dialector, error) {
	switch cfg.Driver {
	case DriverMySQL:
		mc, err := mysql.ParseDSN(cfg.DSN)
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "invalid MySQL DSN")
		}
		mc.Timeout = cmp.Or(mc.Timeout, dbDialTimeout)
		mc.ReadTimeout = cmp.Or(mc.ReadTimeout, dbReadTimeout)
		mc.WriteTimeout = cmp.Or(mc.WriteTimeout, dbWriteTimeout)
		mc.Logger = driverLog{cfg.Log}
		mc.ParseTime = true
		mc.Loc = time.UTC
		if mc.Params == nil {
			mc.Params = map[string]string{}
		}
		mc.Params["time_zone"] = "'+00:00'"
		mc.InterpolateParams = true
		mc.MultiStatements = true // group commit sends a batch's statements together (round.go); every value is still escaped by the driver
		conn, err := mysql.NewConnector(mc)
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "invalid MySQL DSN")
		}
		return gormmysql.New(gormmysql.Config{DSNConfig: mc, Conn: sql.OpenDB(conn)}), nil
	case DriverSQLite, "":
		if cfg.DSN == "" {
			return nil, models.E(models.CodeInvalid, "SQLite needs a file path")
		}
		if dir := filepath.Dir(cfg.DSN); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, models.Wrap(models.CodeUnavailable, err, "cannot create the database directory")
			}
		}
		dsn := cfg.DSN + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
		return sqlite.Open(dsn), nil
	}
	return nil, models.E(models.CodeInvalid, "unknown database driver %q (want sqlite or mysql)", cfg.Driver)
}

// driverLog writes the MySQL driver's own messages (a connection that
// broke under a query, say) into the JSON log instead of plain text on
// stderr.
type driverLog struct{ log *slog.Logger }

// Print logs one driver message as a warning.
func (d driverLog) Print(v ...any) {
	d.log.Warn("mysql driver", "detail", strings.TrimSpace(fmt.Sprint(v...)))
}

// hasReturning reports whether a MySQL-protocol server of this VERSION()
// runs INSERT ... RETURNING: MariaDB from 10.5 does, MySQL does not.
func hasReturning(version string) bool {
	if !strings.Contains(version, "MariaDB") {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 10 || (major == 10 && minor >= 5)
}

// Driver returns DriverSQLite or DriverMySQL.
func (s *Store) Driver() string { return s.driver }

// Close closes the connection pools.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if s.readers != nil {
		s.readers.Close()
	}
	return sqlDB.Close()
}

// Ping checks that the database answers for reads (on SQLite, through the
// read pool, which a held write lock does not stall); it fails with
// UNAVAILABLE.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return mapErr(err)
	}
	if s.readers != nil {
		sqlDB = s.readers
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return models.Wrap(models.CodeUnavailable, err, "database unavailable")
	}
	return nil
}

// tx runs fn in one transaction; an error from fn rolls it back. Errors come
// back mapped to the one error type.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return mapErr(s.db.WithContext(ctx).Transaction(fn))
}

// txPerCadre is tx for writers that serialise on the rows of the cadres
// they touch (locked first, FOR UPDATE) and then check and insert rows
// of those cadres only. On MySQL it runs at READ COMMITTED: the locking
// reads after the cadre lock see every committed row of that cadre, and
// they take no gap locks. Under REPEATABLE READ they did, and two admins
// assigning two different cadres whose rows sit in the same index gap
// deadlocked (both held the gap, both waited to insert into it), which
// the caller saw as UNAVAILABLE.
func (s *Store) txPerCadre(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.driver != DriverMySQL {
		return s.tx(ctx, fn)
	}
	return mapErr(s.db.WithContext(ctx).Transaction(fn, &sql.TxOptions{Isolation: sql.LevelReadCommitted}))
}

// mapErr turns a driver or GORM error into a *models.Error, keeping the cause
// for the log. Domain errors pass through unchanged. Mapping is by errors.Is
// and errors.As on the drivers' types, never by message text.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.Wrap(models.CodeNotFound, err, "not found")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return models.Wrap(models.CodeUnavailable, err, "request timed out")
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn):
		return models.Wrap(models.CodeUnavailable, err, "database unavailable; retry")
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1062: // ER_DUP_ENTRY
			return models.Wrap(models.CodeConflict, err, "already exists")
		case 1213, 1205: // deadlock, lock wait timeout
			return models.Wrap(models.CodeUnavailable, err, "database busy; retry")
		case 1927, 1053, 1317: // connection killed, server shutdown, query interrupted
			return models.Wrap(models.CodeUnavailable, err, "database unavailable; retry")
		}
	}
	var liteErr *gosqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff {
		case 19: // SQLITE_CONSTRAINT
			if c := liteErr.Code(); c == 2067 || c == 1555 { // UNIQUE, PRIMARYKEY
				return models.Wrap(models.CodeConflict, err, "already exists")
			}
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return models.Wrap(models.CodeUnavailable, err, "database busy; retry")
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return models.Wrap(models.CodeUnavailable, err, "database unavailable; retry")
	}
	return models.Wrap(models.CodeInternal, err, "internal error")
}

// isDuplicate reports whether err is a unique-key violation.
func isDuplicate(err error) bool { return models.CodeOf(mapErr(err)) == models.CodeConflict }

func notFound(what string, id any) error {
	return models.E(models.CodeNotFound, "%s %v not found", what, id)
}

// Observe calls fn with the context and SQL of every statement the store
// sends, after it ran: for tests and diagnostics that count round trips.
// It fails with INTERNAL when the callbacks cannot be registered.
func (s *Store) Observe(fn func(ctx context.Context, sql string)) error {
	seen := func(db *gorm.DB) { fn(db.Statement.Context, db.Statement.SQL.String()) }
	cb := s.db.Callback()
	name := fmt.Sprintf("onsite:observe:%p", &fn)
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, seen),
		cb.Row().After("gorm:row").Register(name, seen),
		cb.Raw().After("gorm:raw").Register(name, seen),
		cb.Create().After("gorm:create").Register(name, seen),
		cb.Update().After("gorm:update").Register(name, seen),
		cb.Delete().After("gorm:delete").Register(name, seen),
	} {
		if err != nil {
			return models.Wrap(models.CodeInternal, err, "observing statements")
		}
	}
	return nil
}
