package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/testclock"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

var summarySeq atomic.Int64

// asCadre is user acting as a cadre, whatever its role: the store checks
// the role only through the matrix.
func asCadre(u *models.User) *authz.Principal {
	return &authz.Principal{UserID: u.ID, Username: u.Username, Role: models.RoleCadre, OrgUnitID: u.OrgUnitID}
}

// submitted stores a submitted summary of kind for user, of a period no
// other call uses, and returns it with its version.
func submitted(s *store.Store, user *models.User, kind models.SummaryKind) (*models.Summary, *models.SummaryVersion, error) {
	ctx := context.Background()
	k := int(summarySeq.Add(1))
	key := store.SummaryKey{UserID: user.ID, Kind: kind, Year: 2000 + k/4, Quarter: k%4 + 1}
	if kind == models.SummaryAnnual {
		key.Year, key.Quarter = 2000+k%100, 0
	}
	as := asCadre(user)
	sm, err := s.EnsureSummary(ctx, as, key)
	if err != nil {
		return nil, nil, err
	}
	v := &models.SummaryVersion{SummaryID: sm.ID, Number: 1, UserID: user.ID, ClientID: fmt.Sprintf("sum-%d", k), Kind: kind,
		Year: key.Year, Quarter: key.Quarter, Content: models.SummaryContent{Text: "done"}, AuthorID: user.ID,
		SubmittedAt: time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC), DueDate: "2026-01-10", Snapshot: "{}"}
	leaf, err := ledger.LeafOf(v)
	if err != nil {
		return nil, nil, err
	}
	sm, err = s.SubmitSummary(ctx, as, v, leaf, models.Notification{Kind: models.NotifySummarySubmitted, Title: "waiting"})
	return sm, v, err
}

// decide records decision d by p on sm's version v.
func decide(s *store.Store, p *authz.Principal, sm *models.Summary, v *models.SummaryVersion, d models.SummaryDecision, comment string) (*models.Summary, bool, error) {
	r := &models.SummaryReview{VersionID: v.ID, SummaryID: sm.ID, ReviewerID: p.UserID, Decision: d, Comment: comment,
		CreatedAt: time.Date(2026, 1, 6, 2, 0, 0, 0, time.UTC)}
	leaf, err := ledger.LeafOf(r)
	if err != nil {
		return nil, false, err
	}
	return s.ReviewSummary(context.Background(), p, r, leaf, models.Notification{Kind: models.NotifySummaryReturned, Title: "decided"})
}

func init() {
	exercisers[authz.ReadSummaries] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		sm, _, err := submitted(s, target, models.SummaryQuarterly)
		if err != nil {
			return err
		}
		_, err = s.SummaryByID(context.Background(), p, sm.ID)
		return err
	}
	exercisers[authz.WriteSummaries] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		key := store.SummaryKey{UserID: target.ID, Kind: models.SummaryQuarterly, Year: 2026, Quarter: 1}
		_, err := s.SaveSummaryDraft(context.Background(), p, key, models.SummaryContent{Text: "draft"}, time.Now())
		return err
	}
	review := func(kind models.SummaryKind, op authz.Op) func(s *store.Store, p *authz.Principal, target *models.User) error {
		return func(s *store.Store, p *authz.Principal, target *models.User) error {
			if target.ID == p.UserID { // nobody reviews their own: ask the reach over its unit
				return s.CheckUnit(context.Background(), p, op, target.OrgUnitID)
			}
			if p.Role == models.RoleSupervisor && kind == models.SummaryAnnual {
				if err := s.SetReportReceiver(context.Background(), system, p.UserID, true); err != nil {
					return err
				}
			}
			sm, v, err := submitted(s, target, kind)
			if err != nil {
				return err
			}
			_, _, err = decide(s, p, sm, v, models.SummaryAccept, "")
			return err
		}
	}
	exercisers[authz.ReviewSummaries] = review(models.SummaryQuarterly, authz.ReviewSummaries)
	exercisers[authz.ReviewReports] = review(models.SummaryAnnual, authz.ReviewReports)
	exercisers[authz.SetReceivers] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		return s.SetReportReceiver(context.Background(), p, target.ID, false)
	}
	exercisers[authz.Inbox] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		ctx := context.Background()
		if _, err := s.AddNotifications(ctx, system, []*models.Notification{{UserID: target.ID, Kind: "TEST", Title: "for " + target.Username}}); err != nil {
			return err
		}
		rows, _, err := s.Notifications(ctx, p, true, store.Page{})
		if err != nil {
			return err
		}
		for _, n := range rows {
			if n.UserID == target.ID {
				return nil
			}
		}
		return models.E(models.CodeNotFound, "not in the inbox")
	}
}

