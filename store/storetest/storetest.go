// Package storetest opens real stores for tests: a SQLite file in a temp
// directory always, and a throwaway MariaDB/MySQL schema when
// ONSITE_TEST_MYSQL_DSN is set (dropped when the test ends). No mocks.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/henan-youth/onsite/store"
)

// EnvMySQLDSN names the variable that turns on the MySQL runs.
const EnvMySQLDSN = "ONSITE_TEST_MYSQL_DSN"

// Backend is one database a test can run against.
type Backend struct {
	Name   string // "sqlite" or "mysql"
	Config store.Config
}

// Backends returns the SQLite backend (a fresh file in t.TempDir()) and, when
// ONSITE_TEST_MYSQL_DSN is set, a MySQL backend on a fresh schema that is
// dropped on cleanup. It fails the test if the MySQL server cannot be reached.
// Without the variable it says once per package, visibly, that the MySQL
// half was skipped.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: store.DriverSQLite, Config: store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "onsite.db")}}}
	dsn := os.Getenv(EnvMySQLDSN)
	if dsn == "" {
		noticeMySQLSkipped()
		return out
	}
	return append(out, Backend{Name: store.DriverMySQL, Config: store.Config{Driver: store.DriverMySQL, DSN: freshSchema(t, dsn)}})
}

// freshSchema creates a uniquely named database and returns a DSN for it.
func freshSchema(t testing.TB, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQLDSN, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "onsite_t_" + hex.EncodeToString(b)
	admin := *cfg
	admin.DBName = ""
	db, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		t.Fatalf("open MySQL: %v", err)
	}
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
		db.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// Open opens a store on b with the given clock and closes it on cleanup.
func Open(t testing.TB, b Backend, now func() time.Time) *store.Store {
	t.Helper()
	cfg := b.Config
	cfg.Now = now
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s store: %v", b.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Each runs fn once per backend as a subtest named after the backend, each
// with its own fresh store.
func Each(t *testing.T, now func() time.Time, fn func(t *testing.T, s *store.Store)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, Open(t, b, now)) })
	}
}
