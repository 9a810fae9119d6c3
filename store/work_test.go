package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

func init() {
	exercisers[authz.ReadWork] = exerciseReadWork
	exercisers[authz.WriteWork] = exerciseWriteWork
}

// authzAdmin is the admin the exercisers use for their own setup.
var authzAdmin = &authz.Principal{UserID: -1, Role: models.RoleAdmin}

// authzCounty imports (or finds) the county the exercisers assign to.
func authzCounty(s *store.Store) (int64, error) {
	rs := []store.RegionGeometry{syntheticCounty("SYN-AUTHZ-COUNTY", 0.5)}
	if _, err := s.ImportRegions(context.Background(), authzAdmin, rs, "test"); err != nil {
		return 0, err
	}
	return rs[0].Region.ID, nil
}

// exerciseReadWork makes sure target has an assignment (set up as admin),
// then lists target's assignments as p: allowed iff p sees it.
func exerciseReadWork(s *store.Store, p *authz.Principal, target *models.User) error {
	ctx := context.Background()
	county, err := authzCounty(s)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	in := store.AssignInput{UserID: &target.ID, RegionID: county, Purpose: models.PurposeDispatch, ValidFrom: "2000-01-01", ValidTo: "2000-01-01"}
	if _, err := s.Assign(ctx, authzAdmin, in); err != nil && models.CodeOf(err) != models.CodeConflict {
		return fmt.Errorf("setup: %w", err) // not a domain refusal: the matrix test fails on it
	}
	rows, _, err := s.ListAssignments(ctx, p, store.AssignmentFilter{UserID: &target.ID}, store.Page{})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return models.E(models.CodeNotFound, "no assignment of %s visible", target.Username)
	}
	return nil
}

// authzDay makes each write exerciser call use a day of its own, far in the
// future, so that no call collides with another (no CONFLICT).
var authzDay atomic.Int64

// exerciseWriteWork assigns target to a county for one fresh day as p.
func exerciseWriteWork(s *store.Store, p *authz.Principal, target *models.User) error {
	county, err := authzCounty(s)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	day := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(authzDay.Add(1))).Format("2006-01-02")
	_, err = s.Assign(context.Background(), p, store.AssignInput{UserID: &target.ID, RegionID: county, Purpose: models.PurposeDispatch,
		ValidFrom: day, ValidTo: day})
	return err
}

// syntheticCounty is a synthetic county of about 10 km in 开封 (410200)
// near 114.3E 34.8N, shifted east by shift degrees.
func syntheticCounty(code string, shift float64) store.RegionGeometry {
	return syntheticSquare(models.RegionCounty, code, "410200", 114.30+shift, 0.1)
}

// workWorld is buildWorld plus regions and supA and supB at division rank.
type workWorld struct {
	*world
	regions map[string]int64 // c1, c2 (counties), capital (campus in 郑州), kaifeng (campus in 开封)
}

func buildWorkWorld(t *testing.T, s *store.Store) *workWorld {
	t.Helper()
	ctx := context.Background()
	w := &workWorld{world: buildWorld(t, s), regions: map[string]int64{}}
	division := models.RankDivision
	for _, name := range []string{"supA", "supB"} {
		u, err := s.UpdateUser(ctx, w.admin, w.users[name].ID, store.UserInput{Rank: &division})
		if err != nil {
			t.Fatal(err)
		}
		w.users[name] = u
	}
	kaifeng := syntheticCampus("SYN-KF", 0.7)
	kaifeng.Region.ParentCode = "410200"
	rs := []store.RegionGeometry{syntheticCounty("SYN-C1", 0), syntheticCounty("SYN-C2", 0.2), syntheticCampus("SYN-CAP", 0), kaifeng}
	if _, err := s.ImportRegions(ctx, w.admin, rs, "test"); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"c1", "c2", "capital", "kaifeng"} {
		w.regions[name] = rs[i].Region.ID
	}
	return w
}