// TestSummaryVersionsAreFixed: while a summary waits for review neither its
// draft nor a new submission is accepted (CONFLICT) and the version row is
// unchanged; a decision is made once (a resend of it is a replay, another
// decision CONFLICT); returned, it takes version 2; accepted, nothing more.
// Each version and decision has its ledger leaf.
func TestSummaryVersionsAreFixed(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		cadre, sup := w.users["cadreA1"], principalOf(w.users["supA"])
		sm, v1, err := submitted(s, cadre, models.SummaryQuarterly)
		if err != nil {
			t.Fatal(err)
		}
		key := store.SummaryKey{UserID: cadre.ID, Kind: sm.Kind, Year: sm.Year, Quarter: sm.Quarter}
		if _, err := s.SaveSummaryDraft(ctx, asCadre(cadre), key, models.SummaryContent{Text: "changed"}, time.Now()); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("draft while submitted: %v, want CONFLICT", err)
		}
		again := *v1
		again.ID, again.Number, again.ClientID, again.Content.Text = 0, 2, "other", "changed"
		leaf, _ := ledger.LeafOf(&again)
		if _, err := s.SubmitSummary(ctx, asCadre(cadre), &again, leaf, models.Notification{Kind: "X", Title: "x"}); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("second submission while submitted: %v, want CONFLICT", err)
		}
		got, err := s.SummaryVersionByClientID(ctx, asCadre(cadre), cadre.ID, v1.ClientID)
		if err != nil || got.Content.Text != "done" || got.Number != 1 {
			t.Errorf("version 1 after the refusals: %+v, %v", got, err)
		}
		if _, _, err := decide(s, asCadre(cadre), sm, v1, models.SummaryAccept, ""); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("the cadre decides on its own: %v, want FORBIDDEN", err)
		}
		if sm, replayed, err := decide(s, sup, sm, v1, models.SummaryReturn, "more detail"); err != nil || replayed || sm.Status != models.SummaryReturned {
			t.Fatalf("return: %+v %v %v", sm, replayed, err)
		}
		if _, replayed, err := decide(s, sup, sm, v1, models.SummaryReturn, "more detail"); err != nil || !replayed {
			t.Errorf("the same return again: replayed=%v %v, want a replay", replayed, err)
		}
		if _, _, err := decide(s, sup, sm, v1, models.SummaryAccept, ""); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("another decision on version 1: %v, want CONFLICT", err)
		}
		again.ClientID = "second"
		leaf, _ = ledger.LeafOf(&again)
		sm, err = s.SubmitSummary(ctx, asCadre(cadre), &again, leaf, models.Notification{Kind: "X", Title: "x"})
		if err != nil || sm.Versions != 2 || sm.Status != models.SummarySubmitted {
			t.Fatalf("resubmission: %+v, %v", sm, err)
		}
		if sm, _, err = decide(s, sup, sm, &again, models.SummaryAccept, ""); err != nil || sm.Status != models.SummaryAccepted {
			t.Fatalf("accept: %+v, %v", sm, err)
		}
		if _, err := s.SaveSummaryDraft(ctx, asCadre(cadre), key, models.SummaryContent{Text: "after"}, time.Now()); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("draft once accepted: %v, want CONFLICT", err)
		}
		for _, k := range []models.LeafKey{v1.LeafKey(), again.LeafKey(), {Kind: models.LeafSummaryReview, Num: v1.ID}, {Kind: models.LeafSummaryReview, Num: again.ID}} {
			if _, err := s.Leaf(ctx, k); err != nil {
				t.Errorf("%s: %v", k, err)
			}
		}
		inbox, _, err := s.Notifications(ctx, sup, false, store.Page{})
		if err != nil || len(inbox) != 2 || inbox[0].Kind != "X" || inbox[1].Kind != models.NotifySummarySubmitted {
			t.Errorf("the supervisor's inbox: %d notifications, %v; want the two submissions", len(inbox), err)
		}
	})
}

