package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// dateLayout is the calendar-date format of assignments, "YYYY-MM-DD". Such
// strings sort like the dates they name, so SQL compares them as text on
// SQLite and MySQL alike.
const dateLayout = "2006-01-02"

// capitalCity is the prefecture code of 郑州, the provincial capital (R4).
const capitalCity = "410100"

// AssignInput is what assign takes: exactly one of UserID and WorkGroupID.
// ValidTo is inclusive and empty for an open-ended assignment.
type AssignInput struct {
	UserID      *int64
	WorkGroupID *int64
	RegionID    int64
	Purpose     models.AssignmentPurpose
	ValidFrom   string
	ValidTo     string
}

// validate checks the input without the database; INVALID when it is wrong.
func (in AssignInput) validate() error {
	if (in.UserID == nil) == (in.WorkGroupID == nil) {
		return models.E(models.CodeInvalid, "give exactly one of userId and workGroupId")
	}
	if !in.Purpose.Valid() {
		return models.E(models.CodeInvalid, "unknown assignment purpose %q", in.Purpose)
	}
	if in.WorkGroupID != nil && in.Purpose != models.PurposeDispatch {
		return models.E(models.CodeInvalid, "R1: a work group is dispatched to a county; link campuses (R4) person by person")
	}
	return validPeriod("validFrom", in.ValidFrom, "validTo", in.ValidTo)
}

// validDate returns INVALID unless s is a calendar date "YYYY-MM-DD".
func validDate(field, s string) error {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return models.E(models.CodeInvalid, "%s must be a calendar date YYYY-MM-DD, got %q", field, s)
	}
	return nil
}

// validPeriod returns INVALID unless from is a date and to is empty or a
// date on or after from; the field names go into the message.
func validPeriod(fromField, from, toField, to string) error {
	if err := validDate(fromField, from); err != nil {
		return err
	}
	if to == "" {
		return nil
	}
	if err := validDate(toField, to); err != nil {
		return err
	}
	if to < from {
		return models.E(models.CodeInvalid, "%s %s is before %s %s", toField, to, fromField, from)
	}
	return nil
}