func (w *workWorld) p(name string) *authz.Principal { return principalOf(w.users[name]) }
func (w *workWorld) id(name string) int64           { return w.users[name].ID }
func (w *workWorld) idp(name string) *int64 {
	id := w.users[name].ID
	return &id
}

// TestCreateWorkGroupR1 checks R1's shape of a work group and who may form
// one.
func TestCreateWorkGroupR1(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		unitA, unitB := w.units["A"].ID, w.units["B"].ID
		cases := []struct {
			name  string
			actor string
			in    store.WorkGroupInput
			want  models.Code // "" for success
		}{
			{"staff-rank leader refused (R1)", "supA", store.WorkGroupInput{Name: "g", OrgUnitID: unitA, LeaderID: w.id("cadreA"), MemberIDs: []int64{w.id("cadreA1")}}, models.CodeInvalid},
			{"leader alone refused (R1)", "supA", store.WorkGroupInput{Name: "g", OrgUnitID: unitA, LeaderID: w.id("supA"), MemberIDs: []int64{w.id("supA")}}, models.CodeInvalid},
			{"blank name", "supA", store.WorkGroupInput{Name: " ", OrgUnitID: unitA, LeaderID: w.id("supA"), MemberIDs: []int64{w.id("cadreA")}}, models.CodeInvalid},
			{"member outside the subtree", "supB", store.WorkGroupInput{Name: "g", OrgUnitID: unitB, LeaderID: w.id("supB"), MemberIDs: []int64{w.id("cadreA")}}, models.CodeForbidden},
			{"owning unit outside the subtree", "supB", store.WorkGroupInput{Name: "g", OrgUnitID: unitA, LeaderID: w.id("supB"), MemberIDs: []int64{w.id("cadreB")}}, models.CodeForbidden},
			{"cadre may not", "cadreA", store.WorkGroupInput{Name: "g", OrgUnitID: unitA, LeaderID: w.id("supA"), MemberIDs: []int64{w.id("cadreA")}}, models.CodeForbidden},
			{"discipline may not", "discipline", store.WorkGroupInput{Name: "g", OrgUnitID: unitA, LeaderID: w.id("supA"), MemberIDs: []int64{w.id("cadreA")}}, models.CodeForbidden},
			{"unknown member", "admin", store.WorkGroupInput{Name: "g", OrgUnitID: unitA, LeaderID: w.id("supA"), MemberIDs: []int64{999999}}, models.CodeNotFound},
			{"unknown unit", "admin", store.WorkGroupInput{Name: "g", OrgUnitID: 999999, LeaderID: w.id("supA"), MemberIDs: []int64{w.id("cadreA")}}, models.CodeNotFound},
			{"division leader and a member, repeats collapse", "supA", store.WorkGroupInput{Name: " 第一工作组 ", OrgUnitID: unitA, LeaderID: w.id("supA"),
				MemberIDs: []int64{w.id("cadreA1"), w.id("supA"), w.id("cadreA1")}}, ""},
		}
		for _, c := range cases {
			g, err := s.CreateWorkGroup(ctx, w.p(c.actor), c.in)
			if got := codeOrEmpty(err); got != c.want {
				t.Errorf("%s: got %v, want %q", c.name, err, c.want)
				continue
			}
			if err != nil {
				continue
			}
			if got, want := g.Name, "第一工作组"; got != want {
				t.Errorf("%s: got name %q, want %q", c.name, got, want)
			}
			members, err := s.WorkGroupMembers(ctx, w.admin, []int64{g.ID})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := usernames(members[g.ID]), "supA,cadreA1"; got != want {
				t.Errorf("%s: got members %s, want %s (leader first, no repeats)", c.name, got, want)
			}
		}
	})
}

func codeOrEmpty(err error) models.Code {
	if err == nil {
		return ""
	}
	return models.CodeOf(err)
}

