package policy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/policy"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// world is the root (with its baseline) and a city under it, and the
// policy service on a clock standing at 2026-09-20 in Shanghai.
func world(t *testing.T, s *store.Store, clock *testclock.Clock) (*policy.Service, *authz.Principal, int64, int64) {
	t.Helper()
	ctx := context.Background()
	sys := authz.System("test")
	if _, err := s.Bootstrap(ctx, sys, "410000", "共青团河南省委", "admin", "x", false); err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByUsername(ctx, sys, "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin := &authz.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, OrgUnitID: u.OrgUnitID}
	code, name, kind := "410200", "开封团市委", models.OrgCity
	city, err := s.CreateOrgUnit(ctx, admin, store.OrgUnitInput{ParentID: &u.OrgUnitID, Code: &code, Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	svc := &policy.Service{Store: s, Location: presence.ShanghaiLocation(), Now: clock.Now}
	if err := svc.EnsureBaseline(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureBaseline(ctx); err != nil {
		t.Fatalf("a second start: %v", err)
	}
	return svc, admin, u.OrgUnitID, city.ID
}

func set(kv ...string) []policy.Setting {
	var out []policy.Setting
	for i := 0; i < len(kv); i += 2 {
		out = append(out, policy.Setting{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// TestChange: a change makes the next version from the newest one's
// values; it never reaches back, before today or before the unit's newest
// version; a key is set or inherited, not both; an unchanged resend
// writes nothing; inheriting a key again takes the parent's value.
func TestChange(t *testing.T) {
	clock := testclock.New(time.Date(2026, 9, 20, 9, 0, 0, 0, presence.ShanghaiLocation()))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, admin, root, city := world(t, s, clock)
		change := func(c policy.Change) (*models.PolicyVersion, bool, error) {
			c.Reason = "参照执行"
			return svc.Change(ctx, admin, c)
		}
		v1, replayed, err := change(policy.Change{OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("r2.days", "8", "r2.reading", "STRICT")})
		if err != nil || replayed || v1.Version != 1 || v1.Settings != `{"r2.days":"8","r2.reading":"STRICT"}` {
			t.Fatalf("first change: %+v, %v, %v", v1, replayed, err)
		}
		for name, c := range map[string]policy.Change{
			"before today":                     {OrgUnitID: city, EffectiveFrom: "2026-09-19", Set: set("r2.days", "7")},
			"before the newest version":        {OrgUnitID: city, EffectiveFrom: "2026-09-30", Set: set("r2.days", "7")},
			"a key set and inherited":          {OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("r2.days", "7"), Inherit: []string{"r2.days"}},
			"a key set twice":                  {OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("r2.days", "7", "r2.days", "6")},
			"an unknown key to inherit":        {OrgUnitID: city, EffectiveFrom: "2026-10-01", Inherit: []string{"r2.nope"}},
			"a malformed date":                 {OrgUnitID: city, EffectiveFrom: "2026-10-1", Set: set("r2.days", "7")},
			"a choice it does not offer":       {OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("exceptions", "HALF")},
			"a number outside its key's range": {OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("r2.tripDays", "0")},
		} {
			if _, _, err := change(c); models.CodeOf(err) != models.CodeInvalid {
				t.Errorf("%s: %v, want INVALID", name, err)
			}
		}
		if _, _, err := svc.Change(ctx, admin, policy.Change{OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("r2.days", "7"), Reason: " "}); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("no reason: %v, want INVALID", err)
		}
		if _, _, err := change(policy.Change{OrgUnitID: 9999, EffectiveFrom: "2026-10-01", Set: set("r2.days", "7")}); models.CodeOf(err) != models.CodeNotFound {
			t.Errorf("an unknown unit: %v, want NOT_FOUND", err)
		}
		again, replayed, err := change(policy.Change{OrgUnitID: city, EffectiveFrom: "2026-10-01", Set: set("r2.reading", "STRICT")})
		if err != nil || !replayed || again.ID != v1.ID {
			t.Errorf("an unchanged resend: %+v, %v, %v; want version 1, replayed", again, replayed, err)
		}
		v2, _, err := change(policy.Change{OrgUnitID: city, EffectiveFrom: "2027-01-01", Inherit: []string{"r2.days"}})
		if err != nil || v2.Version != 2 || v2.Settings != `{"r2.reading":"STRICT"}` {
			t.Fatalf("inheriting r2.days again: %+v, %v", v2, err)
		}
		if _, _, err := change(policy.Change{OrgUnitID: root, EffectiveFrom: "2026-12-01", Set: set("r2.days", "9")}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ on, version, days, source string }{
			{"2026-09-30", "410000:v1", "10", "410000 v1"},
			{"2026-10-01", "410000:v1/410200:v1", "8", "410200 v1"},
			{"2026-12-01", "410000:v2/410200:v1", "8", "410200 v1"},
			{"2027-01-01", "410000:v2/410200:v2", "9", "410000 v2"},
		} {
			eff, err := svc.Effective(ctx, admin, city, c.on)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range eff.Values {
				if v.Key.Name != "r2.days" {
					continue
				}
				src := fmt.Sprintf("%s v%d", v.Source.Unit.Code, v.Source.Version)
				if eff.Version != c.version || v.Value != c.days || src != c.source {
					t.Errorf("on %s: %s, r2.days %s from %s; want %s, %s from %s", c.on, eff.Version, v.Value, src, c.version, c.days, c.source)
				}
			}
		}
		settings, err := policy.Settings(v1)
		if err != nil || len(settings) != 2 || settings[0] != (policy.Setting{Key: "r2.days", Value: "8"}) {
			t.Errorf("Settings(v1) = %v, %v", settings, err)
		}
		rows, _, err := svc.Versions(ctx, admin, root, store.Page{})
		if err != nil || len(rows) != 2 || !strings.Contains(rows[0].Reason, "行动方案") || rows[0].CreatedBy != 0 {
			t.Errorf("the root's versions: %+v, %v; want the baseline by the server, then the change", rows, err)
		}
	})
}
