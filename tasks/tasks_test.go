package tasks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/blob"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/internal/testimage"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
	"github.com/henan-youth/onsite/tasks"
)

// recordingNotifier records what it is asked to send, failing while fail
// is set.
type recordingNotifier struct {
	mu   sync.Mutex
	fail bool
	sent []struct {
		user int64
		kind string
	}
}

func (n *recordingNotifier) Notify(_ context.Context, user int64, kind, _, _ string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return errors.New("inbox down")
	}
	n.sent = append(n.sent, struct {
		user int64
		kind string
	}{user, kind})
	return nil
}

func (n *recordingNotifier) count(kind string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := 0
	for _, m := range n.sent {
		if m.kind == kind {
			k++
		}
	}
	return k
}

// world is a unit with a supervisor and a cadre.
type world struct {
	sup, cadre *authz.Principal
	unit       int64
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
	code, name, kind := "410225", "兰考县团委", models.OrgCounty
	unit, err := s.CreateOrgUnit(ctx, admin, store.OrgUnitInput{ParentID: &adminUser.OrgUnitID, Code: &code, Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string, role models.Role) *authz.Principal {
		u, err := s.CreateUser(ctx, admin, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &unit.ID}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return &authz.Principal{UserID: u.ID, Role: role, OrgUnitID: unit.ID}
	}
	return &world{sup: user("sup", models.RoleSupervisor), cadre: user("cadre", models.RoleCadre), unit: unit.ID}
}

func jpeg(t *testing.T) tasks.Photo {
	data := testimage.JPEG(t, nil)
	return tasks.Photo{Filename: "p.jpg", Open: func() (io.Reader, error) { return bytes.NewReader(data), nil }}
}

// TestKeyWorkTickOff: an owner is told of its item; a tick-off without
// evidence is refused; one with a photo waits for the supervisor, who
// confirms it; a photo that is not an image is refused.
func TestKeyWorkTickOff(t *testing.T) {
	clock := testclock.New(time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := context.Background()
		blobs, err := blob.OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		n := &recordingNotifier{}
		svc := &tasks.Service{Store: s, Blobs: blobs, Notifier: n, Now: clock.Now}
		l, _, err := svc.CreateList(ctx, w.sup, tasks.ListInput{ClientID: "kw-1", OrgUnitID: w.unit, Title: "2026年重点工作",
			Items: []tasks.ItemInput{{ClientID: "1", Title: "建成青年之家", Standard: "挂牌并开放", OwnerID: w.cadre.UserID, Deadline: "2026-07-31"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := n.count(tasks.KindAssigned); got != 1 {
			t.Errorf("owners told: %d, want 1", got)
		}
		items, _, _ := s.KeyWorkItems(ctx, w.sup, store.KeyWorkFilter{ListID: &l.ID}, store.Page{})
		if len(items) != 1 {
			t.Fatalf("items: %v", items)
		}
		item := items[0].ID
		_, _, err = svc.TickOff(ctx, w.cadre, tasks.TickOffInput{ClientID: "t-1", ItemID: item, Statement: "已建成"})
		if models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a tick-off without evidence: %v, want INVALID", err)
		}
		notImage := tasks.Photo{Filename: "p.jpg", Open: func() (io.Reader, error) { return bytes.NewReader([]byte("not an image")), nil }}
		_, _, err = svc.TickOff(ctx, w.cadre, tasks.TickOffInput{ClientID: "t-1", ItemID: item, Statement: "已建成", Photos: []tasks.Photo{notImage}})
		if models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a photo that is not an image: %v, want INVALID", err)
		}
		tick, _, err := svc.TickOff(ctx, w.cadre, tasks.TickOffInput{ClientID: "t-1", ItemID: item, Statement: "已建成", Photos: []tasks.Photo{jpeg(t)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Rule(ctx, w.sup, tick.ID, models.KeyWorkReturn, ""); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a return without a comment: %v, want INVALID", err)
		}
		if _, _, err := svc.Rule(ctx, w.sup, tick.ID, models.KeyWorkConfirm, "已核实"); err != nil {
			t.Fatal(err)
		}
		data, ctype, err := svc.ServePhoto(ctx, w.cadre, tick.Photos[0].SHA256)
		if err != nil || ctype != "image/jpeg" || len(data) == 0 {
			t.Errorf("the owner fetches its photo: %d bytes, %q, %v", len(data), ctype, err)
		}
	})
}

// TestOverdueReminders: an item past its deadline is listed as overdue
// under the injected clock and its owner reminded once; a reminder that
// could not be sent is sent on the next run; a new deadline makes it due
// for another reminder when that passes too.
func TestOverdueReminders(t *testing.T) {
	clock := testclock.New(time.Date(2026, 7, 31, 2, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		clock.Set(time.Date(2026, 7, 31, 2, 0, 0, 0, time.UTC))
		w := newWorld(t, s)
		ctx := context.Background()
		n := &recordingNotifier{}
		svc := &tasks.Service{Store: s, Notifier: n, Now: clock.Now}
		if _, _, err := svc.CreateList(ctx, w.sup, tasks.ListInput{ClientID: "kw", OrgUnitID: w.unit, Title: "清单",
			Items: []tasks.ItemInput{{ClientID: "1", Title: "走访", Standard: "10户", OwnerID: w.cadre.UserID, Deadline: "2026-07-31"}}}); err != nil {
			t.Fatal(err)
		}
		overdue := func() int {
			items, _, err := s.KeyWorkItems(ctx, w.sup, store.KeyWorkFilter{OverdueOn: svc.Today()}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		if got, _ := svc.RemindOverdue(ctx); got != 0 || overdue() != 0 {
			t.Errorf("on its deadline: %d reminded, %d overdue; want none", got, overdue())
		}
		clock.Set(time.Date(2026, 7, 31, 16, 30, 0, 0, time.UTC)) // 00:30 on 1 August in Shanghai
		if overdue() != 1 {
			t.Errorf("after the deadline: %d overdue, want 1", overdue())
		}
		n.fail = true
		if got, _ := svc.RemindOverdue(ctx); got != 0 {
			t.Errorf("with the inbox down: %d reminded", got)
		}
		n.fail = false
		if got, _ := svc.RemindOverdue(ctx); got != 1 || n.count(tasks.KindOverdue) != 1 {
			t.Errorf("next run: %d reminded, %d sent; want the one that failed", got, n.count(tasks.KindOverdue))
		}
		if got, _ := svc.RemindOverdue(ctx); got != 0 {
			t.Errorf("a third run: %d reminded, want none", got)
		}
		items, _, _ := s.KeyWorkItems(ctx, w.sup, store.KeyWorkFilter{}, store.Page{})
		if _, err := svc.Revise(ctx, w.sup, items[0].ID, tasks.ItemInput{Title: "走访", Standard: "10户", OwnerID: w.cadre.UserID,
			Deadline: "2026-08-15"}, "延期"); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 8, 16, 2, 0, 0, 0, time.UTC))
		if got, _ := svc.RemindOverdue(ctx); got != 1 {
			t.Errorf("after the new deadline: %d reminded, want 1", got)
		}
	})
}
