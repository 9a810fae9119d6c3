package store_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

var recordSeq atomic.Int64

// acceptedCheckIn stores an ACCEPTED check-in for user through the store's
// check-in transaction.
func acceptedCheckIn(s *store.Store, userID int64) (*models.CheckIn, error) {
	f := fix{clientID: fmt.Sprintf("t-%d", checkInSeq.Add(1)), at: "09:00", lat: 34.8, acc: float64(checkInSeq.Load())}
	tx, _, err := s.BeginCheckIns(context.Background(), []store.Probe{f.probe(userID)})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	row := f.row(userID)
	row.Status = models.CheckInAccepted
	return row, tx.Commit(store.Writes{CheckIns: []*models.CheckIn{row}})
}

// storeMakeUp stores a make-up request of user, as that user would.
func storeMakeUp(s *store.Store, user *models.User) (*models.MakeUp, error) {
	as := &authz.Principal{UserID: user.ID, Role: models.RoleCadre, OrgUnitID: user.OrgUnitID}
	id := fmt.Sprintf("m-%d", recordSeq.Add(1))
	tx, _, err := s.BeginMakeUp(context.Background(), as, id, "2026-11-02", 1)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m := &models.MakeUp{UserID: user.ID, ClientID: id, PayloadHash: "h", Date: "2026-11-02", RegionID: 1, Reason: "flat battery",
		WitnessName: "张三", WitnessTitle: "团县委副书记", PhotoHashes: "[]", DeviceID: "phone-1",
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)} // as the service dates it: every database keeps the millisecond
	return m, tx.Commit(store.RecordWrites{MakeUp: m})
}

func init() {
	// Superseding a ruling: over an automatic acceptance, which any
	// supervisor reaching the cadre and the discipline group may; who is
	// above whom is TestSupersedingRulings'.
	exercisers[authz.OverturnRuling] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID == p.UserID {
			return s.CheckUnit(context.Background(), p, authz.OverturnRuling, target.OrgUnitID)
		}
		c, err := acceptedCheckIn(s, target.ID)
		if err != nil {
			return err
		}
		tx, _, err := s.BeginRuling(context.Background(), p, &models.Review{CheckInID: c.ID, Decision: models.ReviewReject, Reason: "matrix"}, nil)
		if err == nil {
			tx.Rollback()
		}
		return err
	}
	// Make-ups are requested only by the cadre itself, as check-ins are.
	exercisers[authz.RequestMakeUp] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID != p.UserID {
			return models.E(models.CodeForbidden, "make-ups are requested for oneself only")
		}
		tx, _, err := s.BeginMakeUp(context.Background(), p, "exercise", "2026-11-02", 1)
		if err == nil {
			tx.Rollback()
		}
		return err
	}
	exercisers[authz.ReadMakeUps] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		m, err := storeMakeUp(s, target)
		if err != nil {
			return err
		}
		got, err := s.MakeUpsByID(context.Background(), p, []int64{m.ID})
		if err == nil && got[m.ID] == nil {
			return models.E(models.CodeNotFound, "not visible")
		}
		return err
	}
	exercisers[authz.DecideMakeUp] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID == p.UserID {
			return s.CheckUnit(context.Background(), p, authz.DecideMakeUp, target.OrgUnitID)
		}
		m, err := storeMakeUp(s, target)
		if err != nil {
			return err
		}
		tx, _, _, err := s.BeginMakeUpDecision(context.Background(), p, m.ID)
		if err == nil {
			tx.Rollback()
		}
		return err
	}
	exercisers[authz.ReadAbsences] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		ctx := context.Background()
		err := s.Exec(ctx, "INSERT INTO absences (user_id, client_id, kind, from_date, to_date, reason, approved_by, created_at) VALUES (?, ?, 'LEAVE', '2026-11-02', '2026-11-03', '', 1, ?)",
			target.ID, fmt.Sprintf("r-%d", recordSeq.Add(1)), time.Now().UTC())
		if err != nil {
			return err
		}
		rows, _, err := s.Absences(ctx, p, store.AbsenceFilter{UserID: &target.ID}, store.Page{})
		if err == nil && len(rows) == 0 {
			return models.E(models.CodeNotFound, "none visible")
		}
		return err
	}
	// Absences are recorded for dispatched cadres by their supervisors;
	// for self the matrix is checked through the same CheckUnit.
	exercisers[authz.WriteAbsences] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID == p.UserID {
			return s.CheckUnit(context.Background(), p, authz.WriteAbsences, target.OrgUnitID)
		}
		tx, _, err := s.BeginAbsence(context.Background(), p, target.ID, fmt.Sprintf("w-%d", recordSeq.Add(1)), "2026-11-02", "2026-11-03")
		if err == nil {
			tx.Rollback()
		}
		return err
	}
}