func usernames(users []*models.User) string {
	out := ""
	for i, u := range users {
		if i > 0 {
			out += ","
		}
		out += u.Username
	}
	return out
}

// TestWorkGroupScoping: cadres see their own groups, supervisors those of
// their subtree, the discipline group and admins all.
func TestWorkGroupScoping(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		g, err := s.CreateWorkGroup(ctx, w.p("supA"), store.WorkGroupInput{Name: "A team", OrgUnitID: w.units["A"].ID,
			LeaderID: w.id("supA"), MemberIDs: []int64{w.id("cadreA")}})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			actor   string
			visible bool
		}{
			{"cadreA", true}, {"cadreA1", false}, {"cadreB", false}, {"supA", true}, {"supB", false}, {"discipline", true}, {"admin", true},
		}
		for _, c := range cases {
			p := w.p(c.actor)
			rows, _, err := s.ListWorkGroups(ctx, p, nil, store.Page{})
			if err != nil {
				t.Fatalf("%s: %v", c.actor, err)
			}
			_, one := s.WorkGroup(ctx, p, g.ID)
			byID, _ := s.WorkGroupsByID(ctx, p, []int64{g.ID})
			members, _ := s.WorkGroupMembers(ctx, p, []int64{g.ID})
			got := [4]bool{len(rows) == 1, one == nil, byID[g.ID] != nil, len(members[g.ID]) == 2}
			if want := [4]bool{c.visible, c.visible, c.visible, c.visible}; got != want {
				t.Errorf("%s: got list/get/byID/members visible %v, want %v", c.actor, got, want)
			}
		}
		other := w.units["B"].ID
		if rows, _, err := s.ListWorkGroups(ctx, w.admin, &other, store.Page{}); err != nil || len(rows) != 0 {
			t.Errorf("groups of unit B: got %d (%v), want 0", len(rows), err)
		}
	})
}

