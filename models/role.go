package models

// Role is what a user may do; it decides which operations and which data the
// user reaches. The GraphQL layer publishes it as the Role enum. An account
// holds exactly one role, so no account can be two of the three separated
// administrators (三员分立) at once.
type Role string

// The roles of onsite.
const (
	RoleCadre      Role = "CADRE"      // checks in from the phone; sees own data only
	RoleSupervisor Role = "SUPERVISOR" // org-unit leadership; sees cadres in its org-unit subtree
	RoleDiscipline Role = "DISCIPLINE" // discipline-inspection group; reads all presence evidence
	// RoleAdmin is the system administrator (系统管理员): accounts, org
	// units, regions.
	RoleAdmin Role = "ADMIN"
	// RoleSecurityAdmin is the security administrator (安全管理员):
	// devices, unlocks, security policies and keys.
	RoleSecurityAdmin Role = "SECURITY_ADMIN"
	// RoleAuditAdmin is the audit administrator (审计管理员): reads the
	// security audit log and changes nothing.
	RoleAuditAdmin Role = "AUDIT_ADMIN"
)

// Valid reports whether r is one of the defined roles. It returns false for
// the empty role and for any other string, including a different case.
func (r Role) Valid() bool {
	switch r {
	case RoleCadre, RoleSupervisor, RoleDiscipline, RoleAdmin, RoleSecurityAdmin, RoleAuditAdmin:
		return true
	}
	return false
}

// Separated reports whether r is the security or the audit administrator:
// the roles only the server itself grants, so that the system
// administrator, who manages accounts, cannot make or take them over.
func (r Role) Separated() bool { return r == RoleSecurityAdmin || r == RoleAuditAdmin }

// Roles lists every role, for tests and documentation.
func Roles() []Role {
	return []Role{RoleCadre, RoleSupervisor, RoleDiscipline, RoleAdmin, RoleSecurityAdmin, RoleAuditAdmin}
}
