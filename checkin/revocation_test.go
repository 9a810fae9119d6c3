package checkin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestStalePrincipalRefusedInTheTransaction: the check-in transaction reads
// the cadre's sign-in state under its lock, so a principal whose session a
// revocation ended — the account disabled, or its auth version moved on —
// is refused and nothing is stored, whatever the request's own (cached)
// check said; alone, in a shared batch and in an offline sync, while the
// other cadres' check-ins of the batch are stored.
func TestStalePrincipalRefusedInTheTransaction(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		admin := &authz.Principal{UserID: 1, Role: models.RoleAdmin, OrgUnitID: 1}
		if _, err := f.svc.CheckIn(ctx, f.cadre, lankao("before", 0, f.clock.Now())); err != nil {
			t.Fatalf("a check-in before any change: %v", err)
		}
		if err := s.LogoutEverywhere(ctx, f.cadre); err != nil { // the cadre's version moves on; f.cadre keeps the old one
			t.Fatal(err)
		}
		yes := true
		if _, err := s.UpdateUser(ctx, admin, f.other.UserID, store.UserInput{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		other := *f.other
		other.AuthVersion++ // even at the version after the change: the account is disabled
		for _, tc := range []struct {
			name string
			p    *authz.Principal
		}{{"logged out everywhere", f.cadre}, {"disabled", &other}} {
			if _, err := f.svc.CheckIn(ctx, tc.p, lankao(strings.ReplaceAll(tc.name, " ", "-"), 1, f.clock.Now())); models.CodeOf(err) != models.CodeUnauthenticated {
				t.Errorf("%s: %v, want UNAUTHENTICATED", tc.name, err)
			}
			res, err := f.svc.Sync(ctx, tc.p, []Input{lankao(strings.ReplaceAll(tc.name, " ", "-")+"-sync", 2, f.clock.Now().Add(-time.Hour))})
			if err != nil || len(res) != 1 || models.CodeOf(res[0].Err) != models.CodeUnauthenticated {
				t.Errorf("%s, offline sync: %+v, %v; want the item UNAUTHENTICATED", tc.name, res, err)
			}
		}
		f.svc.StartGroupCommit(QueueConfig{Observe: noFailedBatches(t)})
		defer f.svc.Close()
		stale := make(chan error, 1)
		go func() {
			_, err := f.svc.CheckIn(ctx, f.cadre, lankao("batched", 3, f.clock.Now()))
			stale <- err
		}()
		if _, err := f.svc.CheckIn(ctx, f.third, lankao("third", 3, f.clock.Now())); err != nil {
			t.Errorf("another cadre's check-in: %v", err)
		}
		if err := <-stale; models.CodeOf(err) != models.CodeUnauthenticated {
			t.Errorf("through group commit: %v, want UNAUTHENTICATED", err)
		}
		for _, p := range []*authz.Principal{f.cadre, f.other} {
			if n, err := s.CountCheckIns(ctx, authz.System("test"), p.UserID); err != nil || n != map[int64]int64{f.cadre.UserID: 1}[p.UserID] {
				t.Errorf("user %d has %d check-ins stored (%v), want only those before the change", p.UserID, n, err)
			}
		}
	})
}
