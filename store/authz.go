package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/models"
)

// Op names an operation the authorization matrix rules on.
type Op string

// The operations. Every Op must have a row in Matrix; the matrix test fails
// for an Op without one.
const (
	OpReadOrgUnits  Op = "orgunit.read"
	OpWriteOrgUnits Op = "orgunit.write"
	OpReadUsers     Op = "user.read"
	OpWriteUsers    Op = "user.write"
	OpResetPassword Op = "user.resetPassword"
	OpReadDevices   Op = "device.read"
	OpApproveDevice Op = "device.approve"
	OpReadRegions   Op = "region.read"
	OpWriteRegions  Op = "region.write"
	OpReadWork      Op = "work.read"      // work groups and assignments
	OpWriteWork     Op = "work.write"     // create work groups, assign, rotate
	OpCheckIn       Op = "checkin.create" // send one's own check-ins
	OpReadCheckIns  Op = "checkin.read"   // check-ins, presence days, trips
	OpReviewCheckIn Op = "checkin.review" // confirm or reject a waiting check-in
)

// Authorize refuses (UNAUTHENTICATED, FORBIDDEN) unless p's role has some
// reach for op; services call it before work that needs no row.
func Authorize(p *auth.Principal, op Op) (Reach, error) { return reach(p, op) }

// AllOps lists every operation, for the matrix test.
func AllOps() []Op {
	return []Op{OpReadOrgUnits, OpWriteOrgUnits, OpReadUsers, OpWriteUsers, OpResetPassword, OpReadDevices, OpApproveDevice,
		OpReadRegions, OpWriteRegions, OpReadWork, OpWriteWork, OpCheckIn, OpReadCheckIns, OpReviewCheckIn}
}

// Reach is how far an operation reaches for one role.
type Reach int

// Reaches, narrowest first.
const (
	ReachNone    Reach = iota // refused
	ReachSelf                 // only the caller's own records
	ReachSubtree              // records of users in the caller's org-unit subtree
	ReachAll                  // every record
)

func (r Reach) String() string {
	return [...]string{"none", "self", "subtree", "all"}[r]
}

// Matrix is the authorization matrix: role × operation → reach. Cadres see
// their own data; supervisors their org-unit subtree; the discipline group
// reads everything and writes only its own records (reviews); admins do
// everything. Check-ins are sent only by the dispatched cadre on the ground
// (R1 leaders are cadres of division rank), never on someone's behalf; only
// cadres have a bound device.
// The org chart itself (names of units) is readable by every signed-in user.
func Matrix() map[Op]map[models.Role]Reach {
	const (
		C, S, D, A = models.RoleCadre, models.RoleSupervisor, models.RoleDiscipline, models.RoleAdmin
	)
	return map[Op]map[models.Role]Reach{
		OpReadOrgUnits:  {C: ReachAll, S: ReachAll, D: ReachAll, A: ReachAll},
		OpWriteOrgUnits: {C: ReachNone, S: ReachSubtree, D: ReachNone, A: ReachAll},
		OpReadUsers:     {C: ReachSelf, S: ReachSubtree, D: ReachAll, A: ReachAll},
		OpWriteUsers:    {C: ReachNone, S: ReachSubtree, D: ReachNone, A: ReachAll},
		OpResetPassword: {C: ReachNone, S: ReachNone, D: ReachNone, A: ReachAll},
		OpReadDevices:   {C: ReachSelf, S: ReachSubtree, D: ReachAll, A: ReachAll},
		OpApproveDevice: {C: ReachNone, S: ReachNone, D: ReachNone, A: ReachAll},
		OpReadRegions:   {C: ReachAll, S: ReachAll, D: ReachAll, A: ReachAll},
		OpWriteRegions:  {C: ReachNone, S: ReachNone, D: ReachNone, A: ReachAll},
		OpReadWork:      {C: ReachSelf, S: ReachSubtree, D: ReachAll, A: ReachAll},
		OpWriteWork:     {C: ReachNone, S: ReachSubtree, D: ReachNone, A: ReachAll},
		OpCheckIn:       {C: ReachSelf, S: ReachNone, D: ReachNone, A: ReachNone},
		OpReadCheckIns:  {C: ReachSelf, S: ReachSubtree, D: ReachAll, A: ReachAll},
		OpReviewCheckIn: {C: ReachNone, S: ReachSubtree, D: ReachAll, A: ReachAll},
	}
}

// matrix is Matrix, built once: reach runs on every request and field, and
// rebuilding the maps each time was 2 % of the server's CPU under load. It
// is never written.
var matrix = Matrix()

// reach looks p's role up in the matrix. A missing principal is
// UNAUTHENTICATED; a role or op without an entry is refused.
func reach(p *auth.Principal, op Op) (Reach, error) {
	if p == nil {
		return ReachNone, models.E(models.CodeUnauthenticated, "sign in first")
	}
	r := matrix[op][p.Role]
	if r == ReachNone {
		return ReachNone, models.E(models.CodeForbidden, "%s may not %s", p.Role, op)
	}
	return r, nil
}

// subtreePrefix returns the materialized path of p's org unit, the prefix of
// every unit in its subtree.
func (s *Store) subtreePrefix(db *gorm.DB, p *auth.Principal) (string, error) {
	var u models.OrgUnit
	if err := db.Select("path").First(&u, p.OrgUnitID).Error; err != nil {
		return "", mapErr(err)
	}
	return u.Path, nil
}

// userScope returns a GORM scope restricting a query on users (or a table
// joined to users as "users") to the rows p may reach for op. The scope joins
// org_units for subtree reach.
func (s *Store) userScope(ctx context.Context, p *auth.Principal, op Op) (func(*gorm.DB) *gorm.DB, error) {
	r, err := reach(p, op)
	if err != nil {
		return nil, err
	}
	switch r {
	case ReachAll:
		return func(db *gorm.DB) *gorm.DB { return db }, nil
	case ReachSelf:
		return func(db *gorm.DB) *gorm.DB { return db.Where("users.id = ?", p.UserID) }, nil
	case ReachSubtree:
		prefix, err := s.subtreePrefix(s.db.WithContext(ctx), p)
		if err != nil {
			return nil, err
		}
		return func(db *gorm.DB) *gorm.DB {
			return db.Where("users.org_unit_id IN (?)",
				s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(prefix)))
		}, nil
	}
	return nil, models.E(models.CodeForbidden, "not allowed")
}

// checkUnit refuses unless p may apply op to records of org unit unitID.
func (s *Store) checkUnit(db *gorm.DB, p *auth.Principal, op Op, unitID int64) error {
	r, err := reach(p, op)
	if err != nil {
		return err
	}
	switch r {
	case ReachAll:
		return nil
	case ReachSubtree:
		prefix, err := s.subtreePrefix(db, p)
		if err != nil {
			return err
		}
		var n int64
		if err := db.Model(&models.OrgUnit{}).Where("id = ? AND path LIKE ?", unitID, likePrefix(prefix)).Count(&n).Error; err != nil {
			return mapErr(err)
		}
		if n == 1 {
			return nil
		}
	}
	return models.E(models.CodeForbidden, "org unit %d is outside your reach", unitID)
}

// likePrefix escapes a path for a LIKE prefix match. Paths hold only digits
// and slashes, so no escaping is needed beyond appending the wildcard.
func likePrefix(path string) string { return path + "%" }

func unitPath(parent string, id int64) string {
	if parent == "" {
		parent = "/"
	}
	return fmt.Sprintf("%s%d/", parent, id)
}