// TestSupersedingRulings: a ruling is superseded up the tree — the
// supervisor of the unit above the first reviewer's, then the discipline
// group, never a peer or the same supervisor again — each naming the
// ruling it supersedes (a stale one is CONFLICT, a resend is the stored
// ruling), and the latest decides the check-in's status everywhere it is
// read. A PENDING check-in is reviewed, not overturned.
func TestSupersedingRulings(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		sup := func(name, unit string) *authz.Principal {
			role := models.RoleSupervisor
			u, err := s.CreateUser(ctx, w.admin, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &w.units[unit].ID}, "x")
			if err != nil {
				t.Fatal(err)
			}
			return principalOf(u)
		}
		supA1, supRoot, supA := sup("supA1", "A1"), sup("supRoot", "root"), principalOf(w.users["supA"])
		supA1b := sup("supA1b", "A1")
		insp := principalOf(w.users["discipline"])
		cadre := w.users["cadreA1"].ID

		pending, err := pendingCheckIn(s, cadre)
		if err != nil {
			t.Fatal(err)
		}
		overturn := func(p *authz.Principal, d models.ReviewDecision, reason string, supersedes *int64) (*models.Review, error) {
			r := &models.Review{CheckInID: pending.ID, Decision: d, Reason: reason}
			tx, prior, err := s.BeginRuling(ctx, p, r, supersedes)
			if err != nil {
				return nil, err
			}
			if prior.Replayed != nil {
				return prior.Replayed, nil
			}
			defer tx.Rollback()
			return r, tx.Commit(store.Writes{Reviews: []*models.Review{r}})
		}
		if _, err := overturn(supA, models.ReviewReject, "too early", nil); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("overturning a PENDING check-in: %v, want CONFLICT", err)
		}
		first, err := rule(s, supA1, pending.ID, models.ReviewConfirm)
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name       string
			p          *authz.Principal
			d          models.ReviewDecision
			supersedes *int64
			want       models.Code
		}{
			{"a peer of the first reviewer", supA1b, models.ReviewReject, &first.ID, models.CodeForbidden},
			{"the first reviewer again", supA1, models.ReviewReject, &first.ID, models.CodeForbidden},
			{"a supervisor of another branch", principalOf(w.users["supB"]), models.ReviewReject, &first.ID, models.CodeForbidden},
			{"an administrator", w.admin, models.ReviewReject, &first.ID, models.CodeForbidden},
			{"the supervisor above, naming no ruling", supA, models.ReviewReject, nil, models.CodeConflict},
			{"the supervisor above", supA, models.ReviewReject, &first.ID, ""},
		}
		var latest *models.Review
		for _, st := range steps {
			got, err := overturn(st.p, st.d, "spot check", st.supersedes)
			if codeOrEmpty(err) != st.want {
				t.Fatalf("%s: %v, want %q", st.name, err, st.want)
			}
			if err == nil {
				latest = got
			}
		}
		if latest.Seq != 2 || latest.ReviewerID != supA.UserID {
			t.Errorf("the superseding ruling: %+v, want seq 2 by supA", latest)
		}
		if again, err := overturn(supA, models.ReviewReject, "spot check", &first.ID); err != nil || again.ID != latest.ID {
			t.Errorf("a resend: %+v, %v; want ruling %d again", again, err, latest.ID)
		}
		if _, err := overturn(supA, models.ReviewReject, "spot check", &first.ID); err != nil {
			t.Errorf("a second resend: %v", err)
		}
		if _, err := overturn(supA1, models.ReviewConfirm, "back", &latest.ID); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("the first reviewer over its superior: %v, want FORBIDDEN", err)
		}
		if _, err := overturn(supRoot, models.ReviewConfirm, "seen at the office", &first.ID); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("naming a superseded ruling: %v, want CONFLICT", err)
		}
		top, err := overturn(supRoot, models.ReviewConfirm, "seen at the office", &latest.ID)
		if err != nil {
			t.Fatal(err)
		}
		final, err := overturn(insp, models.ReviewReject, "the photo is from another day", &top.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := overturn(supRoot, models.ReviewConfirm, "no", &final.ID); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("a supervisor over the discipline group: %v, want FORBIDDEN", err)
		}
		history, err := s.RulingsByCheckIn(ctx, insp, []int64{pending.ID})
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int
		for _, r := range history[pending.ID] {
			seqs = append(seqs, r.Seq)
		}
		if fmt.Sprint(seqs) != "[1 2 3 4]" {
			t.Errorf("history seqs %v, want [1 2 3 4]", seqs)
		}
		got, err := s.ReviewsByCheckIn(ctx, insp, []int64{pending.ID})
		if err != nil || got[pending.ID].ID != final.ID {
			t.Errorf("latest ruling: %+v, %v; want %d", got[pending.ID], err, final.ID)
		}
		for st, want := range map[models.CheckInStatus]bool{models.CheckInRejected: true, models.CheckInConfirmed: false, models.CheckInPending: false} {
			rows, _, err := s.ListCheckIns(ctx, insp, store.CheckInFilter{UserID: &cadre, Status: &st}, store.Page{})
			listed := false
			for _, c := range rows {
				listed = listed || c.ID == pending.ID
			}
			if err != nil || listed != want {
				t.Errorf("status %s lists it: %v (%v), want %v", st, listed, err, want)
			}
		}
	})
}

