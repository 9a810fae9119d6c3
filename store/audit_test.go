package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

func init() {
	exercisers[authz.UnlockAccount] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, err := s.UnlockAccount(context.Background(), p, target.ID)
		return err
	}
	exercisers[authz.ReadAudit] = func(s *store.Store, p *authz.Principal, _ *models.User) error {
		if _, _, err := s.ListAudit(context.Background(), p, store.AuditFilter{}, store.Page{}); err != nil {
			return err
		}
		_, err := s.VerifyAudit(context.Background(), p)
		return err
	}
}

// record appends n entries done by p, one a millisecond.
func record(t *testing.T, s *store.Store, clock *testclock.Clock, p *authz.Principal, action models.AuditAction, n int) {
	t.Helper()
	for i := range n {
		clock.Advance(time.Millisecond)
		ev := store.AuditEvent{Action: action, TargetType: "user", TargetID: strconv.Itoa(i), Detail: "entry " + strconv.Itoa(i), Outcome: models.AuditSuccess}
		if err := s.Audit(context.Background(), p, "", "", ev); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditChainDetectsTampering: the chain verifies after appends; editing
// any field of a row, deleting a row in the middle, or cutting the tail
// breaks it at that entry.
func TestAuditChainDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tamper  string // SQL run on the database
		brokeAt int64
		problem string
	}{
		{"a detail edited", "UPDATE security_audit SET detail = 'nothing happened' WHERE seq = 3", 3, "changed"},
		{"an outcome edited", "UPDATE security_audit SET outcome = 'FAILURE' WHERE seq = 2", 2, "changed"},
		{"edited with its hash recomputed elsewhere", "UPDATE security_audit SET hash = prev_hash WHERE seq = 4", 4, "changed"},
		{"a row deleted", "DELETE FROM security_audit WHERE seq = 3", 3, "missing"},
		{"the tail cut", "DELETE FROM security_audit WHERE seq = 5", 5, "removed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				sys := authz.System("test")
				record(t, s, clock, sys, models.AuditUserUpdate, 5)
				v, err := s.VerifyAudit(ctx, sys)
				if err != nil || !v.OK || v.Checked != 5 || v.FirstSeq != 1 || v.LastSeq != 5 {
					t.Fatalf("before tampering: %+v, %v; want 5 entries verified", v, err)
				}
				if err := s.Exec(ctx, tc.tamper); err != nil {
					t.Fatal(err)
				}
				v, err = s.VerifyAudit(ctx, sys)
				if err != nil {
					t.Fatal(err)
				}
				if v.OK || v.BrokenAt != tc.brokeAt || !strings.Contains(v.Problem, tc.problem) {
					t.Errorf("after tampering: %+v, want broken at %d (%s)", v, tc.brokeAt, tc.problem)
				}
			})
		})
	}
}

// TestAuditRetention: pruning keeps at least 180 days, removes only the
// oldest prefix of the chain (never an entry younger than the retention,
// even one written by a server whose clock ran behind), is itself audited,
// and leaves a chain that still verifies.
func TestAuditRetention(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := testclock.New(start)
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock.Set(start)
		sys := authz.System("test")
		record(t, s, clock, sys, models.AuditLoginSuccess, 3) // seq 1–3, January
		clock.Set(start.AddDate(0, 3, 0))
		record(t, s, clock, sys, models.AuditLoginSuccess, 1) // seq 4, April
		clock.Set(start.AddDate(0, 0, 10))
		record(t, s, clock, sys, models.AuditLoginSuccess, 1) // seq 5, January again: a clock behind
		clock.Set(start.AddDate(0, 7, 0))                     // August: January is past 180 days, April is not
		if _, err := s.PruneAudit(ctx, sys, 30*24*time.Hour); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a 30-day retention: %v, want INVALID", err)
		}
		if _, err := s.PruneAudit(ctx, &authz.Principal{UserID: 1, Role: models.RoleAuditAdmin}, store.MinAuditRetention); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("pruning by a user: %v, want FORBIDDEN", err)
		}
		n, err := s.PruneAudit(ctx, sys, store.MinAuditRetention)
		if err != nil || n != 3 {
			t.Fatalf("pruned %d (%v), want the 3 January entries before April's", n, err)
		}
		rows, _, err := s.ListAudit(ctx, sys, store.AuditFilter{}, store.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, r := range rows {
			seqs = append(seqs, r.Seq)
		}
		if len(rows) != 3 || rows[0].Action != models.AuditRetentionPrune || seqs[1] != 5 || seqs[2] != 4 {
			t.Errorf("kept %v, want the prune's own entry, 5 and 4 (newest first)", seqs)
		}
		v, err := s.VerifyAudit(ctx, sys)
		if err != nil || !v.OK || v.FirstSeq != 4 || v.Checked != 3 {
			t.Errorf("after pruning: %+v, %v; want a chain from 4 that verifies", v, err)
		}
	})
}

// TestAuditFilters: the audit administrator filters by actor, action (or a
// prefix) and time, and pages newest first.
func TestAuditFilters(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alice := &authz.Principal{UserID: 7, Username: "alice", Role: models.RoleSupervisor, ClientAddr: "10.0.0.7"}
		record(t, s, clock, alice, models.AuditLoginSuccess, 2)
		mid := clock.Advance(time.Millisecond)
		record(t, s, clock, authz.System("test"), models.AuditLoginFailure, 3)
		record(t, s, clock, alice, models.AuditUserUpdate, 1)
		auditor := &authz.Principal{UserID: 9, Role: models.RoleAuditAdmin}
		seven := int64(7)
		for _, tc := range []struct {
			name string
			f    store.AuditFilter
			want int
		}{
			{"everything", store.AuditFilter{}, 6},
			{"by actor id", store.AuditFilter{ActorID: &seven}, 3},
			{"by actor name", store.AuditFilter{Actor: "alice"}, 3},
			{"by action", store.AuditFilter{Action: string(models.AuditLoginFailure)}, 3},
			{"by action prefix", store.AuditFilter{Action: "login."}, 5},
			{"from a time", store.AuditFilter{From: &mid}, 4},
			{"up to a time", store.AuditFilter{To: &mid}, 2},
		} {
			rows, _, err := s.ListAudit(ctx, auditor, tc.f, store.Page{First: 100})
			if err != nil || len(rows) != tc.want {
				t.Errorf("%s: %d entries (%v), want %d", tc.name, len(rows), err, tc.want)
			}
		}
		page1, info, err := s.ListAudit(ctx, auditor, store.AuditFilter{}, store.Page{First: 4})
		if err != nil || len(page1) != 4 || !info.HasNextPage || page1[0].Seq != 6 {
			t.Fatalf("first page: %d entries from %v, %+v (%v)", len(page1), page1, info, err)
		}
		page2, info, err := s.ListAudit(ctx, auditor, store.AuditFilter{}, store.Page{First: 4, After: info.EndCursor})
		if err != nil || len(page2) != 2 || info.HasNextPage || page2[1].Seq != 1 {
			t.Errorf("second page: %d entries, %+v (%v), want entries 2 and 1", len(page2), info, err)
		}
		if got := page1[0]; got.Actor != "alice" || got.ClientAddr != "10.0.0.7" || got.ActorID == nil || *got.ActorID != 7 {
			t.Errorf("newest entry %+v, want alice from 10.0.0.7", got)
		}
	})
}
