package authz_test

import (
	"testing"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

func TestCheck(t *testing.T) {
	cadre := &authz.Principal{UserID: 7, Role: models.RoleCadre}
	for _, c := range []struct {
		name string
		p    *authz.Principal
		op   authz.Op
		want authz.Reach
		code models.Code // "" when allowed
	}{
		{"no principal", nil, authz.ReadUsers, authz.None, models.CodeUnauthenticated},
		{"cadre reads itself", cadre, authz.ReadUsers, authz.Self, ""},
		{"cadre may not approve devices", cadre, authz.ApproveDevice, authz.None, models.CodeForbidden},
		{"a user may not do the server's sign-in work", &authz.Principal{UserID: 1, Role: models.RoleAdmin}, authz.SignIn, authz.None, models.CodeForbidden},
		{"unknown role", &authz.Principal{UserID: 1, Role: "ROOT"}, authz.ReadOrgUnits, authz.None, models.CodeForbidden},
		{"a cadre checks its own records in the ledger", cadre, authz.ReadLedger, authz.Self, ""},
		{"a supervisor does not read the ledger's records", &authz.Principal{UserID: 2, Role: models.RoleSupervisor}, authz.ReadLedger, authz.None, models.CodeForbidden},
		{"the discipline group reads every leaf", &authz.Principal{UserID: 3, Role: models.RoleDiscipline}, authz.ReadLedger, authz.All, ""},
		{"checkpoints are for everyone", &authz.Principal{UserID: 2, Role: models.RoleSupervisor}, authz.ReadLedgerLog, authz.All, ""},
		{"the system reaches everything", authz.System("test"), authz.SignIn, authz.All, ""},
		{"a forged principal is not the system", &authz.Principal{Username: "system:test"}, authz.ReadUsers, authz.None, models.CodeForbidden},
		{"a principal that must change its password", &authz.Principal{UserID: 7, Role: models.RoleCadre, MustChangePassword: true},
			authz.ReadUsers, authz.None, models.CodePasswordChangeRequired},
		{"the audit administrator reads the audit log", &authz.Principal{UserID: 3, Role: models.RoleAuditAdmin}, authz.ReadAudit, authz.All, ""},
		{"the system administrator does not", &authz.Principal{UserID: 1, Role: models.RoleAdmin}, authz.ReadAudit, authz.None, models.CodeForbidden},
		{"the security administrator unlocks", &authz.Principal{UserID: 2, Role: models.RoleSecurityAdmin}, authz.UnlockAccount, authz.All, ""},
	} {
		got, err := authz.Check(c.p, c.op)
		code := models.Code("")
		if err != nil {
			code = models.CodeOf(err)
		}
		if got != c.want || code != c.code {
			t.Errorf("%s: got %v, %q; want %v, %q", c.name, got, code, c.want, c.code)
		}
	}
}

func TestEveryOpHasARow(t *testing.T) {
	m := authz.Matrix()
	for _, op := range authz.AllOps() {
		if _, ok := m[op]; !ok {
			t.Errorf("operation %s has no row in Matrix", op)
		}
	}
	if len(m) != len(authz.AllOps()) {
		t.Errorf("Matrix has %d rows, AllOps %d", len(m), len(authz.AllOps()))
	}
	for op, row := range m {
		for _, r := range models.Roles() {
			if _, ok := row[r]; !ok {
				t.Errorf("Matrix[%s] says nothing of %s: write None where a role has no reach", op, r)
			}
		}
	}
}

// TestMaySupersede: an overturn goes up the tree — a supervisor supersedes
// the automatic acceptance or a ruling of a supervisor strictly below its
// unit, never a peer's, its own unit's, one from above or the discipline
// group's; the discipline group supersedes any ruling; administrators and
// cadres none.
func TestMaySupersede(t *testing.T) {
	sup := &authz.Principal{UserID: 2, Role: models.RoleSupervisor}
	insp := &authz.Principal{UserID: 3, Role: models.RoleDiscipline}
	below := &authz.Ruler{Role: models.RoleSupervisor, UnitPath: "/1/4/9/"}
	for _, c := range []struct {
		name   string
		p      *authz.Principal
		pPath  string
		latest *authz.Ruler
		ok     bool
	}{
		{"a supervisor overturns an automatic acceptance", sup, "/1/4/", nil, true},
		{"a supervisor of the parent unit", sup, "/1/4/", below, true},
		{"a supervisor of the root", sup, "/1/", below, true},
		{"a supervisor of the same unit", sup, "/1/4/9/", below, false},
		{"a supervisor of a sibling unit", sup, "/1/5/", below, false},
		{"a supervisor of a unit whose id is a textual prefix", sup, "/1/4/", &authz.Ruler{Role: models.RoleSupervisor, UnitPath: "/1/40/"}, false},
		{"a supervisor below the ruler", sup, "/1/4/9/12/", below, false},
		{"a supervisor over the discipline group's ruling", sup, "/1/", &authz.Ruler{Role: models.RoleDiscipline, UnitPath: "/1/4/"}, false},
		{"a supervisor over an administrator's ruling", sup, "/1/", &authz.Ruler{Role: models.RoleAdmin, UnitPath: "/1/4/"}, false},
		{"the discipline group over a supervisor", insp, "/1/", below, true},
		{"the discipline group over itself", insp, "/1/", &authz.Ruler{Role: models.RoleDiscipline, UnitPath: "/1/"}, true},
		{"an administrator", &authz.Principal{UserID: 1, Role: models.RoleAdmin}, "/1/", nil, false},
		{"a cadre", &authz.Principal{UserID: 7, Role: models.RoleCadre}, "/1/4/9/", nil, false},
	} {
		err := authz.MaySupersede(c.p, c.pPath, c.latest)
		if got := err == nil; got != c.ok {
			t.Errorf("%s: allowed %v (%v), want %v", c.name, got, err, c.ok)
		} else if err != nil && models.CodeOf(err) != models.CodeForbidden {
			t.Errorf("%s: %v, want FORBIDDEN", c.name, err)
		}
	}
}