// TestAssign walks through assignments in order; each step sees the
// assignments of the steps before it.
func TestAssign(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		g, err := s.CreateWorkGroup(ctx, w.admin, store.WorkGroupInput{Name: "A team", OrgUnitID: w.units["A"].ID,
			LeaderID: w.id("supA"), MemberIDs: []int64{w.id("cadreA")}})
		if err != nil {
			t.Fatal(err)
		}
		c1, c2, capital, kaifeng := w.regions["c1"], w.regions["c2"], w.regions["capital"], w.regions["kaifeng"]
		dispatch, city, capitalP := models.PurposeDispatch, models.PurposeCampusCity, models.PurposeCampusCapital
		unknown := int64(999999)
		steps := []struct {
			name  string
			actor string
			in    store.AssignInput
			want  models.Code
			rows  int
		}{
			{"cadre to a county", "supA", store.AssignInput{UserID: w.idp("cadreA1"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01", ValidTo: "2024-06-30"}, "", 1},
			{"work group: every member", "supA", store.AssignInput{WorkGroupID: &g.ID, RegionID: c2, Purpose: dispatch, ValidFrom: "2024-07-01"}, "", 2},
			{"overlapping dispatch (R5)", "supA", store.AssignInput{UserID: w.idp("cadreA1"), RegionID: c2, Purpose: dispatch, ValidFrom: "2024-06-01", ValidTo: "2024-12-31"}, models.CodeConflict, 0},
			{"adjacent dispatch", "supA", store.AssignInput{UserID: w.idp("cadreA1"), RegionID: c2, Purpose: dispatch, ValidFrom: "2024-07-01"}, "", 1},
			{"overlaps the group's open one", "admin", store.AssignInput{UserID: w.idp("cadreA"), RegionID: c1, Purpose: dispatch, ValidFrom: "2030-01-01", ValidTo: "2030-01-31"}, models.CodeConflict, 0},
			{"group overlaps as a whole", "admin", store.AssignInput{WorkGroupID: &g.ID, RegionID: c1, Purpose: dispatch, ValidFrom: "2024-12-01"}, models.CodeConflict, 0},
			{"campus in the capital (R4)", "supA", store.AssignInput{UserID: w.idp("cadreA1"), RegionID: capital, Purpose: capitalP, ValidFrom: "2024-01-01"}, "", 1},
			{"campus links overlap each other", "supA", store.AssignInput{UserID: w.idp("cadreA1"), RegionID: kaifeng, Purpose: city, ValidFrom: "2024-01-01"}, "", 1},
			{"same campus twice", "supA", store.AssignInput{UserID: w.idp("cadreA1"), RegionID: kaifeng, Purpose: city, ValidFrom: "2025-01-01"}, models.CodeConflict, 0},
			{"CAMPUS_CAPITAL outside 郑州 (R4)", "supA", store.AssignInput{UserID: w.idp("cadreA"), RegionID: kaifeng, Purpose: capitalP, ValidFrom: "2024-01-01"}, models.CodeInvalid, 0},
			{"campus purpose on a county", "supA", store.AssignInput{UserID: w.idp("cadreA"), RegionID: c1, Purpose: city, ValidFrom: "2024-01-01"}, models.CodeInvalid, 0},
			{"dispatch to a campus (县级（高校）团委)", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: capital, Purpose: dispatch, ValidFrom: "2024-01-01", ValidTo: "2024-01-31"}, "", 1},
			{"group to a campus (R1)", "admin", store.AssignInput{WorkGroupID: &g.ID, RegionID: capital, Purpose: city, ValidFrom: "2024-01-01"}, models.CodeInvalid, 0},
			{"unknown region", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: unknown, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeNotFound, 0},
			{"unknown user", "admin", store.AssignInput{UserID: &unknown, RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeNotFound, 0},
			{"unknown group", "admin", store.AssignInput{WorkGroupID: &unknown, RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeNotFound, 0},
			{"user and group", "admin", store.AssignInput{UserID: w.idp("cadreB"), WorkGroupID: &g.ID, RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeInvalid, 0},
			{"neither user nor group", "admin", store.AssignInput{RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeInvalid, 0},
			{"no such day", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-02-30"}, models.CodeInvalid, 0},
			{"unpadded date", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-2-3"}, models.CodeInvalid, 0},
			{"missing start", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch}, models.CodeInvalid, 0},
			{"ends before it starts", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-02-02", ValidTo: "2024-02-01"}, models.CodeInvalid, 0},
			{"unknown purpose", "admin", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: "HOLIDAY", ValidFrom: "2024-01-01"}, models.CodeInvalid, 0},
			{"supervisor of B on cadreA", "supB", store.AssignInput{UserID: w.idp("cadreA"), RegionID: c1, Purpose: dispatch, ValidFrom: "2031-01-01"}, models.CodeForbidden, 0},
			{"cadre on itself", "cadreB", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeForbidden, 0},
			{"discipline", "discipline", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-01-01"}, models.CodeForbidden, 0},
			{"one-day dispatch", "supB", store.AssignInput{UserID: w.idp("cadreB"), RegionID: c1, Purpose: dispatch, ValidFrom: "2024-03-01", ValidTo: "2024-03-01"}, "", 1},
		}
		for _, st := range steps {
			rows, err := s.Assign(ctx, w.p(st.actor), st.in)
			if got := codeOrEmpty(err); got != st.want || len(rows) != st.rows {
				t.Errorf("%s: got %d rows, %v; want %d rows, %q", st.name, len(rows), err, st.rows, st.want)
			}
			for _, a := range rows {
				if a.ID == 0 || a.CreatedBy != w.id(st.actor) || (st.in.WorkGroupID != nil) != (a.WorkGroupID != nil) {
					t.Errorf("%s: got row %+v, want stored, by %s, group %v", st.name, a, st.actor, st.in.WorkGroupID)
				}
			}
		}
		all, _, err := s.ListAssignments(ctx, w.admin, store.AssignmentFilter{}, store.Page{})
		if got, want := len(all), 8; err != nil || got != want {
			t.Errorf("all assignments: got %d (%v), want %d (refused ones leave no row)", got, err, want)
		}
	})
}

// TestAssignConcurrentOverlap: of several concurrent overlapping DISPATCH
// assignments of one cadre exactly one is stored (R5).
func TestAssignConcurrentOverlap(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.Assign(context.Background(), w.admin, store.AssignInput{UserID: w.idp("cadreA"), RegionID: w.regions["c1"],
					Purpose: models.PurposeDispatch, ValidFrom: fmt.Sprintf("2024-01-%02d", i+1)})
			})
		}
		wg.Wait()
		got := map[models.Code]int{}
		for _, err := range errs {
			got[codeOrEmpty(err)]++
		}
		if got[""] != 1 || got[models.CodeConflict] != n-1 {
			t.Errorf("got outcomes %v, want 1 stored and %d CONFLICT", got, n-1)
		}
	})
}

// TestAssignConcurrentCadres: assigning many cadres at once, each to the
// same county, stores every assignment. On MySQL the overlap checks of
// cadres with neighbouring ids once shared an index gap and deadlocked.
func TestAssignConcurrentCadres(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		const n = 16
		ids := make([]int64, n)
		for i := range ids {
			name, role := fmt.Sprintf("many-%02d", i), models.RoleCadre
			u, err := s.CreateUser(ctx, w.admin, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &w.units["A"].ID}, "x")
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = u.ID
		}
		for round := range 3 { // several rounds: the gaps move as rows arrive
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, errs[i] = s.Assign(ctx, w.admin, store.AssignInput{UserID: &ids[i], RegionID: w.regions["c1"],
						Purpose: models.PurposeDispatch, ValidFrom: fmt.Sprintf("2024-0%d-01", round+1), ValidTo: fmt.Sprintf("2024-0%d-28", round+1)})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("round %d, cadre %d: %v", round, i, err)
				}
			}
		}
	})
}

