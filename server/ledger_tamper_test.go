package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// freshBackend returns a new empty database of the named kind.
func freshBackend(t *testing.T, name string) storetest.Backend {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no %s backend", name)
	return storetest.Backend{}
}

// tampered is a ledgerWorld whose checkpoint the inspectors hold in a
// file, with a connection to its database that bypasses the server.
type tampered struct {
	*ledgerWorld
	b  storetest.Backend
	cp string // the held checkpoint's file
	db *sql.DB
}

func newTampered(t *testing.T, name string) *tampered {
	t.Helper()
	b := freshBackend(t, name)
	s := start(t, b, withClock(at(2026, 11, 2, 8, 0)), withEnv("ONSITE_LEDGER_INTERVAL=1h"))
	w := newLedgerWorld(t, s)
	_, raw := w.checkpoint(t)
	cp := filepath.Join(t.TempDir(), "held.checkpoint")
	if err := os.WriteFile(cp, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(b.Name, b.Config.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &tampered{ledgerWorld: w, b: b, cp: cp, db: db}
}

func (w *tampered) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// cmd runs a subcommand against the world's database and returns its
// output and error.
func (w *tampered) cmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	args = append(args, "-db", w.b.Name, "-dsn", w.b.Config.DSN)
	err := runWith(context.Background(), args, func(string) string { return "" }, &out, runOptions{now: time.Now})
	return out.String(), err
}

// verify runs verify-ledger against the held checkpoint, on the database
// or, with an export file, on it.
func (w *tampered) verify(t *testing.T, extra ...string) (string, error) {
	t.Helper()
	return w.cmd(t, append([]string{"verify-ledger", "-checkpoint", w.cp, "-key", w.vkey}, extra...)...)
}

func (w *tampered) export(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.export")
	if out, err := w.cmd(t, "export-ledger", "-o", path); err != nil || !strings.Contains(out, "exported 6 leaves and 0 records without a leaf") {
		t.Fatalf("export-ledger: %s, %v", out, err)
	}
	return path
}

// TestTamperingIsNamed: edits made directly in the database, past the
// server, are found by verify-ledger from the records: a check-in whose
// coordinates changed and a deleted ruling are named; a record rewritten
// together with its stored leaf hash shows as a root that no longer
// matches the checkpoint the inspectors hold. Untouched, everything
// verifies, from the database and from an export.
func TestTamperingIsNamed(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("untouched", func(t *testing.T) {
				w := newTampered(t, b.Name)
				if out, err := w.verify(t); err != nil || !strings.Contains(out, "OK: 6 leaves") {
					t.Errorf("database: %s, %v", out, err)
				}
				if out, err := w.verify(t, "-export", w.export(t)); err != nil || !strings.Contains(out, "OK: 6 leaves") {
					t.Errorf("export: %s, %v", out, err)
				}
			})
			t.Run("coordinates edited", func(t *testing.T) {
				w := newTampered(t, b.Name)
				before := w.export(t)
				w.exec(t, "UPDATE check_ins SET lat = 34.9, wgs_lat = 34.9 WHERE id = ?", w.checkIns[0])
				want := fmt.Sprintf(`MISMATCH checkin user=%s client="l0" (id %s), leaf 1: the record no longer matches its leaf`, w.cadreID, w.checkIns[0])
				out, err := w.verify(t, "-earlier", before)
				if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "lat: 34.829899 → 34.9") ||
					!strings.Contains(out, "checkpoint size 6: root mismatch") {
					t.Errorf("database: %v\n%s\nwant a line %q", err, out, want)
				}
				if strings.Count(out, "MISMATCH") != 3 { // the leaf, then lat and wgs_lat named from the earlier export
					t.Errorf("want exactly the edited record named:\n%s", out)
				}
				if out, err := w.verify(t, "-export", w.export(t)); err == nil || !strings.Contains(out, want) {
					t.Errorf("export: %v\n%s", err, out)
				}
			})
			t.Run("ruling deleted", func(t *testing.T) {
				w := newTampered(t, b.Name)
				w.exec(t, "DELETE FROM reviews WHERE id = ?", w.reviews[1])
				want := fmt.Sprintf("MISMATCH review check_in=%s, leaf 5: the record is missing (deleted)", w.checkIns[2])
				if out, err := w.verify(t); err == nil || !strings.Contains(out, want) || strings.Count(out, "MISMATCH") != 1 {
					t.Errorf("%v\n%s\nwant a line %q", err, out, want)
				}
			})
			t.Run("row and leaf rewritten", func(t *testing.T) {
				w := newTampered(t, b.Name)
				w.exec(t, "UPDATE check_ins SET lat = 34.9, wgs_lat = 34.9 WHERE id = ?", w.checkIns[0])
				var e entryOut
				w.s.post(t, w.inspector, entryQuery, map[string]any{"k": "CHECK_IN", "id": w.checkIns[0]}).into(t, &e)
				leaf := sha256.Sum256(append([]byte{0}, unb64(t, e.LedgerEntry.Canonical)...))
				w.exec(t, "UPDATE ledger_leaves SET leaf_hash = ? WHERE kind = 'checkin' AND key_text = 'l0'", leaf[:])
				out, err := w.verify(t)
				if err == nil || strings.Contains(out, "MISMATCH") ||
					!strings.Contains(out, "checkpoint size 6: root mismatch") || !strings.Contains(out, "records and their leaf hashes were rewritten") {
					t.Errorf("%v\n%s", err, out)
				}
			})
		})
	}
}
