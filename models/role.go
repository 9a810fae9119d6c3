package models

// Role is what a user may do; it decides which operations and which data the
// user reaches. The GraphQL layer publishes it as the Role enum.
type Role string

// The roles of onsite.
const (
	RoleCadre      Role = "CADRE"      // checks in from the phone; sees own data only
	RoleSupervisor Role = "SUPERVISOR" // org-unit leadership; sees cadres in its org-unit subtree
	RoleDiscipline Role = "DISCIPLINE" // discipline-inspection group; reads all presence evidence
	RoleAdmin      Role = "ADMIN"      // manages users, org units, regions, devices and policies
)

// Valid reports whether r is one of the defined roles. It returns false for
// the empty role and for any other string, including a different case.
func (r Role) Valid() bool {
	switch r {
	case RoleCadre, RoleSupervisor, RoleDiscipline, RoleAdmin:
		return true
	}
	return false
}
