package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// world is a small org tree with one user of each kind:
//
//	root (admin, secadmin, auditadmin, discipline)
//	├── A (supA, cadreA)
//	│   └── A1 (cadreA1)
//	└── B (supB, cadreB)
type world struct {
	units map[string]*models.OrgUnit
	users map[string]*models.User
	admin *authz.Principal
}

func principalOf(u *models.User) *authz.Principal {
	return &authz.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, OrgUnitID: u.OrgUnitID}
}

// bootstrapAdmin creates the root unit and the first admin, and returns it.
func bootstrapAdmin(t testing.TB, s *store.Store) *models.User {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Bootstrap(ctx, system, "410000", "root", "admin", "x", false); err != nil {
		t.Fatal(err)
	}
	admin, err := s.UserByUsername(ctx, system, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return admin
}

func buildWorld(t *testing.T, s *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	adminUser := bootstrapAdmin(t, s)
	w := &world{units: map[string]*models.OrgUnit{}, users: map[string]*models.User{"admin": adminUser}, admin: principalOf(adminUser)}
	w.units["root"], _ = s.OrgUnit(ctx, w.admin, adminUser.OrgUnitID)
	s.BindDevice(ctx, system, adminUser.ID, "phone-1")
	s.BindDevice(ctx, system, adminUser.ID, "phone-2")
	for _, r := range []models.Role{models.RoleSecurityAdmin, models.RoleAuditAdmin} {
		name := map[models.Role]string{models.RoleSecurityAdmin: "secadmin", models.RoleAuditAdmin: "auditadmin"}[r]
		if _, err := s.EnsureAdministrator(ctx, system, r, name, name, "x", false); err != nil {
			t.Fatal(err)
		}
		u, err := s.UserByUsername(ctx, system, name)
		if err != nil {
			t.Fatal(err)
		}
		w.users[name] = u
		s.BindDevice(ctx, system, u.ID, "phone-1")
		s.BindDevice(ctx, system, u.ID, "phone-2")
	}
	for _, u := range []struct{ name, parent string }{{"A", "root"}, {"A1", "A"}, {"B", "root"}} {
		code, name, kind := "unit-"+u.name, u.name, models.OrgCounty
		unit, err := s.CreateOrgUnit(ctx, w.admin, store.OrgUnitInput{ParentID: &w.units[u.parent].ID, Code: &code, Name: &name, Kind: &kind})
		if err != nil {
			t.Fatal(err)
		}
		w.units[u.name] = unit
	}
	for _, u := range []struct {
		name, unit string
		role       models.Role
	}{
		{"discipline", "root", models.RoleDiscipline}, {"supA", "A", models.RoleSupervisor}, {"cadreA", "A", models.RoleCadre},
		{"cadreA1", "A1", models.RoleCadre}, {"supB", "B", models.RoleSupervisor}, {"cadreB", "B", models.RoleCadre},
	} {
		name, role := u.name, u.role
		user, err := s.CreateUser(ctx, w.admin, store.UserInput{Username: &name, DisplayName: &name, Role: &role, OrgUnitID: &w.units[u.unit].ID}, "x")
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = user
		if _, err := s.BindDevice(ctx, system, user.ID, "phone-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BindDevice(ctx, system, user.ID, "phone-2"); models.CodeOf(err) != models.CodeDeviceNotBound {
			t.Fatalf("second device: %v", err)
		}
	}
	return w
}

// exercise performs op as p on target through the store's public API and
// reports whether it was allowed. "Refused" is FORBIDDEN, NOT_FOUND for a
// single read, or an empty result for a list.
func exercise(t *testing.T, s *store.Store, op authz.Op, p *authz.Principal, target *models.User) bool {
	t.Helper()
	ctx := context.Background()
	refused := func(err error) bool {
		c := models.CodeOf(err)
		if err != nil && c != models.CodeForbidden && c != models.CodeNotFound && c != models.CodeConflict {
			t.Fatalf("%s as %s: unexpected %v", op, p.Username, err)
		}
		return err != nil && c != models.CodeConflict // CONFLICT: authorized, then refused on state
	}
	switch op {
	case authz.ReadOrgUnits:
		_, err := s.OrgUnit(ctx, p, target.OrgUnitID)
		return !refused(err)
	case authz.WriteOrgUnits:
		name := "renamed"
		_, err := s.UpdateOrgUnit(ctx, p, target.OrgUnitID, store.OrgUnitInput{Name: &name})
		return !refused(err)
	case authz.ReadUsers:
		_, err := s.User(ctx, p, target.ID)
		rows, _, lerr := s.ListUsers(ctx, p, store.UserFilter{OrgUnitID: &target.OrgUnitID}, store.Page{})
		listed := false
		for _, u := range rows {
			listed = listed || u.ID == target.ID
		}
		if got := !refused(err); got != (listed && lerr == nil) {
			t.Errorf("%s as %s: single read %v but list %v", op, p.Username, got, listed)
		}
		return !refused(err)
	case authz.WriteUsers:
		name := "renamed"
		_, err := s.UpdateUser(ctx, p, target.ID, store.UserInput{DisplayName: &name})
		return !refused(err)
	case authz.ResetPassword:
		return !refused(s.CheckUnit(ctx, p, authz.ResetPassword, target.OrgUnitID))
	case authz.ReadDevices:
		rows, _, err := s.ListDevices(ctx, p, store.DeviceFilter{UserID: &target.ID}, store.Page{})
		return !refused(err) && len(rows) > 0
	case authz.ApproveDevice:
		pending := models.DevicePending
		rows, _, err := s.ListDevices(ctx, &authz.Principal{UserID: -1, Role: models.RoleAdmin}, store.DeviceFilter{UserID: &target.ID, Status: &pending}, store.Page{})
		if err != nil || len(rows) == 0 {
			rows, _, _ = s.ListDevices(ctx, &authz.Principal{UserID: -1, Role: models.RoleAdmin}, store.DeviceFilter{UserID: &target.ID}, store.Page{})
		}
		_, err = s.ApproveDevice(ctx, p, rows[0].ID)
		return !refused(err)
	}
	if ex, ok := exercisers[op]; ok {
		return !refused(ex(s, p, target))
	}
	t.Fatalf("operation %s has no exerciser: add one (and a matrix row)", op)
	return false
}

// TestAuthorizationMatrix checks every operation for every role against a
// target that is the caller itself, a user in the caller's subtree and a
// user in another unit, through the store's real queries.
func TestAuthorizationMatrix(t *testing.T) {
	const (
		C, S, D, A = models.RoleCadre, models.RoleSupervisor, models.RoleDiscipline, models.RoleAdmin
		SA, AA     = models.RoleSecurityAdmin, models.RoleAuditAdmin
	)
	// The policy, written out independently of Matrix(). The three
	// administrators are separated (三员分立): the system administrator
	// (A) manages accounts, org units and regions; the security
	// administrator (SA) devices and unlocks; the audit administrator (AA)
	// only reads (accounts, and the audit log no one else reads).
	want := map[authz.Op]map[models.Role]authz.Reach{
		authz.ReadOrgUnits:   {C: authz.All, S: authz.All, D: authz.All, A: authz.All, SA: authz.All, AA: authz.All},
		authz.WriteOrgUnits:  {S: authz.Subtree, A: authz.All},
		authz.ReadUsers:      {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All, SA: authz.All, AA: authz.All},
		authz.WriteUsers:     {S: authz.Subtree, A: authz.All},
		authz.ResetPassword:  {A: authz.All},
		authz.ReadDevices:    {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All, SA: authz.All},
		authz.ApproveDevice:  {SA: authz.All},
		authz.ReadRegions:    {C: authz.All, S: authz.All, D: authz.All, A: authz.All},
		authz.WriteRegions:   {A: authz.All},
		authz.ReadWork:       {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.WriteWork:      {S: authz.Subtree, A: authz.All},
		authz.CheckIn:        {C: authz.Self},
		authz.ReadCheckIns:   {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.ReviewCheckIn:  {S: authz.Subtree, D: authz.All, A: authz.All},
		authz.SignIn:         {}, // the server's own work: no user role
		authz.UnlockAccount:  {SA: authz.All},
		authz.ReadAudit:      {AA: authz.All},
		authz.ReadLedger:     {C: authz.Self, D: authz.All, A: authz.All},
		authz.ReadLedgerLog:  {C: authz.All, S: authz.All, D: authz.All, A: authz.All, SA: authz.All, AA: authz.All},
		authz.RecordActivity: {C: authz.Self},
		authz.ReadActivities: {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.ReviewActivity: {S: authz.Subtree, D: authz.All, A: authz.All},
		authz.RevealContact:  {D: authz.All},
		authz.WriteFollowUps: {C: authz.Self, S: authz.Subtree, A: authz.All},
		authz.ReadSeminars:   {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.WriteSeminars:  {S: authz.Subtree, A: authz.All},
		authz.ReadTasks:      {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.WriteTasks:     {S: authz.Subtree, A: authz.All},
		authz.ReportTasks:    {C: authz.Self, S: authz.Self},

		// Summaries and reports (R8): written by the cadre alone, reviewed
		// by supervisors (annual reports: only named receivers); the
		// administrators get no notifications.
		authz.ReadSummaries:   {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.WriteSummaries:  {C: authz.Self},
		authz.ReviewSummaries: {S: authz.Subtree},
		authz.ReviewReports:   {S: authz.Subtree},
		authz.SetReceivers:    {A: authz.All},
		authz.Inbox:           {C: authz.Self, S: authz.Self, D: authz.Self},
		authz.ReadPolicy:      {C: authz.All, S: authz.All, D: authz.All, A: authz.All},
		authz.WritePolicy:     {S: authz.Subtree, A: authz.All},
		// Corrections: a ruling is superseded by a supervisor above its
		// author or the discipline group, never an administrator; make-ups
		// are the cadre's to ask and a supervisor's to decide; absences are
		// recorded by the supervisor who approved them.
		authz.OverturnRuling: {S: authz.Subtree, D: authz.All},
		authz.RequestMakeUp:  {C: authz.Self},
		authz.ReadMakeUps:    {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.DecideMakeUp:   {S: authz.Subtree},
		authz.ReadAbsences:   {C: authz.Self, S: authz.Subtree, D: authz.All, A: authz.All},
		authz.WriteAbsences:  {S: authz.Subtree},
		// The discipline group's toolkit is its own; a cadre sees who read
		// its data.
		authz.ReadInspections:  {D: authz.All},
		authz.WriteInspections: {D: authz.All},
		authz.ReadAccessLog:    {C: authz.Self, D: authz.All},
		// A unit's report: those who read every cadre's verdicts in it;
		// closing a quarter: its supervisors and the system administrator.
		authz.ReadCompliance: {S: authz.Subtree, D: authz.All, A: authz.All},
		authz.CloseQuarter:   {S: authz.Subtree, A: authz.All},
	}
	for _, op := range authz.AllOps() {
		var admins []models.Role
		for _, r := range []models.Role{A, SA, AA} {
			if want[op][r] != authz.None {
				admins = append(admins, r)
			}
		}
		if writes := op != authz.ReadOrgUnits && op != authz.ReadUsers && op != authz.ReadDevices && op != authz.ReadLedgerLog; writes && len(admins) > 1 {
			t.Errorf("%s is open to %v: an operation of administration belongs to one administrator", op, admins)
		}
	}
	matrix := authz.Matrix()
	for _, op := range authz.AllOps() {
		if _, ok := matrix[op]; !ok {
			t.Errorf("operation %s has no row in store.Matrix", op)
		}
		if _, ok := want[op]; !ok {
			t.Errorf("operation %s has no row in this test's policy", op)
		}
		for _, role := range models.Roles() {
			if got := matrix[op][role]; got != want[op][role] {
				t.Errorf("Matrix[%s][%s] = %v, want %v", op, role, got, want[op][role])
			}
		}
	}
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		actors := map[string][3]string{ // actor → self, in own subtree, in another unit
			"cadreA":     {"cadreA", "cadreA1", "cadreB"},
			"supA":       {"supA", "cadreA1", "cadreB"},
			"discipline": {"discipline", "cadreA", "cadreB"},
			"admin":      {"admin", "cadreA", "cadreB"},
			"secadmin":   {"secadmin", "cadreA", "cadreB"},
			"auditadmin": {"auditadmin", "cadreA", "cadreB"},
		}
		for _, op := range authz.AllOps() {
			for actor, targets := range actors {
				p := principalOf(w.users[actor])
				r := want[op][p.Role]
				for i, where := range []string{"self", "own subtree", "other unit"} {
					wantAllowed := r == authz.All || (r == authz.Subtree && i < 2) || (r == authz.Self && i == 0)
					if got := exercise(t, s, op, p, w.users[targets[i]]); got != wantAllowed {
						t.Errorf("%s by %s (%s) on %s: allowed=%v, want %v", op, actor, p.Role, where, got, wantAllowed)
					}
				}
			}
		}
	})
}

// TestSupervisorCannotEscalate: a supervisor may not grant admin or
// discipline roles, nor move a user out of its subtree.
func TestSupervisorCannotEscalate(t *testing.T) {
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		w := buildWorld(t, s)
		ctx := context.Background()
		sup := principalOf(w.users["supA"])
		admin := models.RoleAdmin
		if _, err := s.UpdateUser(ctx, sup, w.users["cadreA"].ID, store.UserInput{Role: &admin}); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("grant ADMIN: %v, want FORBIDDEN", err)
		}
		if _, err := s.UpdateUser(ctx, sup, w.users["cadreA"].ID, store.UserInput{OrgUnitID: &w.units["B"].ID}); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("move to B: %v, want FORBIDDEN", err)
		}
		name, role := "newbie", models.RoleDiscipline
		if _, err := s.CreateUser(ctx, sup, store.UserInput{Username: &name, Role: &role, OrgUnitID: &w.units["A"].ID}, "x"); models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("create DISCIPLINE: %v, want FORBIDDEN", err)
		}
		dup := "cadreB"
		cadre := models.RoleCadre
		if _, err := s.CreateUser(ctx, w.admin, store.UserInput{Username: &dup, Role: &cadre, OrgUnitID: &w.units["A"].ID}, "x"); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("duplicate username: %v, want CONFLICT", err)
		}
	})
}