// TestRotate: a rotation closes the old assignment the day before and opens
// the new one, keeping both (R5); every reader sees the right one on each
// side of the switch.
func TestRotate(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		c1, c2 := w.regions["c1"], w.regions["c2"]
		old := assign(t, s, w.admin, w.id("cadreA"), c1, "2024-01-01", "")
		next, err := s.Rotate(ctx, w.p("supA"), old.ID, c2, "2024-04-01")
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("user %d region %d %s %q…%q", next.UserID, next.RegionID, next.Purpose, next.ValidFrom, next.ValidTo)
		if want := fmt.Sprintf("user %d region %d DISPATCH %q…%q", w.id("cadreA"), c2, "2024-04-01", ""); got != want {
			t.Errorf("new assignment: got %s, want %s", got, want)
		}
		history, _, err := s.ListAssignments(ctx, w.p("supA"), store.AssignmentFilter{UserID: w.idp("cadreA")}, store.Page{})
		if err != nil || len(history) != 2 {
			t.Fatalf("history: got %d rows (%v), want 2", len(history), err)
		}
		closed := history[0]
		got = fmt.Sprintf("%d %s…%s endedBySupA=%v endedAt=%v", closed.ID, closed.ValidFrom, closed.ValidTo,
			closed.EndedBy != nil && *closed.EndedBy == w.id("supA"), closed.EndedAt != nil)
		if want := fmt.Sprintf("%d 2024-01-01…2024-03-31 endedBySupA=true endedAt=true", old.ID); got != want {
			t.Errorf("old assignment: got %s, want %s", got, want)
		}
		for _, c := range []struct {
			date string
			want int64 // region in force; 0 for none
		}{
			{"2023-12-31", 0}, {"2024-01-01", c1}, {"2024-03-31", c1}, {"2024-04-01", c2}, {"2099-01-01", c2},
		} {
			listed, _, err := s.ListAssignments(ctx, w.p("cadreA"), store.AssignmentFilter{ActiveOn: c.date}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if got := regionsOf(listed); got != c.want {
				t.Errorf("%s: got ListAssignments region %d, want %d", c.date, got, c.want)
			}
		}
	})
}

