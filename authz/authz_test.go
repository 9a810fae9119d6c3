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