// Assign links a cadre, or every member of a work group, to a region for a
// period (R1, R4, R5), all rows in one transaction, and returns the new
// assignments. It fails with INVALID for malformed input, a region of the
// wrong kind for the purpose (DISPATCH needs a county or a campus, the
// campus purposes a campus) or a CAMPUS_CAPITAL campus outside 郑州 (R4); NOT_FOUND for an
// unknown user, group or region; FORBIDDEN when a person is outside the
// caller's reach; CONFLICT when a cadre would hold two DISPATCH assignments
// on one date, or the same region twice (R5).
func (s *Store) Assign(ctx context.Context, p *authz.Principal, in AssignInput) ([]*models.Assignment, error) {
	if _, err := reach(p, authz.WriteWork); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out []*models.Assignment
	err := s.txPerCadre(ctx, func(tx *gorm.DB) error {
		out = nil
		ids, err := assignees(tx, in)
		if err != nil {
			return err
		}
		if _, err := s.writableUsers(tx, p, authz.WriteWork, ids); err != nil {
			return err
		}
		if err := checkRegion(tx, in.RegionID, in.Purpose); err != nil {
			return err
		}
		for _, id := range ids {
			a := &models.Assignment{UserID: id, RegionID: in.RegionID, Purpose: in.Purpose, WorkGroupID: in.WorkGroupID,
				ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, CreatedBy: p.UserID}
			if err := insertAssignment(tx, a); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// assignees returns the user to assign, or the members of the work group
// leader first; NOT_FOUND for an unknown group.
func assignees(tx *gorm.DB, in AssignInput) ([]int64, error) {
	if in.UserID != nil {
		return []int64{*in.UserID}, nil
	}
	var ids []int64
	err := tx.Model(&models.WorkGroupMember{}).Where("work_group_id = ?", *in.WorkGroupID).
		Order("leader DESC, id").Pluck("user_id", &ids).Error
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, notFound("work group", *in.WorkGroupID)
	}
	return ids, nil
}

// checkRegion returns NOT_FOUND for an unknown region and INVALID when its
// kind does not fit the purpose: DISPATCH goes to a county or a university
// campus (R1, R2: the plan names county and university League committees
// side by side, 县级（高校）团委), a campus link to a campus, and a
// CAMPUS_CAPITAL campus lies in 郑州 (R4).
func checkRegion(tx *gorm.DB, regionID int64, purpose models.AssignmentPurpose) error {
	var r models.Region
	if err := tx.First(&r, regionID).Error; err != nil {
		return notFoundOr(err, "region", regionID)
	}
	if purpose == models.PurposeDispatch && r.Kind != models.RegionCounty && r.Kind != models.RegionCampus {
		return models.E(models.CodeInvalid, "R1: a DISPATCH assignment needs a county or a campus; %s (%s) is a %s", r.Name, r.Code, r.Kind)
	}
	if purpose != models.PurposeDispatch && r.Kind != models.RegionCampus {
		return models.E(models.CodeInvalid, "R4: a %s assignment needs a %s region; %s (%s) is a %s", purpose, models.RegionCampus, r.Name, r.Code, r.Kind)
	}
	if purpose == models.PurposeCampusCapital && r.ParentCode != capitalCity {
		return models.E(models.CodeInvalid,
			"R4: a CAMPUS_CAPITAL link needs a campus in 郑州 (%s); %s is in %q", capitalCity, r.Name, r.ParentCode)
	}
	return nil
}

// insertAssignment stores a after checking R5's overlap rule: a cadre holds
// at most one DISPATCH assignment on any date, and never the same region
// twice on one date; campus links to different campuses may overlap. The
// check is a locking read, and callers hold the cadre's row lock, so two
// concurrent writers cannot both pass it. CONFLICT names the clash.
func insertAssignment(tx *gorm.DB, a *models.Assignment) error {
	q := overlapping(tx.Clauses(clause.Locking{Strength: "UPDATE"}), a.ValidFrom, a.ValidTo).
		Where("assignments.user_id = ?", a.UserID)
	if a.Purpose == models.PurposeDispatch {
		q = q.Where("(assignments.purpose = ? OR assignments.region_id = ?)", models.PurposeDispatch, a.RegionID)
	} else {
		q = q.Where("assignments.region_id = ?", a.RegionID)
	}
	var clash models.Assignment
	err := q.Order("assignments.valid_from, assignments.id").Take(&clash).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		return touchFacts(tx, a.UserID)
	}
	if err != nil {
		return err
	}
	return models.E(models.CodeConflict,
		"R5: user %d already has %s assignment %d to region %d for %s, which overlaps %s; rotate it or pick other dates",
		a.UserID, clash.Purpose, clash.ID, clash.RegionID, spanText(clash.ValidFrom, clash.ValidTo), spanText(a.ValidFrom, a.ValidTo))
}

// overlapping restricts a query on assignments to those in force on some
// date of [first, last]; an empty last means open-ended.
func overlapping(q *gorm.DB, first, last string) *gorm.DB {
	q = q.Where("(assignments.valid_to = '' OR assignments.valid_to >= ?)", first)
	if last != "" {
		q = q.Where("assignments.valid_from <= ?", last)
	}
	return q
}

// spanText renders a validity period for messages.
func spanText(from, to string) string {
	if to == "" {
		return from + "…(open)"
	}
	return from + "…" + to
}

// Rotate moves a cadre to another region from date from, keeping history
// (R5): the assignment is closed on the day before from (ValidTo, EndedBy,
// EndedAt) and a new one with the same person, purpose and work group starts
// on from and ends when the old one was due to end (open-ended if it was).
// Both writes share one transaction; no row is deleted. It fails with
// NOT_FOUND for an unknown assignment or region, FORBIDDEN when the cadre is
// outside the caller's reach, INVALID for a malformed date, a from on or
// before the assignment's first day, or a region unfit for the purpose, and
// CONFLICT when the assignment already ended before from or was rotated, or
// the new one would overlap another (R5).
func (s *Store) Rotate(ctx context.Context, p *authz.Principal, assignmentID, newRegionID int64, from string) (*models.Assignment, error) {
	if _, err := reach(p, authz.WriteWork); err != nil {
		return nil, err
	}
	if err := validDate("from", from); err != nil {
		return nil, err
	}
	var next *models.Assignment
	err := s.txPerCadre(ctx, func(tx *gorm.DB) error {
		old, err := s.lockAssignment(tx, p, assignmentID)
		if err != nil {
			return err
		}
		end, err := rotationEnd(old, from)
		if err != nil {
			return err
		}
		if err := checkRegion(tx, newRegionID, old.Purpose); err != nil {
			return err
		}
		next = &models.Assignment{UserID: old.UserID, RegionID: newRegionID, Purpose: old.Purpose, WorkGroupID: old.WorkGroupID,
			ValidFrom: from, ValidTo: old.ValidTo, CreatedBy: p.UserID}
		err = tx.Model(old).Updates(map[string]any{"valid_to": end, "ended_by": p.UserID, "ended_at": s.now().UTC()}).Error
		if err != nil {
			return err
		}
		return insertAssignment(tx, next)
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// lockAssignment loads an assignment for a change: NOT_FOUND when absent,
// FORBIDDEN when its cadre is outside p's reach. It takes the cadre's lock
// first, then re-reads the row with a locking read so it sees the latest
// committed state.
func (s *Store) lockAssignment(tx *gorm.DB, p *authz.Principal, id int64) (*models.Assignment, error) {
	var owner int64
	if err := tx.Model(&models.Assignment{}).Select("user_id").Where("id = ?", id).Take(&owner).Error; err != nil {
		return nil, notFoundOr(err, "assignment", id)
	}
	if _, err := s.writableUsers(tx, p, authz.WriteWork, []int64{owner}); err != nil {
		return nil, err
	}
	var a models.Assignment
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
		return nil, mapErr(err)
	}
	return &a, nil
}

// rotationEnd returns the last day of old when its successor starts on from
// (R5): CONFLICT if old was already rotated or ended before from, INVALID
// if from is not after old's first day.
func rotationEnd(old *models.Assignment, from string) (string, error) {
	if old.EndedAt != nil {
		return "", models.E(models.CodeConflict, "R5: assignment %d was already rotated (ends %s)", old.ID, old.ValidTo)
	}
	if old.ValidTo != "" && old.ValidTo < from {
		return "", models.E(models.CodeConflict, "R5: assignment %d already ended on %s, before %s", old.ID, old.ValidTo, from)
	}
	t, _ := time.Parse(dateLayout, from) // validated by the caller
	end := t.AddDate(0, 0, -1).Format(dateLayout)
	if end < old.ValidFrom {
		return "", models.E(models.CodeInvalid,
			"R5: assignment %d starts on %s; a rotation must start after that day, not on %s", old.ID, old.ValidFrom, from)
	}
	return end, nil
}

// AssignmentFilter narrows ListAssignments. ActiveOn, when set, is a date
// "YYYY-MM-DD": only assignments in force that day.
type AssignmentFilter struct {
	UserID   *int64
	ActiveOn string
	Purpose  *models.AssignmentPurpose
}

// ListAssignments pages through the assignments the caller may read
// (authz.ReadWork: a cadre its own, a supervisor those of users in its subtree,
// the discipline group and admins all), history included. INVALID for a
// malformed date, purpose or page.
func (s *Store) ListAssignments(ctx context.Context, p *authz.Principal, f AssignmentFilter, page Page) ([]*models.Assignment, PageInfo, error) {
	scope, err := s.userScope(ctx, p, authz.ReadWork)
	if err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Assignment{}).
		Where("assignments.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope))
	if f.UserID != nil {
		q = q.Where("assignments.user_id = ?", *f.UserID)
	}
	if f.ActiveOn != "" {
		if err := validDate("activeOn", f.ActiveOn); err != nil {
			return nil, PageInfo{}, err
		}
		q = overlapping(q, f.ActiveOn, f.ActiveOn)
	}
	if f.Purpose != nil {
		if !f.Purpose.Valid() {
			return nil, PageInfo{}, models.E(models.CodeInvalid, "unknown assignment purpose %q", *f.Purpose)
		}
		q = q.Where("assignments.purpose = ?", *f.Purpose)
	}
	return list(q, "assignments", page, func(a *models.Assignment) int64 { return a.ID })
}

// DispatchCountyIn returns the cadre's DISPATCH assignment in force on some
// day of [first, last] that started last (R2's county for a quarter report;
// after a rotation inside the quarter, the new county), for callers that
// may read the cadre's work. INVALID for malformed dates, NOT_FOUND when
// the cadre was not dispatched in the period or is out of reach.
func (s *Store) DispatchCountyIn(ctx context.Context, p *authz.Principal, userID int64, first, last string) (*models.Assignment, error) {
	if err := s.ownerScope(ctx, p, authz.ReadWork, userID); err != nil {
		return nil, err
	}
	if err := validDate("last", last); err != nil {
		return nil, err
	}
	if err := validPeriod("first", first, "last", last); err != nil {
		return nil, err
	}
	var a models.Assignment
	err := overlapping(s.db.WithContext(ctx), first, last).
		Where("assignments.user_id = ? AND assignments.purpose = ?", userID, models.PurposeDispatch).
		Order("assignments.valid_from DESC, assignments.id DESC").Take(&a).Error
	if err != nil {
		return nil, notFoundOr(err, "dispatch assignment of user", userID)
	}
	return &a, nil
}
