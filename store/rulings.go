package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// A record's rulings are rows numbered by seq; the latest (highest seq)
// decides. latestReview is the SQL condition that reviews row rv is the
// latest on its check-in.
const latestReview = "NOT EXISTS (SELECT 1 FROM reviews rl WHERE rl.check_in_id = rv.check_in_id AND rl.seq > rv.seq)"

// Ruled is a check-in with its latest ruling (nil: none).
type Ruled struct {
	CheckIn *models.CheckIn
	Latest  *models.Review
}

// RulingPrior is what a superseding ruling is judged against, read under
// the cadre's lock: the check-in and every ruling on it, oldest first.
// Replayed is set, and the transaction already ended, when the latest
// ruling is the one asked for (a resend of a ruling whose answer was
// lost).
type RulingPrior struct {
	CheckIn  *models.CheckIn
	Rulings  []*models.Review
	Replayed *models.Review
}

// BeginRuling begins the transaction of ruling r, which supersedes the
// latest ruling on check-in r.CheckInID — or its automatic acceptance when
// it has none — and sets r.ReviewerID and r.Seq. supersedes must name the
// latest ruling (nil: none), so that two rulers who read the same history
// cannot both supersede it, and a resend finds its own ruling: when the
// latest ruling is p's, with r's decision, reason and region, and
// supersedes the one named, it is returned as Replayed and nothing is
// begun. The cadre's row is locked (a ruling changes the cadre's days, as
// a check-in does); the caller reads the days it changes (Days,
// DayCheckIns) and commits.
//
// Refusals: FORBIDDEN without reach over the cadre, for one's own
// check-in, or when p may not supersede the latest ruling's author
// (authz.MaySupersede); NOT_FOUND for an unknown check-in;
// CONFLICT when the check-in still waits for its first ruling (reviewed
// with BeginReview) or supersedes is not the latest ruling.
func (s *Store) BeginRuling(ctx context.Context, p *authz.Principal, r *models.Review, supersedes *int64) (*EvidenceTx, *RulingPrior, error) {
	if _, err := reach(p, authz.OverturnRuling); err != nil {
		return nil, nil, err
	}
	db := s.db.WithContext(ctx)
	var c models.CheckIn
	if err := db.First(&c, r.CheckInID).Error; err != nil {
		return nil, nil, notFoundOr(err, "check-in", r.CheckInID)
	}
	path, err := s.ownerInReach(ctx, p, authz.OverturnRuling, c.UserID, "check-ins")
	if err != nil {
		return nil, nil, err
	}
	t, err := s.beginEvidence(ctx)
	if err != nil {
		return nil, nil, err
	}
	prior := &RulingPrior{CheckIn: &c}
	rulers := map[int64]*authz.Ruler{}
	err = t.rt.round([]stmt{t.lockCadre(c.UserID), {
		sql: "SELECT " + columnList("rv", reviewColumns) + ", u.role, COALESCE(o.path, '') FROM reviews rv JOIN users u ON u.id = rv.reviewer_id" +
			" LEFT JOIN org_units o ON o.id = u.org_unit_id WHERE rv.check_in_id = ? ORDER BY rv.seq",
		args: []any{c.ID}, scan: func(rows *sql.Rows) error {
			var n nullReview
			var role, unitPath string
			if err := rows.Scan(append(n.dest(), &role, &unitPath)...); err != nil {
				return err
			}
			rev := n.row()
			prior.Rulings = append(prior.Rulings, rev)
			rulers[rev.ID] = &authz.Ruler{Role: models.Role(role), UnitPath: unitPath}
			return nil
		}}})
	if err != nil {
		t.Rollback()
		return nil, nil, mapErr(err)
	}
	latest := models.Latest(prior.Rulings)
	if latest == nil && c.Status == models.CheckInPending {
		t.Rollback()
		return nil, nil, models.E(models.CodeConflict, "check-in %d waits for its first ruling: review it (reviewCheckIn)", c.ID)
	}
	if replay := replayedRuling(prior.Rulings, p, r, supersedes); replay != nil {
		t.Rollback()
		prior.Replayed = replay
		return nil, prior, nil
	}
	if !names(supersedes, latest != nil, rulingID(latest)) {
		t.Rollback()
		return nil, nil, staleRuling("check-in", c.ID, latest != nil, rulingID(latest))
	}
	var by *authz.Ruler
	if latest != nil {
		by = rulers[latest.ID]
	}
	if err := authz.MaySupersede(p, path, by); err != nil {
		t.Rollback()
		return nil, nil, err
	}
	r.ReviewerID, r.Seq = p.UserID, 1
	if latest != nil {
		r.Seq = latest.Seq + 1
	}
	return t, prior, nil
}

