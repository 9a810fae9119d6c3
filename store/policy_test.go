package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

func init() {
	exercisers[authz.ReadPolicy] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, _, err := s.PolicyPath(context.Background(), p, target.OrgUnitID)
		return err
	}
	// Writing a unit's policy is judged on the target's unit.
	exercisers[authz.WritePolicy] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		v, err := nextPolicy(s, target.OrgUnitID)
		if err != nil {
			return err
		}
		return s.AddPolicyVersion(context.Background(), p, v, leafOf(v), policyEvent)
	}
}

var policyEvent = store.AuditEvent{Action: models.AuditPolicyChange, TargetType: "orgunit", Detail: "test", Outcome: models.AuditSuccess}

// nextPolicy is the next version of unit's policy, setting r2.days to 8.
func nextPolicy(s *store.Store, unit int64) (*models.PolicyVersion, error) {
	latest, err := s.LatestPolicyVersion(context.Background(), system, unit)
	if err != nil {
		return nil, err
	}
	n := 1
	if latest != nil {
		n = latest.Version + 1
	}
	return &models.PolicyVersion{OrgUnitID: unit, Version: n, EffectiveFrom: "2026-10-01", Settings: `{"r2.days":"8"}`,
		Reason: "test", CreatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}, nil
}

// leafOf is a stand-in leaf under v's key (the store does not hash).
func leafOf(v *models.PolicyVersion) models.Leaf {
	return models.Leaf{Key: v.LeafKey(), Hash: bytes.Repeat([]byte{byte(v.Version)}, 32)}
}

// TestPolicyVersions: versions of a unit are numbered in order, each with
// its leaf and audit entry; a stale number is CONFLICT and stores
// nothing; the path reads root first.
func TestPolicyVersions(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		unit := w.units["A1"].ID
		sup := principalOf(w.users["supA"])
		for range 2 {
			v, err := nextPolicy(s, unit)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.AddPolicyVersion(ctx, sup, v, leafOf(v), policyEvent); err != nil {
				t.Fatal(err)
			}
		}
		stale := &models.PolicyVersion{OrgUnitID: unit, Version: 2, EffectiveFrom: "2026-10-01", Settings: "{}", Reason: "late"}
		if err := s.AddPolicyVersion(ctx, sup, stale, leafOf(stale), policyEvent); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("a second version 2: %v, want CONFLICT", err)
		}
		other := &models.PolicyVersion{OrgUnitID: w.units["B"].ID, Version: 1, EffectiveFrom: "2026-10-01", Settings: "{}", Reason: "x"}
		if err := s.AddPolicyVersion(ctx, sup, other, leafOf(other), policyEvent); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("another subtree's policy: %v, want FORBIDDEN", err)
		}
		path, versions, err := s.PolicyPath(ctx, principalOf(w.users["cadreA1"]), unit)
		if err != nil {
			t.Fatal(err)
		}
		if len(path) != 3 || path[0].ID != w.units["root"].ID || path[1].ID != w.units["A"].ID || path[2].ID != unit {
			t.Errorf("path = %v, want root, A, A1", path)
		}
		if len(versions) != 2 || versions[0].Version != 1 || versions[1].Version != 2 || versions[1].Reason != "test" {
			t.Errorf("versions = %+v, want 1 and 2", versions)
		}
		for _, v := range versions {
			if l, err := s.Leaf(ctx, v.LeafKey()); err != nil || l == nil || !bytes.Equal(l.Hash, leafOf(v).Hash) {
				t.Errorf("leaf of v%d: %+v, %v", v.Version, l, err)
			}
		}
		rec, err := s.LedgerRecord(ctx, w.admin, models.LeafPolicy, versions[1].ID)
		if err != nil || rec.LeafKey() != versions[1].LeafKey() {
			t.Errorf("ledger record: %v, %v", rec, err)
		}
		if _, err := s.LedgerRecord(ctx, principalOf(w.users["cadreA1"]), models.LeafPolicy, versions[1].ID); models.CodeOf(err) != models.CodeNotFound {
			t.Errorf("a cadre reads a policy leaf: %v, want NOT_FOUND", err)
		}
		audited, _, err := s.ListAudit(ctx, principalOf(w.users["auditadmin"]), store.AuditFilter{Action: string(models.AuditPolicyChange)}, store.Page{})
		if err != nil || len(audited) != 2 || audited[0].Actor != "supA" {
			t.Errorf("audit entries = %+v, %v; want two by supA", audited, err)
		}
		rows, _, err := s.PolicyVersions(ctx, principalOf(w.users["cadreB"]), unit, store.Page{})
		if err != nil || len(rows) != 2 {
			t.Errorf("PolicyVersions = %d rows, %v", len(rows), err)
		}
	})
}

// TestUnitsWithoutPolicy: the roots still without a version, for the
// server only.
func TestUnitsWithoutPolicy(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		if _, err := s.UnitsWithoutPolicy(ctx, w.admin); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("as admin: %v, want FORBIDDEN", err)
		}
		roots, err := s.UnitsWithoutPolicy(ctx, system)
		if err != nil || len(roots) != 1 || roots[0].ID != w.units["root"].ID {
			t.Fatalf("roots = %v, %v; want root", roots, err)
		}
		v, _ := nextPolicy(s, roots[0].ID)
		if err := s.AddPolicyVersion(ctx, system, v, leafOf(v), policyEvent); err != nil {
			t.Fatal(err)
		}
		if roots, err := s.UnitsWithoutPolicy(ctx, system); err != nil || len(roots) != 0 {
			t.Errorf("after the baseline: %v, %v", roots, err)
		}
	})
}