// assign stores one DISPATCH assignment as p or fails the test.
func assign(t *testing.T, s *store.Store, p *authz.Principal, userID, regionID int64, from, to string) *models.Assignment {
	t.Helper()
	rows, err := s.Assign(context.Background(), p, store.AssignInput{UserID: &userID, RegionID: regionID,
		Purpose: models.PurposeDispatch, ValidFrom: from, ValidTo: to})
	if err != nil {
		t.Fatal(err)
	}
	return rows[0]
}

// regionsOf returns the region of the only assignment, 0 for none and -1
// for several.
func regionsOf(rows []*models.Assignment) int64 {
	switch len(rows) {
	case 0:
		return 0
	case 1:
		return rows[0].RegionID
	}
	return -1
}

// TestRotateRefusals: what a rotation may not do.
func TestRotateRefusals(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		c1, c2 := w.regions["c1"], w.regions["c2"]
		rotated := assign(t, s, w.admin, w.id("cadreA"), c1, "2024-01-01", "")
		current, err := s.Rotate(ctx, w.admin, rotated.ID, c2, "2024-04-01")
		if err != nil {
			t.Fatal(err)
		}
		january := assign(t, s, w.admin, w.id("cadreA1"), c1, "2024-01-01", "2024-01-31")
		cases := []struct {
			name  string
			actor string
			id    int64
			to    int64
			from  string
			want  models.Code
		}{
			{"already rotated", "supA", rotated.ID, c1, "2024-02-01", models.CodeConflict},
			{"on its first day", "supA", current.ID, c1, "2024-04-01", models.CodeInvalid},
			{"already ended", "supA", january.ID, c2, "2024-03-01", models.CodeConflict},
			{"unknown region", "supA", current.ID, 999999, "2024-05-01", models.CodeNotFound},
			{"no such day", "supA", current.ID, c1, "2024-04-31", models.CodeInvalid},
			{"unknown assignment", "supA", 999999, c1, "2024-05-01", models.CodeNotFound},
			{"outside the subtree", "supB", current.ID, c1, "2024-05-01", models.CodeForbidden},
			{"cadre", "cadreA", current.ID, c1, "2024-05-01", models.CodeForbidden},
		}
		for _, c := range cases {
			if _, err := s.Rotate(ctx, w.p(c.actor), c.id, c.to, c.from); codeOrEmpty(err) != c.want {
				t.Errorf("%s: got %v, want %s", c.name, err, c.want)
			}
		}
		all, _, _ := s.ListAssignments(ctx, w.admin, store.AssignmentFilter{}, store.Page{})
		if got, want := len(all), 3; got != want {
			t.Errorf("assignments after refusals: got %d, want %d", got, want)
		}
		// A closed assignment rotated inside its period: the new one keeps its end.
		next, err := s.Rotate(ctx, w.p("supA"), january.ID, c2, "2024-01-15")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := span(next), "2024-01-15…2024-01-31"; got != want {
			t.Errorf("rotated inside a closed period: got %s, want %s", got, want)
		}
	})
}

func span(a *models.Assignment) string { return a.ValidFrom + "…" + a.ValidTo }

