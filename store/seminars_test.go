package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

var dutySeq atomic.Int64

func dutyClientID(prefix string) string { return fmt.Sprintf("%s-%d", prefix, dutySeq.Add(1)) }

// openSeminar opens a seminar in unit as p with the given candidates (the
// first of them drawn), committing a placeholder draw.
func openSeminar(s *store.Store, p *authz.Principal, unit int64, candidates ...int64) (*models.Seminar, error) {
	sem := &models.Seminar{ClientID: dutyClientID("sem"), PayloadHash: "h", OrgUnitID: unit, Title: "t", RoundFrom: "2026-01-01",
		RoundTo: "2026-06-30", Speakers: 1, OpenedAt: time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)}
	tx, prior, err := s.BeginSeminar(context.Background(), p, sem)
	if err != nil || prior != nil {
		return prior, err
	}
	defer tx.Rollback()
	sem.Seed, sem.Algorithm = "seed", "test"
	for i, id := range candidates {
		c := models.SeminarCandidate{UserID: id}
		if i == 0 {
			one := 1
			c.Position = &one
		}
		sem.Candidates = append(sem.Candidates, c)
	}
	return sem, tx.Commit(sem, models.Leaf{Key: sem.LeafKey(), Hash: []byte("leaf")})
}

// keyWorkItem creates, as admin, a key-work list of unit with one item
// owned by owner.
func keyWorkItem(s *store.Store, unit, owner int64, deadline string) (*models.KeyWorkItem, error) {
	at := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	it := &models.KeyWorkItem{ClientID: "i1", Title: "青年之家", Standard: "建成并开放", OwnerID: owner, Deadline: deadline,
		CreatedAt: at, UpdatedAt: at}
	_, _, err := s.CreateKeyWorkList(context.Background(), authzAdmin,
		&models.KeyWorkList{ClientID: dutyClientID("kwl"), PayloadHash: "h", OrgUnitID: unit, Title: "重点工作", CreatedAt: at},
		[]*models.KeyWorkItem{it})
	return it, err
}

func tickOff(s *store.Store, p *authz.Principal, item int64, activities ...int64) (*models.KeyWorkTickOff, bool, error) {
	t := &models.KeyWorkTickOff{ClientID: dutyClientID("tick"), PayloadHash: "h", ItemID: item, Statement: "已完成",
		CreatedAt: time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC), Photos: []models.KeyWorkPhoto{{SHA256: "ab", Size: 3, ContentType: "JPEG"}}}
	return s.TickOff(context.Background(), p, store.NewTickOff{TickOff: t, Activities: activities,
		Leaf: models.Leaf{Key: models.LeafKey{Kind: models.LeafKeyWorkTickOff, Num: p.UserID, Text: t.ClientID}, Hash: []byte("leaf")}})
}

func init() {
	// A seminar is read by its candidates, by supervisors of its unit's
	// subtree, by the discipline group and admins.
	exercisers[authz.ReadSeminars] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		sem, err := openSeminar(s, authzAdmin, target.OrgUnitID, target.ID)
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		got, err := s.SeminarsByID(context.Background(), p, []int64{sem.ID})
		if err == nil && got[sem.ID] == nil {
			return models.E(models.CodeNotFound, "not visible")
		}
		return err
	}
	exercisers[authz.WriteSeminars] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, err := openSeminar(s, p, target.OrgUnitID, target.ID)
		return err
	}
	exercisers[authz.ReadTasks] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		it, err := keyWorkItem(s, target.OrgUnitID, target.ID, "2026-09-30")
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		got, err := s.KeyWorkItemsByID(context.Background(), p, []int64{it.ID})
		if err == nil && got[it.ID] == nil {
			return models.E(models.CodeNotFound, "not visible")
		}
		return err
	}
	exercisers[authz.WriteTasks] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		_, _, err := s.CreateKeyWorkList(context.Background(), p, &models.KeyWorkList{ClientID: dutyClientID("kwl"), PayloadHash: "h",
			OrgUnitID: target.OrgUnitID, Title: "t", CreatedAt: time.Now()}, nil)
		return err
	}
	// Only the owner ticks an item off.
	exercisers[authz.ReportTasks] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		it, err := keyWorkItem(s, target.OrgUnitID, target.ID, "2026-09-30")
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		_, _, err = tickOff(s, p, it.ID)
		return err
	}
}

