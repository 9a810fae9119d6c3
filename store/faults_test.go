package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestSQLiteReadsDuringHeldWrite holds SQLite's write lock from another
// connection while the store writes: the store's write waits for the lock
// on its one writer connection, and meanwhile reads and Ping still answer.
// Releasing the lock lets the write finish.
func TestSQLiteReadsDuringHeldWrite(t *testing.T) {
	b := storetest.Backends(t)[0]
	s := storetest.Open(t, b, time.Now)
	other, err := sql.Open("sqlite", b.Config.DSN+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	ctx := t.Context()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { lock.ExecContext(context.Background(), "ROLLBACK") }) }
	defer release()

	wrote := make(chan error, 1)
	go func() {
		_, err := s.Bootstrap(ctx, authz.System("test"), "410000", "root", "admin", "x", false)
		wrote <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); s.WriterInUse() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the write never took the writer connection")
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.UserByUsername(rctx, authz.System("test"), "nobody"); models.CodeOf(err) != models.CodeNotFound {
		t.Errorf("a read while the write waits for the lock: %v, want NOT_FOUND", err)
	}
	if err := s.Ping(rctx); err != nil {
		t.Errorf("Ping while the write waits for the lock: %v", err)
	}
	select {
	case err := <-wrote:
		t.Fatalf("the write finished (%v) while another connection held the lock: the test proved nothing", err)
	default:
	}
	release()
	if err := <-wrote; err != nil {
		t.Fatalf("the write after the lock was released: %v", err)
	}
	if _, err := s.UserByUsername(rctx, authz.System("test"), "admin"); err != nil {
		t.Errorf("reading the write back: %v", err)
	}
}

// TestSQLiteReadersAreQueryOnly: a write that reaches a read connection is
// refused rather than bypassing the writer.
func TestSQLiteReadersAreQueryOnly(t *testing.T) {
	b := storetest.Backends(t)[0]
	s := storetest.Open(t, b, time.Now)
	if err := s.RawOnReaders(t.Context(), "CREATE TABLE x (id integer)"); err == nil {
		t.Error("a write on a read connection succeeded")
	}
}

// TestMySQLDialTimeouts: the DSN gets dial, read and write timeouts unless
// it sets its own.
func TestMySQLDialTimeouts(t *testing.T) {
	for _, c := range []struct {
		dsn                 string
		dial, read, written time.Duration
	}{
		{"u@tcp(127.0.0.1:3306)/db", 5 * time.Second, 60 * time.Second, 30 * time.Second},
		{"u@tcp(127.0.0.1:3306)/db?timeout=1s&readTimeout=2s&writeTimeout=3s", time.Second, 2 * time.Second, 3 * time.Second},
	} {
		mc, err := store.DialConfig(store.Config{Driver: store.DriverMySQL, DSN: c.dsn})
		if err != nil {
			t.Fatal(err)
		}
		if mc.Timeout != c.dial || mc.ReadTimeout != c.read || mc.WriteTimeout != c.written {
			t.Errorf("%s: timeout %v, readTimeout %v, writeTimeout %v; want %v, %v, %v", c.dsn,
				mc.Timeout, mc.ReadTimeout, mc.WriteTimeout, c.dial, c.read, c.written)
		}
	}
}

// TestMySQLDriverLogsAsJSON kills the store's idle MariaDB connection and
// uses the store again: the driver's complaint about the dead connection
// is a line of the store's JSON log, not plain text on stderr.
func TestMySQLDriverLogsAsJSON(t *testing.T) {
	var b storetest.Backend
	for _, bb := range storetest.Backends(t) {
		if bb.Name == store.DriverMySQL {
			b = bb
		}
	}
	if b.Name == "" {
		t.Skip("needs " + storetest.EnvMySQLDSN)
	}
	var logs syncBuffer
	cfg := b.Config
	cfg.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	killer, err := sql.Open("mysql", b.Config.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	ctx := t.Context()
	for attempt := 0; !strings.Contains(logs.String(), `"msg":"mysql driver"`); attempt++ {
		if attempt == 20 {
			t.Fatalf("no driver message in the log after killing %d connections:\n%s", attempt, logs.String())
		}
		id, err := s.ConnectionID(ctx)
		if err != nil {
			continue // the dead connection failed this query; the next one dials afresh
		}
		if _, err := killer.ExecContext(ctx, fmt.Sprintf("KILL %d", id)); err != nil {
			t.Fatal(err)
		}
		for gone := false; !gone; time.Sleep(time.Millisecond) {
			var n int
			if err := killer.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			gone = n == 0
		}
		s.Ping(ctx) // finds the killed connection idle in the pool
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("a log line that is not JSON: %s", line)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