// TestCorrectionLeavesFindTheirRecords: every kind of correction, written
// with its leaf as the services write them, is found by the verifier's
// readers under its own kind and no other — the rulings of kinds review
// and ruling share a table, as do an activity's first and later rulings —
// so a sequenced log has no leaf without its record and no record without
// its leaf, and each record still hashes to its leaf.
func TestCorrectionLeavesFindTheirRecords(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		cadre, sup, insp := w.users["cadreA1"], principalOf(w.users["supA"]), principalOf(w.users["discipline"])
		at := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
		seal := func(rec any) []models.Leaf {
			l, err := ledger.LeafOf(rec)
			if err != nil {
				t.Fatal(err)
			}
			return []models.Leaf{l}
		}
		want := map[models.LeafKind][]models.Ledgered{}
		keep := func(kind models.LeafKind, rec models.Ledgered) { want[kind] = append(want[kind], rec) }

		// A check-in ruled on, then overturned; another confirmed at a named region.
		c, _ := ledgeredCheckIn(t, s, cadre.ID, "c-ruled")
		tx, got, err := s.BeginReview(ctx, sup, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		first := &models.Review{CheckInID: got.ID, Seq: 1, ReviewerID: sup.UserID, Decision: models.ReviewConfirm, Reason: "seen", CreatedAt: at}
		if err := tx.Commit(store.Writes{Reviews: []*models.Review{first}, Leaves: seal(first)}); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafReview, first)
		later := &models.Review{CheckInID: c.ID, Decision: models.ReviewReject, Reason: "struck", CreatedAt: at}
		rtx, _, err := s.BeginRuling(ctx, insp, later, &first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := rtx.Commit(store.Writes{Reviews: []*models.Review{later}, Leaves: seal(later)}); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafRuling, later)
		outside, _ := ledgeredCheckIn(t, s, cadre.ID, "c-outside")
		tx, got, err = s.BeginReview(ctx, sup, outside.ID)
		if err != nil {
			t.Fatal(err)
		}
		region := int64(1)
		named := &models.Review{CheckInID: got.ID, Seq: 1, ReviewerID: sup.UserID, Decision: models.ReviewConfirm, RegionID: &region, Reason: "at the county", CreatedAt: at}
		if err := tx.Commit(store.Writes{Reviews: []*models.Review{named}, Leaves: seal(named)}); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafRuling, named)

		// An activity recorded, struck and restored: the first ruling is a
		// leaf of kind activity_review, the restoration (seq 2) of kind
		// activity_ruling.
		n, err := storeActivityAs(s, cadre, models.ActivityRecorded)
		if err != nil {
			t.Fatal(err)
		}
		keep(models.LeafActivity, &models.ActivityRecord{Activity: n.Activity})
		var prev *int64
		for _, p := range []*authz.Principal{sup, insp} {
			r := &models.ActivityReview{ActivityID: n.Activity.ID, Decision: models.ReviewReject, Reason: "call-back", CreatedAt: at}
			atx, _, err := s.BeginActivityRuling(ctx, p, r, prev)
			if err != nil {
				t.Fatal(err)
			}
			wr := store.RecordWrites{ActivityRuling: r, Leaves: seal(r)}
			if r.Seq > 1 {
				keep(models.LeafActivityRuling, r)
			} else {
				keep(models.LeafActivityReview, r)
			}
			if err := atx.Commit(wr); err != nil {
				t.Fatal(err)
			}
			prev = &r.ID
		}

		// A make-up request and its decision; an absence and its withdrawal.
		m, err := storeMakeUp(s, cadre)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddLeaves(ctx, system, seal(m)); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafMakeUp, m)
		dtx, _, _, err := s.BeginMakeUpDecision(ctx, sup, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		dec := &models.MakeUpDecision{MakeUpID: m.ID, DeciderID: sup.UserID, Decision: models.MakeUpRefuse, Reason: "no", CreatedAt: at}
		if err := dtx.Commit(store.RecordWrites{MakeUpDecision: dec, Leaves: seal(dec)}); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafMakeUpDecision, dec)
		abtx, _, err := s.BeginAbsence(ctx, sup, cadre.ID, "ab-1", "2026-11-10", "2026-11-12")
		if err != nil {
			t.Fatal(err)
		}
		ab := &models.Absence{UserID: cadre.ID, ClientID: "ab-1", Kind: models.AbsenceLeave, FromDate: "2026-11-10", ToDate: "2026-11-12", ApprovedBy: sup.UserID, CreatedAt: at}
		if err := abtx.Commit(store.RecordWrites{Absence: ab, Leaves: seal(ab)}); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafAbsence, ab)
		wtx, _, _, err := s.BeginAbsenceWithdrawal(ctx, sup, ab.ID)
		if err != nil {
			t.Fatal(err)
		}
		wd := &models.AbsenceWithdrawal{AbsenceID: ab.ID, ActorID: sup.UserID, Reason: "back early", CreatedAt: at}
		if err := wtx.Commit(store.RecordWrites{AbsenceWithdrawal: wd, Leaves: seal(wd)}); err != nil {
			t.Fatal(err)
		}
		keep(models.LeafAbsenceWithdrawal, wd)

		sequence(t, s, "test")
		leaves, err := s.LeavesFrom(ctx, system, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		found := map[models.LeafKey]bool{}
		for _, l := range leaves {
			if l.Record == nil {
				t.Errorf("leaf %s has no record", l.Key)
				continue
			}
			if b, _ := ledger.Canonical(l.Record); !bytes.Equal(ledger.HashLeaf(b), l.Hash) {
				t.Errorf("leaf %s: the record no longer hashes to it", l.Key)
			}
			found[l.Key] = true
		}
		for kind, recs := range want {
			for _, r := range recs {
				if !found[r.LeafKey()] {
					t.Errorf("%s %d: no sequenced leaf found", kind, r.RecordID())
				}
				if got, err := s.LedgerRecord(ctx, insp, kind, r.RecordID()); err != nil || got.LeafKey() != r.LeafKey() {
					t.Errorf("%s %d read as %v (%v)", kind, r.RecordID(), got, err)
				}
			}
			orphans, err := s.RecordsWithoutLeaf(ctx, system, kind, 0, 0, 100)
			if err != nil || len(orphans) != 0 {
				t.Errorf("%s: records without a leaf %v (%v), want none", kind, orphans, err)
			}
		}
		if _, err := s.LedgerRecord(ctx, insp, models.LeafReview, later.ID); models.CodeOf(err) != models.CodeNotFound {
			t.Errorf("a superseding ruling read as kind review: %v, want NOT_FOUND", err)
		}
	})
}