// TestRoundCadres: a round is the cadres of the unit's subtree with a
// DISPATCH assignment in force in its period, or, with work groups, those
// groups' assignments that ended in it; a talk in the half year marks a
// cadre as having spoken; AsOf reads the round as it stood.
func TestRoundCadres(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		county, err := authzCounty(s)
		if err != nil {
			t.Fatal(err)
		}
		assign := func(user string, from, to string, group *int64) {
			t.Helper()
			in := store.AssignInput{WorkGroupID: group, RegionID: county, Purpose: models.PurposeDispatch, ValidFrom: from, ValidTo: to}
			if group == nil {
				in.UserID = &w.users[user].ID
			}
			if _, err := s.Assign(ctx, w.admin, in); err != nil {
				t.Fatal(err)
			}
		}
		assign("cadreA", "2026-01-01", "", nil)
		assign("cadreA1", "2025-01-01", "2025-12-31", nil) // before the round
		assign("cadreB", "2026-02-01", "2026-03-31", nil)  // another unit
		leader := w.users["supA"]
		rank := models.RankDivision
		if _, err := s.UpdateUser(ctx, w.admin, leader.ID, store.UserInput{Rank: &rank}); err != nil {
			t.Fatal(err)
		}
		g, err := s.CreateWorkGroup(ctx, w.admin, store.WorkGroupInput{Name: "组", OrgUnitID: w.units["A"].ID, LeaderID: leader.ID,
			MemberIDs: []int64{w.users["cadreA1"].ID}})
		if err != nil {
			t.Fatal(err)
		}
		assign("", "2026-04-01", "2026-05-31", &g.ID)

		round := store.Round{OrgUnitID: w.units["A"].ID, From: "2026-01-01", To: "2026-06-30", SpokeFrom: "2026-01-01", SpokeTo: "2026-06-30"}
		ids := func(rs []store.RoundCadre) []int64 {
			var out []int64
			for _, r := range rs {
				out = append(out, r.UserID)
			}
			return out
		}
		got, err := s.RoundCadres(ctx, principalOf(w.users["supA"]), round)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{w.users["supA"].ID, w.users["cadreA"].ID, w.users["cadreA1"].ID}
		slices.Sort(want)
		if !slices.Equal(ids(got), want) {
			t.Errorf("the unit's round: got %v, want %v", ids(got), want)
		}
		groups := round
		groups.Groups = []int64{g.ID}
		got, _ = s.RoundCadres(ctx, principalOf(w.users["supA"]), groups)
		want = []int64{leader.ID, w.users["cadreA1"].ID}
		slices.Sort(want)
		if !slices.Equal(ids(got), want) {
			t.Errorf("the group's round: got %v, want %v", ids(got), want)
		}
		if _, err := s.RoundCadres(ctx, principalOf(w.users["supB"]), round); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("another unit's supervisor: %v, want FORBIDDEN", err)
		}

		sem, err := openSeminar(s, w.admin, w.units["A"].ID, w.users["cadreA"].ID)
		if err != nil {
			t.Fatal(err)
		}
		talk := &models.SeminarTalk{ClientID: "t-1", PayloadHash: "h", SeminarID: sem.ID, SpeakerID: w.users["cadreA"].ID, GivenOn: "2026-06-20",
			Title: "下沉体会", Notes: "n", Score: 90, CreatedAt: time.Date(2026, 6, 20, 2, 0, 0, 0, time.UTC)}
		if _, _, err := s.RecordTalk(ctx, principalOf(w.users["supA"]), talk, models.Leaf{Key: talk.LeafKey(), Hash: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.RoundCadres(ctx, principalOf(w.users["supA"]), round)
		for _, c := range got {
			if c.Spoke != (c.UserID == w.users["cadreA"].ID) {
				t.Errorf("cadre %d spoke=%v; only cadreA gave a talk", c.UserID, c.Spoke)
			}
		}
		before := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		asOf := round
		asOf.AsOf = &before
		if got, _ := s.RoundCadres(ctx, principalOf(w.users["supA"]), asOf); len(got) != 0 {
			t.Errorf("as of before any assignment was made: %v, want none", got)
		}
		owed, _, err := s.SpeakersOwed(ctx, principalOf(w.users["supA"]), w.units["A"].ID, "2026-01-01", "2026-06-30", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var owedIDs []int64
		for _, u := range owed {
			owedIDs = append(owedIDs, u.ID)
		}
		want = []int64{leader.ID, w.users["cadreA1"].ID}
		slices.Sort(want)
		if !slices.Equal(owedIDs, want) {
			t.Errorf("owed speakers: got %v, want %v (cadreA has spoken)", owedIDs, want)
		}
	})
}

