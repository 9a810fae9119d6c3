package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// R1's default size: a leader and one organ cadre. It is the floor; a unit
// may send larger groups. maxGroupSize bounds one request.
const (
	minGroupSize = 2
	maxGroupSize = 100
)

// WorkGroupInput is what createWorkGroup takes. MemberIDs may include the
// leader and may repeat ids; repeats collapse.
type WorkGroupInput struct {
	Name      string
	OrgUnitID int64 // the owning unit; its supervisors manage the group
	LeaderID  int64
	MemberIDs []int64
}

// people returns the distinct people of the group, leader first. R1: at
// least two people (one leader and at least one organ cadre); INVALID
// otherwise or for a blank name.
func (in WorkGroupInput) people() ([]int64, error) {
	if n := strings.TrimSpace(in.Name); n == "" || len(n) > 200 {
		return nil, models.E(models.CodeInvalid, "name must be 1–200 characters")
	}
	ids := []int64{in.LeaderID}
	seen := map[int64]bool{in.LeaderID: true}
	for _, id := range in.MemberIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) < minGroupSize {
		return nil, models.E(models.CodeInvalid,
			"R1: a work group is a leader and at least %d other organ cadre; add a member besides the leader", minGroupSize-1)
	}
	if len(ids) > maxGroupSize {
		return nil, models.E(models.CodeInvalid, "a work group has at most %d people", maxGroupSize)
	}
	return ids, nil
}

// CreateWorkGroup creates an R1 work group owned by in.OrgUnitID with its
// members, the leader's row marked Leader, in one transaction. It fails with
// FORBIDDEN when the caller may not write work records of the owning unit or
// of any member (supervisors: their subtree only), NOT_FOUND for an unknown
// unit or user, and INVALID when the input breaks R1: fewer than two people,
// or a leader below division rank (处级).
func (s *Store) CreateWorkGroup(ctx context.Context, p *authz.Principal, in WorkGroupInput) (*models.WorkGroup, error) {
	if _, err := reach(p, authz.WriteWork); err != nil {
		return nil, err
	}
	ids, err := in.people()
	if err != nil {
		return nil, err
	}
	g := &models.WorkGroup{Name: strings.TrimSpace(in.Name), OrgUnitID: in.OrgUnitID, LeaderID: in.LeaderID, CreatedBy: p.UserID}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.checkUnit(tx, p, authz.WriteWork, in.OrgUnitID); err != nil {
			return err
		}
		if err := tx.Select("id").First(&models.OrgUnit{}, in.OrgUnitID).Error; err != nil {
			return notFoundOr(err, "org unit", in.OrgUnitID)
		}
		users, err := s.writableUsers(tx, p, authz.WriteWork, ids)
		if err != nil {
			return err
		}
		if leader := users[in.LeaderID]; !leader.Rank.DivisionOrAbove() {
			return models.E(models.CodeInvalid,
				"R1: the leader %s has rank %s; a work group is led by a cadre of division rank (处级) or above", leader.Username, leader.Rank)
		}
		if err := tx.Create(g).Error; err != nil {
			return err
		}
		rows := make([]models.WorkGroupMember, len(ids))
		for i, id := range ids {
			rows[i] = models.WorkGroupMember{WorkGroupID: g.ID, UserID: id, Leader: id == in.LeaderID}
		}
		return tx.Create(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// writableUsers loads the users ids, locking their rows so that concurrent
// work writes about one person run one after the other, and refuses unless
// p may apply op to each: NOT_FOUND for an unknown id, FORBIDDEN for a user
// whose org unit is outside p's reach.
func (s *Store) writableUsers(tx *gorm.DB, p *authz.Principal, op authz.Op, ids []int64) (map[int64]*models.User, error) {
	var rows []*models.User
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	byID := make(map[int64]*models.User, len(rows))
	for _, u := range rows {
		byID[u.ID] = u
	}
	for _, id := range ids {
		if byID[id] == nil {
			return nil, notFound("user", id)
		}
	}
	checked := map[int64]bool{}
	for _, u := range rows {
		if checked[u.OrgUnitID] {
			continue
		}
		if err := s.checkUnit(tx, p, op, u.OrgUnitID); err != nil {
			if models.CodeOf(err) == models.CodeForbidden {
				return nil, models.E(models.CodeForbidden, "user %d is outside your reach", u.ID)
			}
			return nil, err
		}
		checked[u.OrgUnitID] = true
	}
	return byID, nil
}

// workGroupScope restricts a query on work_groups to the groups p may read:
// a cadre the groups it belongs to; a supervisor the groups owned by a unit
// in its subtree or having a member there (itself included); the discipline
// group and admins every group.
func (s *Store) workGroupScope(ctx context.Context, p *authz.Principal) (func(*gorm.DB) *gorm.DB, error) {
	r, err := reach(p, authz.ReadWork)
	if err != nil {
		return nil, err
	}
	members := s.db.Model(&models.WorkGroupMember{}).Select("work_group_members.work_group_id")
	switch r {
	case authz.All:
		return func(db *gorm.DB) *gorm.DB { return db }, nil
	case authz.Self:
		mine := members.Where("work_group_members.user_id = ?", p.UserID)
		return func(db *gorm.DB) *gorm.DB { return db.Where("work_groups.id IN (?)", mine) }, nil
	case authz.Subtree:
		prefix, err := s.subtreePrefix(s.db.WithContext(ctx), p)
		if err != nil {
			return nil, err
		}
		units := s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(prefix))
		theirs := members.Joins("JOIN users ON users.id = work_group_members.user_id").Where("users.org_unit_id IN (?)", units)
		return func(db *gorm.DB) *gorm.DB {
			return db.Where("(work_groups.org_unit_id IN (?) OR work_groups.id IN (?))", units, theirs)
		}, nil
	}
	return nil, models.E(models.CodeForbidden, "not allowed")
}

// WorkGroup returns one work group the caller may read. A group outside its
// reach is NOT_FOUND, exactly as one that does not exist.
func (s *Store) WorkGroup(ctx context.Context, p *authz.Principal, id int64) (*models.WorkGroup, error) {
	scope, err := s.workGroupScope(ctx, p)
	if err != nil {
		return nil, err
	}
	var g models.WorkGroup
	if err := s.db.WithContext(ctx).Scopes(scope).First(&g, id).Error; err != nil {
		return nil, notFoundOr(err, "work group", id)
	}
	return &g, nil
}

// ListWorkGroups pages through the work groups the caller may read, only
// those owned by orgUnitID (that unit, not its subtree) when it is given. A
// malformed page is INVALID.
func (s *Store) ListWorkGroups(ctx context.Context, p *authz.Principal, orgUnitID *int64, page Page) ([]*models.WorkGroup, PageInfo, error) {
	scope, err := s.workGroupScope(ctx, p)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.WorkGroup{}).Scopes(scope)
	if orgUnitID != nil {
		q = q.Where("work_groups.org_unit_id = ?", *orgUnitID)
	}
	return list(q, "work_groups", page, func(g *models.WorkGroup) int64 { return g.ID })
}