// TestMadeUpDaysAreCandidates: a day counted only on an approved make-up
// request is a spot check's candidate, marked made up; a refused or
// undecided request is no candidate but counts for the make-up detector.
func TestMadeUpDaysAreCandidates(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		cadre, sup, insp := w.users["cadreA1"], principalOf(w.users["supA"]), principalOf(w.users["discipline"])
		decide := func(d models.MakeUpDecisionKind) {
			m, err := storeMakeUp(s, cadre)
			if err != nil {
				t.Fatal(err)
			}
			tx, _, _, err := s.BeginMakeUpDecision(ctx, sup, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			dec := &models.MakeUpDecision{MakeUpID: m.ID, DeciderID: sup.UserID, Decision: d, Reason: "checked", CreatedAt: time.Now().UTC()}
			if err := tx.Commit(store.RecordWrites{MakeUpDecision: dec}); err != nil {
				t.Fatal(err)
			}
		}
		decide(models.MakeUpRefuse)
		if _, err := storeMakeUp(s, cadre); err != nil { // undecided
			t.Fatal(err)
		}
		days, err := s.CandidateCheckIns(ctx, insp, nil, "2026-11-01", "2026-11-30")
		if err != nil || len(days) != 0 {
			t.Fatalf("candidates before an approval: %+v (%v), want none", days, err)
		}
		decide(models.MakeUpApprove)
		days, err = s.CandidateCheckIns(ctx, insp, nil, "2026-11-01", "2026-11-30")
		if err != nil || len(days) != 1 || !days[0].MadeUp || days[0].UserID != cadre.ID || days[0].Date != "2026-11-02" {
			t.Errorf("candidates after an approval: %+v (%v), want cadreA1's 2026-11-02, made up", days, err)
		}
		facts, err := s.CadreFacts(ctx, insp, nil, "2026-11-01", "2026-11-30")
		if err != nil || facts.MakeUps[cadre.ID] != 3 {
			t.Errorf("make-up requests counted: %v (%v), want 3", facts.MakeUps, err)
		}
	})
}
