package checkin

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// fixture is three cadres assigned to 兰考县, each with a bound phone, and a
// reviewer.
type fixture struct {
	svc      *Service
	cadre    *authz.Principal
	other    *authz.Principal
	third    *authz.Principal
	reviewer *authz.Principal
	clock    *testclock.Clock
	lankao   int64 // 兰考县's region id
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	c := testclock.New(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
	regs, err := regions.New(ctx, s, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	sys := authz.System("test")
	if _, err := s.Bootstrap(ctx, sys, "410000", "root", "admin", "x", false); err != nil {
		t.Fatal(err)
	}
	admin := &authz.Principal{UserID: 1, Role: models.RoleAdmin, OrgUnitID: 1}
	mk := func(name string, role models.Role) *authz.Principal {
		unit := int64(1)
		u, err := s.CreateUser(ctx, admin, store.UserInput{Username: &name, Role: &role, OrgUnitID: &unit}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return &authz.Principal{UserID: u.ID, Username: name, Role: role, OrgUnitID: 1, DeviceID: name + "-phone"}
	}
	f := &fixture{cadre: mk("cadre", models.RoleCadre), other: mk("other", models.RoleCadre), third: mk("third", models.RoleCadre),
		reviewer: mk("inspector", models.RoleDiscipline), clock: c}
	for _, p := range []*authz.Principal{f.cadre, f.other, f.third} {
		if _, err := s.BindDevice(ctx, sys, p.UserID, p.DeviceID); err != nil {
			t.Fatal(err)
		}
	}
	kind := models.RegionCounty
	code := "410200"
	rows, _, err := s.ListRegions(ctx, admin, store.RegionFilter{Kind: &kind, ParentCode: &code}, store.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Code != "410225" {
			continue
		}
		f.lankao = r.ID
		for _, p := range []*authz.Principal{f.cadre, f.other, f.third} {
			if _, err := s.Assign(ctx, admin, store.AssignInput{UserID: &p.UserID, RegionID: r.ID,
				Purpose: models.PurposeDispatch, ValidFrom: "2026-01-01"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.svc = &Service{Store: s, Regions: regs, Policy: presence.DefaultPolicy(), PolicyVersion: "test", Now: c.Now}
	return f
}

// TestDayTableEqualsRecomputation drives randomised histories — live and
// out-of-order offline check-ins inside, on the edge of and outside 兰考县,
// retries, random reviews (confirmations of check-ins outside every region
// naming 兰考县 or not), and random rulings that supersede the latest,
// overturning accepted and ruled check-ins either way — and checks that the
// incremental day table equals a full recomputation from the raw check-ins
// and their latest rulings.
func TestDayTableEqualsRecomputation(t *testing.T) {
	for _, mode := range []string{"one transaction each", "group commit"} {
		t.Run(mode, func(t *testing.T) { testRecomputation(t, mode == "group commit") })
	}
}

func testRecomputation(t *testing.T, groupCommit bool) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		if groupCommit {
			f.svc.StartGroupCommit(QueueConfig{MaxBatch: 16, Observe: noFailedBatches(t)})
			t.Cleanup(f.svc.Close)
		}
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		var sent []Input
		h := &history{latest: map[int64]*int64{}}
		for step := range 200 {
			// Times finer than the millisecond the databases keep: the day
			// table must agree with the check-ins as stored.
			f.clock.Advance(time.Duration(rng.IntN(150))*time.Minute + time.Duration(step)*7777*time.Nanosecond)
			switch op := rng.IntN(12); {
			case op < 5: // live
				in := randomFix(rng, fmt.Sprintf("live-%d", step), f.clock.Now())
				record(t, f, ctx, h, false, in)
				sent = append(sent, in)
			case op < 8: // an offline batch from the past days, shuffled
				var batch []Input
				for i := range 1 + rng.IntN(5) {
					ago := time.Duration(rng.IntN(72*60)) * time.Minute
					batch = append(batch, randomFix(rng, fmt.Sprintf("off-%d-%d", step, i), f.clock.Now().Add(-ago)))
				}
				rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
				record(t, f, ctx, h, true, batch...)
				sent = append(sent, batch...)
			case op < 9 && len(sent) > 0: // a retry of something already sent
				record(t, f, ctx, h, true, sent[rng.IntN(len(sent))])
			case op < 10 && len(h.pending) > 0: // a first review
				i := rng.IntN(len(h.pending))
				r := randomRuling(rng, f, h.pending[i])
				rev, err := f.svc.Review(ctx, f.reviewer, r)
				if err != nil {
					t.Fatalf("review: %v", err)
				}
				h.pending = append(h.pending[:i], h.pending[i+1:]...)
				h.settled = append(h.settled, rev.CheckInID)
				h.ruled(rev)
			case len(h.settled) > 0: // a ruling superseding the latest
				id := h.settled[rng.IntN(len(h.settled))]
				r := randomRuling(rng, f, id)
				r.Supersedes = h.latest[id]
				rev, err := f.svc.Overturn(ctx, f.reviewer, r)
				if err != nil {
					t.Fatalf("overturn of %d: %v", id, err)
				}
				h.ruled(rev)
				h.overturns++
			}
		}
		if h.overturns < 10 {
			t.Fatalf("only %d overturns: the history exercised too few", h.overturns)
		}
		assertRecomputed(t, ctx, s, f)
		// Strike every counting check-in of one date: its days lose their
		// last check-in and no row may stand for them.
		counting, err := s.CountingHistory(ctx, f.reviewer, f.cadre.UserID)
		if err != nil || len(counting) == 0 {
			t.Fatalf("counting history: %d, %v", len(counting), err)
		}
		date := counting[len(counting)/2].CheckIn.LocalDate
		for _, c := range counting {
			if c.CheckIn.LocalDate != date {
				continue
			}
			r := Ruling{CheckInID: c.CheckIn.ID, Decision: models.ReviewReject, Reason: "struck"}
			if c.Latest != nil {
				r.Supersedes = &c.Latest.ID
			}
			if _, err := f.svc.Overturn(ctx, f.reviewer, r); err != nil {
				t.Fatalf("strike %d: %v", c.CheckIn.ID, err)
			}
		}
		days, err := s.AllDays(ctx, f.reviewer, f.cadre.UserID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			if d.Date == date {
				t.Errorf("a day of %s with every check-in struck is still stored: %+v", date, *d)
			}
		}
		assertRecomputed(t, ctx, s, f)
	})
}

// history is what the random history has stored: check-ins waiting for a
// first ruling, those ruled or accepted (which a later ruling may
// supersede), and each one's latest ruling.
type history struct {
	pending   []int64
	settled   []int64
	latest    map[int64]*int64 // check-in → its latest ruling; nil: none
	overturns int
}

func (h *history) ruled(rev *models.Review) {
	id := rev.ID
	h.latest[rev.CheckInID] = &id
}

// randomRuling confirms or rejects check-in id; a confirmation sometimes
// names 兰考县, which the service takes only for a check-in outside every
// region: for those it always does so half the time.
func randomRuling(rng *rand.Rand, f *fixture, id int64) Ruling {
	r := Ruling{CheckInID: id, Decision: []models.ReviewDecision{models.ReviewConfirm, models.ReviewReject}[rng.IntN(2)], Reason: "random ruling"}
	if r.Decision == models.ReviewConfirm && rng.IntN(2) == 0 {
		if c, err := f.svc.Store.CheckInsByID(context.Background(), f.reviewer, []int64{id}); err == nil && c[id].RegionID == nil {
			r.RegionID = &f.lankao
		}
	}
	return r
}

// randomFix is near 兰考县's label point (mostly inside), sometimes on its
// border, in 杞县 (not assigned: it counts there, for R3) or far outside
// Henan, with varied accuracy.
func randomFix(rng *rand.Rand, id string, device time.Time) Input {
	lon, lat, acc := 114.820572+rng.Float64()*0.02-0.01, 34.829899+rng.Float64()*0.02-0.01, 10+rng.Float64()*40
	switch rng.IntN(10) {
	case 0:
		lon, lat, acc = 114.835678, 34.74691, 60 // a border vertex
	case 1:
		lon, lat = 114.770472, 34.554585 // 杞县
	case 2:
		lon, lat = 113.0+rng.Float64()*0.01, 30.5 // 湖北: outside every region
	}
	return Input{ClientID: id, Lat: lat, Lon: lon, AccuracyM: acc, CoordSystem: geofence.GCJ02, DeviceTime: device}
}

func record(t *testing.T, f *fixture, ctx context.Context, h *history, offline bool, ins ...Input) {
	t.Helper()
	var results []ItemResult
	if offline {
		var err error
		if results, err = f.svc.Sync(ctx, f.cadre, ins); err != nil {
			t.Fatal(err)
		}
	} else {
		res, err := f.svc.CheckIn(ctx, f.cadre, ins[0])
		results = []ItemResult{{Result: res, Err: err}}
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("check-in %s: %v", r.ClientID, r.Err)
		}
		switch {
		case r.Result.Replayed:
		case r.Result.CheckIn.Status == models.CheckInPending:
			h.pending = append(h.pending, r.Result.CheckIn.ID)
		default:
			h.settled = append(h.settled, r.Result.CheckIn.ID)
		}
	}
}

func assertRecomputed(t *testing.T, ctx context.Context, s *store.Store, f *fixture) {
	t.Helper()
	rows, err := s.CountingHistory(ctx, f.reviewer, f.cadre.UserID)
	if err != nil {
		t.Fatal(err)
	}
	var fixes []presence.AcceptedFix
	for _, c := range rows {
		for _, r := range CountingRegions(c.CheckIn, c.Latest) {
			fixes = append(fixes, presence.AcceptedFix{RegionID: r, At: c.CheckIn.OccurredAt})
		}
	}
	want := presence.BuildDays(fixes, f.svc.Policy)
	got, err := s.AllDays(ctx, f.reviewer, f.cadre.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) < 3 {
		t.Fatalf("day table has %d rows, recomputation %d (want several)", len(got), len(want))
	}
	counted := 0
	for i := range want {
		g, w := got[i], want[i]
		if g.Date != w.Date.String() || g.RegionID != w.RegionID || g.Accepted != w.Accepted ||
			!g.FirstAt.Equal(w.First) || !g.LastAt.Equal(w.Last) || g.Counted != w.Counted(f.svc.Policy) {
			t.Errorf("day %d: table %+v, recomputed %+v", i, *g, w)
		}
		if g.Counted {
			counted++
		}
	}
	if counted == 0 {
		t.Error("no day counted: the history exercised nothing")
	}
}

// noFailedBatches is a queue observer that fails the test when a batch
// fails: its requests would still be stored, one by one, and the batch path
// would go untested without anyone noticing.
func noFailedBatches(t testing.TB) func(BatchStats) {
	return func(b BatchStats) {
		if b.Failed {
			t.Errorf("a batch of %d failed: %v", b.Size, b.Err)
		}
	}
}