// WorkGroupsByID loads work groups for a data loader in one query, only
// those the caller may read; others are absent from the map.
func (s *Store) WorkGroupsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.WorkGroup, error) {
	scope, err := s.workGroupScope(ctx, p)
	if err != nil {
		return nil, err
	}
	var rows []*models.WorkGroup
	if err := s.db.WithContext(ctx).Scopes(scope).Where("work_groups.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(r *models.WorkGroup) int64 { return r.ID }), nil
}

// WorkGroupMembers loads the members of several work groups (a data loader
// batch), leader first, then in the order they were added. Only groups the
// caller may read are present; a readable group shows all its members, so
// a cadre sees its leader. FORBIDDEN for a role without work read access.
func (s *Store) WorkGroupMembers(ctx context.Context, p *authz.Principal, groupIDs []int64) (map[int64][]*models.User, error) {
	scope, err := s.workGroupScope(ctx, p)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	visible := s.db.Model(&models.WorkGroup{}).Select("work_groups.id").Scopes(scope).Where("work_groups.id IN ?", groupIDs)
	var members []models.WorkGroupMember
	if err := db.Where("work_group_id IN (?)", visible).Order("work_group_id, leader DESC, id").Find(&members).Error; err != nil {
		return nil, mapErr(err)
	}
	userIDs := make([]int64, len(members))
	for i, m := range members {
		userIDs[i] = m.UserID
	}
	users := map[int64]*models.User{}
	if len(userIDs) > 0 {
		var rows []*models.User
		if err := db.Where("id IN ?", userIDs).Find(&rows).Error; err != nil {
			return nil, mapErr(err)
		}
		for _, u := range rows {
			users[u.ID] = u
		}
	}
	out := make(map[int64][]*models.User)
	for _, m := range members {
		if u := users[m.UserID]; u != nil {
			out[m.WorkGroupID] = append(out[m.WorkGroupID], u)
		}
	}
	return out, nil
}