// TestDispatchCountyIn: the county of a cadre for a period is the latest
// DISPATCH assignment overlapping it; campus links do not count.
func TestDispatchCountyIn(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		c1, c2 := w.regions["c1"], w.regions["c2"]
		first := assign(t, s, w.admin, w.id("cadreA"), c1, "2024-01-01", "")
		if _, err := s.Rotate(ctx, w.admin, first.ID, c2, "2024-05-15"); err != nil {
			t.Fatal(err)
		}
		capital := w.id("cadreA")
		if _, err := s.Assign(ctx, w.admin, store.AssignInput{UserID: &capital, RegionID: w.regions["capital"], Purpose: models.PurposeCampusCapital, ValidFrom: "2023-01-01"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			first, last string
			want        int64
			code        models.Code
		}{
			{"2024-01-01", "2024-03-31", c1, ""},
			{"2024-04-01", "2024-06-30", c2, ""}, // rotated mid-quarter: the new county
			{"2024-10-01", "2024-12-31", c2, ""},
			{"2023-10-01", "2023-12-31", 0, models.CodeNotFound}, // only a campus link then
			{"2024-03-31", "2024-01-01", 0, models.CodeInvalid},
			{"2024-01-01", "", 0, models.CodeInvalid},
		}
		for _, c := range cases {
			a, err := s.DispatchCountyIn(ctx, system, w.id("cadreA"), c.first, c.last)
			got := int64(0)
			if a != nil {
				got = a.RegionID
			}
			if got != c.want || codeOrEmpty(err) != c.code {
				t.Errorf("%s…%s: got region %d, %v; want %d, %q", c.first, c.last, got, err, c.want, c.code)
			}
		}
	})
}

// TestAssignmentScoping: authz.ReadWork in SQL: cadres see their own
// assignments, supervisors their subtree's, the discipline group all.
func TestAssignmentScoping(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorkWorld(t, s)
		ctx := context.Background()
		for _, name := range []string{"cadreA", "cadreA1", "cadreB"} {
			assign(t, s, w.admin, w.id(name), w.regions["c1"], "2024-01-01", "")
		}
		cases := []struct {
			actor  string
			target string // "" for no user filter
			want   int
		}{
			{"cadreB", "cadreA", 0}, {"cadreB", "", 1}, {"cadreB", "cadreB", 1},
			{"supA", "cadreA", 1}, {"supA", "cadreA1", 1}, {"supA", "cadreB", 0}, {"supA", "", 2},
			{"discipline", "cadreA", 1}, {"discipline", "", 3}, {"admin", "cadreB", 1},
		}
		for _, c := range cases {
			f := store.AssignmentFilter{}
			if c.target != "" {
				f.UserID = w.idp(c.target)
			}
			rows, _, err := s.ListAssignments(ctx, w.p(c.actor), f, store.Page{})
			if err != nil || len(rows) != c.want {
				t.Errorf("%s lists %q: got %d (%v), want %d", c.actor, c.target, len(rows), err, c.want)
			}
		}
		page, info, err := s.ListAssignments(ctx, w.p("discipline"), store.AssignmentFilter{}, store.Page{First: 2})
		if err != nil || len(page) != 2 || !info.HasNextPage {
			t.Fatalf("first page: got %d, next %v (%v), want 2, true", len(page), info.HasNextPage, err)
		}
		rest, info, err := s.ListAssignments(ctx, w.p("discipline"), store.AssignmentFilter{}, store.Page{First: 2, After: info.EndCursor})
		if err != nil || len(rest) != 1 || info.HasNextPage {
			t.Errorf("second page: got %d, next %v (%v), want 1, false", len(rest), info.HasNextPage, err)
		}
		campus := models.PurposeCampusCity
		bad := []store.AssignmentFilter{{ActiveOn: "2024-13-01"}, {Purpose: new(models.AssignmentPurpose("X"))}}
		for _, f := range bad {
			if _, _, err := s.ListAssignments(ctx, w.admin, f, store.Page{}); models.CodeOf(err) != models.CodeInvalid {
				t.Errorf("filter %+v: got %v, want INVALID", f, err)
			}
		}
		if rows, _, err := s.ListAssignments(ctx, w.admin, store.AssignmentFilter{Purpose: &campus}, store.Page{}); err != nil || len(rows) != 0 {
			t.Errorf("campus links: got %d (%v), want 0", len(rows), err)
		}
	})
}