// TestRemindersAtMostOnce: reminders of one key are stored once per cadre
// however often and however concurrently they are sent, and a run that
// stopped after its first batch is finished by the next.
func TestRemindersAtMostOnce(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		cadres := []*models.User{w.users["cadreA"], w.users["cadreA1"], w.users["cadreB"]}
		county, err := authzCounty(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cadres[:2] { // cadreB is not dispatched: no reminder
			if _, err := s.Assign(ctx, w.admin, store.AssignInput{UserID: &c.ID, RegionID: county, Purpose: models.PurposeDispatch, ValidFrom: "2026-10-01"}); err != nil {
				t.Fatal(err)
			}
		}
		f := store.SummaryFilter{Kind: models.SummaryQuarterly, Year: 2026, Quarter: 4}
		note := models.Notification{Kind: models.NotifySummaryDue, Title: "due"}
		remind := func(after int64, limit int) int64 {
			last, err := s.RemindMissing(ctx, system, f, "2026-10-01", "2026-12-31", note, "DUE:2026Q4", after, limit)
			if err != nil {
				t.Fatal(err)
			}
			return last
		}
		remind(0, 1) // a run that stopped after its first batch
		var wg sync.WaitGroup
		for range 3 { // three servers at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				for after := int64(0); ; {
					last, err := s.RemindMissing(ctx, system, f, "2026-10-01", "2026-12-31", note, "DUE:2026Q4", after, 2)
					if err != nil {
						if models.CodeOf(err) == models.CodeUnavailable { // SQLite busy, MySQL deadlock: the next run retries
							continue
						}
						t.Error(err)
						return
					}
					if last == 0 {
						return
					}
					after = last
				}
			}()
		}
		wg.Wait()
		for i, c := range cadres {
			rows, _, err := s.Notifications(ctx, principalOf(c), false, store.Page{})
			if want := []int{1, 1, 0}[i]; err != nil || len(rows) != want {
				t.Errorf("%s: %d reminders, %v; want %d", c.Username, len(rows), err, want)
			}
		}
	})
}

// TestLease: one holder at a time; renewing keeps it; another takes it
// once it expires or is released.
func TestLease(t *testing.T) {
	clock := testclock.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	storetest.Each(t, clock.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		take := func(holder string) bool {
			held, err := s.TakeLease(ctx, "test", holder, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return held
		}
		if !take("a") || take("b") || !take("a") {
			t.Fatal("a takes and renews the lease; b does not get it")
		}
		clock.Advance(2 * time.Minute)
		if !take("b") || take("a") {
			t.Error("once a's lease expired b takes it, and a does not")
		}
		if err := s.ReleaseLease(ctx, "test", "b"); err != nil {
			t.Fatal(err)
		}
		if !take("a") {
			t.Error("a released lease is taken at once")
		}
	})
}

// TestInbox: newest first, unread filter, marking read only one's own.
func TestInbox(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		a, b := w.users["cadreA"], w.users["cadreB"]
		var notes []*models.Notification
		for i := range 3 {
			notes = append(notes, &models.Notification{UserID: a.ID, Kind: "TEST", Title: fmt.Sprint("a", i)})
		}
		notes = append(notes, &models.Notification{UserID: b.ID, Kind: "TEST", Title: "b"})
		if n, err := s.AddNotifications(ctx, system, notes); err != nil || n != 4 {
			t.Fatalf("stored %d, %v", n, err)
		}
		if _, err := s.AddNotifications(ctx, principalOf(a), notes[:1]); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("a user sends notifications: %v, want FORBIDDEN", err)
		}
		pa, pb := principalOf(a), principalOf(b)
		rows, pi, err := s.Notifications(ctx, pa, false, store.Page{First: 2})
		if err != nil || len(rows) != 2 || rows[0].Title != "a2" || !pi.HasNextPage {
			t.Fatalf("first page: %v %+v %v", rows, pi, err)
		}
		more, _, _ := s.Notifications(ctx, pa, false, store.Page{First: 2, After: pi.EndCursor})
		if len(more) != 1 || more[0].Title != "a0" {
			t.Errorf("second page: %v", more)
		}
		ids := []int64{rows[0].ID, notes[3].ID}
		if n, err := s.MarkNotificationsRead(ctx, pb, ids[:1], false, time.Now()); err != nil || n != 0 {
			t.Errorf("b marks a's: %d, %v; want 0", n, err)
		}
		if n, err := s.MarkNotificationsRead(ctx, pa, ids, false, time.Now()); err != nil || n != 1 {
			t.Errorf("a marks its own and b's: %d, %v; want 1", n, err)
		}
		if n, _ := s.UnreadNotifications(ctx, pa); n != 2 {
			t.Errorf("a's unread: %d, want 2", n)
		}
		if n, _ := s.MarkNotificationsRead(ctx, pa, nil, true, time.Now()); n != 2 {
			t.Errorf("a marks all: %d, want 2", n)
		}
		if n, _ := s.UnreadNotifications(ctx, pb); n != 1 {
			t.Errorf("b's unread: %d, want 1", n)
		}
	})
}
