package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestRound checks that rounds of statements — one multi-statement round
// trip each on MariaDB, the first beginning the transaction and the last
// committing it; one by one in a transaction on SQLite — give every
// statement with rows its own rows, and that a failing statement anywhere
// fails the transaction and leaves nothing of it stored (on MariaDB: it is
// rolled back before the connection goes back to the pool).
func TestRound(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Round(ctx, []string{"CREATE TABLE round_t (v VARCHAR(8) PRIMARY KEY)"}, [][]any{nil}, []bool{false}); err != nil {
			t.Fatal(err)
		}
		count := func() string {
			got, err := s.Round(ctx, []string{"SELECT COUNT(*) FROM round_t"}, [][]any{nil}, []bool{true})
			if err != nil {
				t.Fatal(err)
			}
			return got[0][0]
		}
		got, err := s.Round(ctx,
			[]string{"INSERT INTO round_t (v) VALUES (?), (?)", "SELECT v FROM round_t ORDER BY v", "INSERT INTO round_t (v) VALUES (?)", "SELECT ? FROM round_t WHERE v = ?", "SELECT v FROM round_t WHERE v = 'none'"},
			[][]any{{"a", "b"}, nil, {"c"}, {"x';--", "c"}, nil}, []bool{false, true, false, true, true})
		if err != nil {
			t.Fatal(err)
		}
		if want := "[[] [a b] [] [x';--] []]"; fmt.Sprint(got) != want {
			t.Errorf("rows %v, want %v", got, want)
		}
		for _, failing := range [][]string{
			{"INSERT INTO round_t (v) VALUES ('d')", "INSERT INTO round_t (v) VALUES ('a')", "SELECT v FROM round_t"}, // duplicate key, middle
			{"SELECT v FROM round_t", "INSERT INTO round_t (v) VALUES ('d')", "INSERT INTO round_t (v) VALUES ('a')"}, // after the last with rows
			{"INSERT INTO round_t (v) VALUES ('d')", "SELECT nope FROM round_t"},                                      // bad column, last
		} {
			scans := make([]bool, len(failing))
			for i, q := range failing {
				scans[i] = q[:6] == "SELECT"
			}
			if _, err := s.Round(ctx, failing, make([][]any, len(failing)), scans); err == nil {
				t.Errorf("%q: no error", failing)
			}
			if n := count(); n != "3" {
				t.Errorf("%q: %s rows after the failed round, want 3", failing, n)
			}
		}
	})
}

// TestHasReturning checks which servers a batch asks for its new ids with
// INSERT ... RETURNING (MariaDB 10.5 and later) rather than a SELECT.
func TestHasReturning(t *testing.T) {
	for _, c := range []struct {
		version string
		want    bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", true},
		{"10.5.0-MariaDB", true},
		{"11.4.2-MariaDB-log", true},
		{"10.4.34-MariaDB", false},
		{"8.0.39", false},
		{"5.5.5-10.11.6-MariaDB", false}, // the old replication prefix: read as 5.5, so no (safe)
		{"", false},
	} {
		if got := store.HasReturning(c.version); got != c.want {
			t.Errorf("HasReturning(%q) = %v, want %v", c.version, got, c.want)
		}
	}
}
