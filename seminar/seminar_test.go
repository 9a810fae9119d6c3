package seminar_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/seminar"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// notice is one notification a recordingNotifier received.
type notice struct {
	user        int64
	kind, title string
}

// recordingNotifier records what it is asked to send.
type recordingNotifier struct {
	mu   sync.Mutex
	sent []notice
}

func (n *recordingNotifier) Notify(_ context.Context, user int64, kind, title, _ string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, notice{user, kind, title})
	return nil
}

// world is a city unit with a supervisor and five cadres dispatched to a
// county for the first half of 2026.
type world struct {
	s      *store.Store
	sup    *authz.Principal
	unit   int64
	cadres []int64
}

func newWorld(t *testing.T, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	sys := authz.System("test")
	if _, err := s.Bootstrap(ctx, sys, "410000", "root", "admin", "x", false); err != nil {
		t.Fatal(err)
	}
	adminUser, err := s.UserByUsername(ctx, sys, "admin")
	if err != nil {
		t.Fatal(err)
	}
	admin := &authz.Principal{UserID: adminUser.ID, Role: models.RoleAdmin, OrgUnitID: adminUser.OrgUnitID}
	code, name, kind := "410200", "开封团市委", models.OrgCity
	unit, err := s.CreateOrgUnit(ctx, admin, store.OrgUnitInput{ParentID: &adminUser.OrgUnitID, Code: &code, Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	geo := `{"type":"Polygon","coordinates":[[[114.3,34.8],[114.4,34.8],[114.4,34.9],[114.3,34.9],[114.3,34.8]]]}`
	county := store.RegionGeometry{Region: models.Region{Kind: models.RegionCounty, Code: "SYN-SEM", Name: "县", ParentCode: "410200"},
		Version: models.RegionVersion{Datum: "GCJ02", Hash: fmt.Sprintf("%x", sha256.Sum256([]byte(geo))), GeoJSON: geo,
			MinLon: 114.3, MinLat: 34.8, MaxLon: 114.4, MaxLat: 34.9}}
	rs := []store.RegionGeometry{county}
	if _, err := s.ImportRegions(ctx, admin, rs, "test"); err != nil {
		t.Fatal(err)
	}
	w := &world{s: s, unit: unit.ID}
	user := func(name string, role models.Role) *models.User {
		u, err := s.CreateUser(ctx, admin, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &unit.ID}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	sup := user("sup", models.RoleSupervisor)
	w.sup = &authz.Principal{UserID: sup.ID, Role: sup.Role, OrgUnitID: sup.OrgUnitID}
	for i := range 5 {
		c := user(fmt.Sprintf("cadre%d", i), models.RoleCadre)
		if _, err := s.Assign(ctx, admin, store.AssignInput{UserID: &c.ID, RegionID: rs[0].Region.ID, Purpose: models.PurposeDispatch,
			ValidFrom: "2026-01-01", ValidTo: "2026-06-30"}); err != nil {
			t.Fatal(err)
		}
		w.cadres = append(w.cadres, c.ID)
	}
	return w
}

// TestOpenDrawsAndTells: opening a seminar draws speakers that recompute
// from its record, tells each of them once, and a resend answers the same
// seminar without drawing or telling again; after a talk, the next
// seminar of the half year draws the cadres still due first.
func TestOpenDrawsAndTells(t *testing.T) {
	clock := testclock.New(time.Date(2026, 6, 30, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		n := &recordingNotifier{}
		svc := &seminar.Service{Store: s, Notifier: n, Now: clock.Now}
		in := seminar.OpenInput{ClientID: "sem-1", Title: "上半年下沉工作研讨", OrgUnitID: w.unit, From: "2026-01-01", To: "2026-06-30", Speakers: 2}
		o, err := svc.Open(ctx, w.sup, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Seminar.Candidates) != 5 || len(o.Draw.Speakers) != 2 {
			t.Fatalf("candidates %v speakers %v, want 5 and 2", o.Seminar.Candidates, o.Draw.Speakers)
		}
		v, err := svc.Verify(ctx, o.Seminar.ID)
		if err != nil || !v.OK() || !v.RoundMatches() || !slices.Equal(v.Speakers, o.Draw.Speakers) {
			t.Errorf("verify: %+v, %v; want the same speakers and round", v, err)
		}
		var told []int64
		for _, m := range n.sent {
			if m.kind != seminar.KindSpeaker {
				t.Errorf("sent %q, want %s", m.kind, seminar.KindSpeaker)
			}
			told = append(told, m.user)
		}
		if !slices.Equal(told, o.Draw.Speakers) {
			t.Errorf("told %v, want the speakers %v in order", told, o.Draw.Speakers)
		}

		again, err := svc.Open(ctx, w.sup, in)
		if err != nil || !again.Replayed || again.Seminar.ID != o.Seminar.ID || !slices.Equal(again.Draw.Speakers, o.Draw.Speakers) {
			t.Errorf("resend: %+v %v, want the first seminar replayed", again, err)
		}
		if len(n.sent) != 2 {
			t.Errorf("a resend told %d more", len(n.sent)-2)
		}
		in.Speakers = 3
		if _, err := svc.Open(ctx, w.sup, in); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("another seminar under the same client id: %v, want CONFLICT", err)
		}

		for _, sp := range o.Draw.Speakers {
			if _, _, err := svc.RecordTalk(ctx, w.sup, seminar.TalkInput{ClientID: fmt.Sprint("talk-", sp), SeminarID: o.Seminar.ID,
				SpeakerID: sp, Title: "体会", Score: 85}); err != nil {
				t.Fatal(err)
			}
		}
		next, err := svc.Open(ctx, w.sup, seminar.OpenInput{ClientID: "sem-2", Title: "再研讨", OrgUnitID: w.unit, From: "2026-01-01",
			To: "2026-06-30", Speakers: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range next.Draw.Speakers {
			if slices.Contains(o.Draw.Speakers, sp) {
				t.Errorf("the second seminar drew %d, who has spoken, while three had not: %v", sp, next.Draw.Speakers)
			}
		}
		owed, _, err := svc.SpeakersOwed(ctx, w.sup, w.unit, 2026, 1, store.Page{})
		if err != nil || len(owed) != 3 {
			t.Errorf("owed after two talks: %d, %v; want 3", len(owed), err)
		}
	})
}

// TestOpenRefuses: a round without cadres, more speakers than cadres, a
// cadre opening a seminar, and a talk for a date after today are refused.
func TestOpenRefuses(t *testing.T) {
	clock := testclock.New(time.Date(2026, 6, 30, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		svc := &seminar.Service{Store: s, Now: clock.Now}
		open := func(p *authz.Principal, from, to string, speakers int) error {
			_, err := svc.Open(ctx, p, seminar.OpenInput{ClientID: fmt.Sprint("s-", from, speakers), Title: "t", OrgUnitID: w.unit,
				From: from, To: to, Speakers: speakers})
			return err
		}
		for _, c := range []struct {
			name string
			err  error
			want models.Code
		}{
			{"a round before any dispatch", open(w.sup, "2025-01-01", "2025-06-30", 1), models.CodeInvalid},
			{"six speakers of five cadres", open(w.sup, "2026-01-01", "2026-06-30", 6), models.CodeInvalid},
			{"a cadre opens one", open(&authz.Principal{UserID: w.cadres[0], Role: models.RoleCadre, OrgUnitID: w.unit}, "2026-01-01", "2026-06-30", 1),
				models.CodeForbidden},
			{"the round ends before it begins", open(w.sup, "2026-06-30", "2026-01-01", 1), models.CodeInvalid},
		} {
			if got := models.CodeOf(c.err); got != c.want {
				t.Errorf("%s: %v, want %s", c.name, c.err, c.want)
			}
		}
		o, err := svc.Open(ctx, w.sup, seminar.OpenInput{ClientID: "ok", Title: "t", OrgUnitID: w.unit, From: "2026-01-01", To: "2026-06-30", Speakers: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.RecordTalk(ctx, w.sup, seminar.TalkInput{ClientID: "late", SeminarID: o.Seminar.ID, SpeakerID: o.Draw.Speakers[0],
			Title: "t", Score: 80, GivenOn: "2026-07-01"})
		if models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a talk dated tomorrow: %v, want INVALID", err)
		}
	})
}