// TestSeminarTalks: only a drawn speaker's talk is recorded; a resend is
// answered from the stored talk, a changed one under the same id is a
// CONFLICT; a replayed opening returns the seminar with its candidates.
func TestSeminarTalks(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		sup := principalOf(w.users["supA"])
		sem, err := openSeminar(s, sup, w.units["A"].ID, w.users["cadreA"].ID, w.users["cadreA1"].ID)
		if err != nil {
			t.Fatal(err)
		}
		again := *sem
		again.ID, again.Candidates = 0, nil
		tx, prior, err := s.BeginSeminar(ctx, sup, &again)
		if err != nil || tx != nil || prior == nil || prior.ID != sem.ID || len(prior.Candidates) != 2 {
			t.Fatalf("a resend of the opening: %v %+v %v, want the stored seminar with 2 candidates", tx, prior, err)
		}
		again.PayloadHash = "other"
		if _, _, err := s.BeginSeminar(ctx, sup, &again); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("another opening under the same client id: %v, want CONFLICT", err)
		}

		talk := func(client string, speaker int64, title string) (*models.SeminarTalk, bool, error) {
			tk := &models.SeminarTalk{ClientID: client, PayloadHash: title, SeminarID: sem.ID, SpeakerID: speaker, GivenOn: "2026-07-02",
				Title: title, Score: 80, CreatedAt: time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC)}
			return s.RecordTalk(ctx, sup, tk, models.Leaf{Key: tk.LeafKey(), Hash: []byte("x")})
		}
		if _, _, err := talk("t-1", w.users["cadreA1"].ID, "a"); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a candidate not drawn: %v, want INVALID", err)
		}
		first, replayed, err := talk("t-2", w.users["cadreA"].ID, "a")
		if err != nil || replayed {
			t.Fatalf("the speaker's talk: %v %v", replayed, err)
		}
		if got, replayed, err := talk("t-2", w.users["cadreA"].ID, "a"); err != nil || !replayed || got.ID != first.ID {
			t.Errorf("a resend: %+v %v %v, want the stored talk", got, replayed, err)
		}
		if _, _, err := talk("t-2", w.users["cadreA"].ID, "b"); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("another talk under the same client id: %v, want CONFLICT", err)
		}
		if _, _, err := s.RecordTalk(ctx, principalOf(w.users["supB"]), &models.SeminarTalk{ClientID: "t-3", SeminarID: sem.ID,
			SpeakerID: w.users["cadreA"].ID}, models.Leaf{}); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("another unit's supervisor: %v, want FORBIDDEN", err)
		}
		talks, err := s.TalksOf(ctx, principalOf(w.users["cadreA1"]), []int64{sem.ID})
		if err != nil || len(talks[sem.ID]) != 1 {
			t.Errorf("a candidate reads the talks: %v %v", talks, err)
		}
		talks, _ = s.TalksOf(ctx, principalOf(w.users["cadreB"]), []int64{sem.ID})
		if len(talks) != 0 {
			t.Errorf("a cadre who was no candidate reads %v", talks)
		}
	})
}