// ownerInReach refuses unless p may apply op to the records of userID and
// they are not p's own (what names them in the refusal), and returns the
// path of p's org unit.
func (s *Store) ownerInReach(ctx context.Context, p *authz.Principal, op authz.Op, userID int64, what string) (string, error) {
	if userID == p.UserID {
		return "", models.E(models.CodeForbidden, "nobody rules on their own %s", what)
	}
	db := s.db.WithContext(ctx)
	var owner models.User
	if err := db.Select("org_unit_id").First(&owner, userID).Error; err != nil {
		return "", mapErr(err)
	}
	if err := s.checkUnit(db, p, op, owner.OrgUnitID); err != nil {
		return "", err
	}
	if p.IsSystem() || p.OrgUnitID == 0 {
		return "", nil
	}
	return s.subtreePrefix(db, p)
}

// replayedRuling returns the latest of rulings when it is p's ruling r
// superseding the one named (a resend), else nil.
func replayedRuling(rulings []*models.Review, p *authz.Principal, r *models.Review, supersedes *int64) *models.Review {
	latest := models.Latest(rulings)
	if latest == nil || latest.ReviewerID != p.UserID || latest.Decision != r.Decision || latest.Reason != r.Reason ||
		!sameRegion(latest.RegionID, r.RegionID) {
		return nil
	}
	i := slices.Index(rulings, latest)
	if i > 0 && !names(supersedes, true, rulings[i-1].ID) || i == 0 && supersedes != nil {
		return nil
	}
	return latest
}

// names reports whether want names a ruling with id, where has says
// whether there is a ruling at all (without one, want must be nil).
func names(want *int64, has bool, id int64) bool {
	if !has {
		return want == nil
	}
	return want != nil && *want == id
}

// rulingID is r's id, 0 for none.
func rulingID(r *models.Review) int64 {
	if r == nil {
		return 0
	}
	return r.ID
}

func sameRegion(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// staleRuling is the CONFLICT of a ruling that names as superseded another
// ruling than the latest (has: there is one, with id latestID).
func staleRuling(what string, id int64, has bool, latestID int64) error {
	now := "none (it was accepted without one)"
	if has {
		now = fmt.Sprintf("ruling %d", latestID)
	}
	return models.E(models.CodeConflict, "the latest ruling on %s %d is %s, not the one named: read its rulings and rule again", what, id, now)
}

// lockCadre is the statement that takes the cadre's row lock (SQLite's
// single writer serialises every transaction already).
func (t *EvidenceTx) lockCadre(userID int64) stmt {
	lock := ""
	if t.s.driver == DriverMySQL {
		lock = " FOR UPDATE"
	}
	return stmt{sql: "SELECT id FROM users WHERE id = ?" + lock, args: []any{userID}, scan: func(*sql.Rows) error { return nil }}
}

// DayCheckIns returns every check-in of the cadre on date with its latest
// ruling, read in the transaction (under the cadre's lock, so it stays
// true until commit): what a day is recomputed from when a ruling takes a
// check-in out of it.
func (t *EvidenceTx) DayCheckIns(userID int64, date string) ([]Ruled, error) {
	var out []Ruled
	err := t.rt.round([]stmt{{
		sql: "SELECT " + columnList("c", checkInColumns) + ", " + columnList("rv", reviewColumns) +
			" FROM check_ins c LEFT JOIN reviews rv ON rv.check_in_id = c.id AND " + latestReview +
			" WHERE c.user_id = ? AND c.local_date = ? ORDER BY c.id",
		args: []any{userID, date}, scan: func(r *sql.Rows) error {
			var c nullCheckIn
			var rv nullReview
			if err := r.Scan(append(c.dest(), rv.dest()...)...); err != nil {
				return err
			}
			out = append(out, Ruled{CheckIn: c.row(), Latest: rv.row()})
			return nil
		}}})
	return out, mapErr(err)
}

// RulingsByCheckIn loads every ruling on each of several check-ins,
// oldest first (a data loader batch), for check-ins p may read.
func (s *Store) RulingsByCheckIn(ctx context.Context, p *authz.Principal, checkInIDs []int64) (map[int64][]*models.Review, error) {
	scope, err := s.userScope(ctx, p, authz.ReadCheckIns)
	if err != nil {
		return nil, err
	}
	var rows []*models.Review
	err = s.db.WithContext(ctx).Where("check_in_id IN ?", checkInIDs).
		Where("check_in_id IN (?)", s.db.Model(&models.CheckIn{}).Select("check_ins.id").
			Where("check_ins.user_id IN (?)", s.db.Model(&models.User{}).Select("users.id").Scopes(scope))).
		Order("check_in_id, seq").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.Review{}
	for _, r := range rows {
		out[r.CheckInID] = append(out[r.CheckInID], r)
	}
	return out, nil
}