// TestKeyWork: an item is ticked off by its owner only, once at a time,
// with its own activities; a supervisor (not the owner) confirms or
// returns it; a ticked-off item is closed; overdue items are listed and
// claimed for a reminder once.
func TestKeyWork(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		cadre, sup := principalOf(w.users["cadreA1"]), principalOf(w.users["supA"])
		it, err := keyWorkItem(s, w.units["A"].ID, cadre.UserID, "2026-07-31")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tickOff(s, principalOf(w.users["cadreA"]), it.ID); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("a cadre who does not own it: %v, want FORBIDDEN", err)
		}
		other, err := storeActivity(s, w.users["cadreA"])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tickOff(s, cadre, it.ID, other.Activity.ID); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("linking someone else's activity: %v, want FORBIDDEN", err)
		}
		mine, err := storeActivity(s, w.users["cadreA1"])
		if err != nil {
			t.Fatal(err)
		}
		first, _, err := tickOff(s, cadre, it.ID, mine.Activity.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tickOff(s, cadre, it.ID); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("a second tick-off while one waits: %v, want CONFLICT", err)
		}
		rule := func(p *authz.Principal, tick int64, d models.KeyWorkDecision) error {
			r := &models.KeyWorkRuling{TickOffID: tick, Decision: d, Comment: "c", CreatedAt: time.Date(2026, 7, 3, 2, 0, 0, 0, time.UTC)}
			_, _, err := s.RuleTickOff(ctx, p, r, models.Leaf{Key: r.LeafKey(), Hash: []byte("x")})
			return err
		}
		if err := rule(principalOf(w.users["supB"]), first.ID, models.KeyWorkConfirm); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("another unit's supervisor: %v, want FORBIDDEN", err)
		}
		if err := rule(sup, first.ID, models.KeyWorkReturn); err != nil {
			t.Fatal(err)
		}
		if err := rule(sup, first.ID, models.KeyWorkConfirm); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("a second ruling: %v, want CONFLICT", err)
		}
		second, _, err := tickOff(s, cadre, it.ID)
		if err != nil {
			t.Fatalf("a tick-off after a return: %v", err)
		}

		items, _, err := s.KeyWorkItems(ctx, sup, store.KeyWorkFilter{OverdueOn: "2026-08-01"}, store.Page{})
		if err != nil || len(items) != 1 {
			t.Errorf("overdue on 1 August: %v %v, want the item", items, err)
		}
		if items, _, _ := s.KeyWorkItems(ctx, sup, store.KeyWorkFilter{OverdueOn: "2026-07-31"}, store.Page{}); len(items) != 0 {
			t.Errorf("overdue on its deadline: %v, want none", items)
		}
		sys := authz.System("reminders")
		if got, err := s.ClaimOverdue(ctx, sys, "2026-08-01", 10); err != nil || len(got) != 1 {
			t.Errorf("first claim: %v %v, want the item", got, err)
		}
		if got, _ := s.ClaimOverdue(ctx, sys, "2026-08-01", 10); len(got) != 0 {
			t.Errorf("second claim: %v, want none", got)
		}

		if err := rule(sup, second.ID, models.KeyWorkConfirm); err != nil {
			t.Fatal(err)
		}
		done, _ := s.KeyWorkItemsByID(ctx, cadre, []int64{it.ID})
		if done[it.ID] == nil || done[it.ID].Status != models.KeyWorkDone {
			t.Errorf("after the confirmation: %+v, want DONE", done[it.ID])
		}
		if items, _, _ := s.KeyWorkItems(ctx, sup, store.KeyWorkFilter{OverdueOn: "2026-08-01"}, store.Page{}); len(items) != 0 {
			t.Errorf("a ticked-off item is not overdue: %v", items)
		}
		if _, err := s.ReviseKeyWorkItem(ctx, sup, &models.KeyWorkChange{ItemID: it.ID, Title: "x", OwnerID: cadre.UserID,
			Deadline: "2026-12-31", Reason: "r", CreatedAt: time.Now()}); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("revising a ticked-off item: %v, want CONFLICT", err)
		}
		tos, _ := s.TickOffsOf(ctx, cadre, []int64{it.ID})
		if len(tos[it.ID]) != 2 || len(tos[it.ID][0].Photos) != 1 {
			t.Errorf("history: %+v, want both tick-offs with their photos", tos[it.ID])
		}
	})
}
