package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// The discipline group's records: spot checks with their candidates,
// findings and escalations. Each is written once, with its ledger leaf,
// in one transaction; nothing here updates or deletes them.

// inspector refuses unless p reaches every cadre for op (the discipline
// group: its reads and writes span the province).
func inspector(p *authz.Principal, op authz.Op) error {
	r, err := reach(p, op)
	if err == nil && r != authz.All {
		err = models.E(models.CodeForbidden, "only the discipline group does this")
	}
	return err
}

// cadresUnder is the subquery of the ids of the cadres of org unit
// unitID's subtree, every cadre when nil; NOT_FOUND for an unknown unit.
func (s *Store) cadresUnder(db *gorm.DB, unitID *int64) (*gorm.DB, error) {
	cadres := s.db.Model(&models.User{}).Select("users.id").Where("users.role = ?", models.RoleCadre)
	if unitID == nil {
		return cadres, nil
	}
	var unit models.OrgUnit
	if err := db.Select("path").First(&unit, *unitID).Error; err != nil {
		return nil, notFoundOr(err, "org unit", *unitID)
	}
	return cadres.Where("users.org_unit_id IN (?)", s.db.Model(&models.OrgUnit{}).Select("id").Where("path LIKE ?", likePrefix(unit.Path))), nil
}

// DayCheckIn is one check-in as a spot check's candidates are made of it.
type DayCheckIn struct {
	UserID   int64
	Date     string
	RegionID *int64
	Flags    string // the stored JSON
	MadeUp   bool   // the day counted on a make-up request
}

// CandidateCheckIns returns, for the cadres of org unit unitID's subtree
// (every cadre when nil), every check-in dated in [from, to] (Asia/Shanghai
// dates), in (user, date) order; for the discipline group (FORBIDDEN
// otherwise). NOT_FOUND for an unknown unit.
//
// A day counted on an approved make-up request is a candidate too: its
// request is read as a row with MadeUp set, no flags, at the request's
// region, merged into the order.
func (s *Store) CandidateCheckIns(ctx context.Context, p *authz.Principal, unitID *int64, from, to string) ([]DayCheckIn, error) {
	if err := inspector(p, authz.WriteInspections); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	cadres, err := s.cadresUnder(db, unitID)
	if err != nil {
		return nil, err
	}
	rows, err := db.Model(&models.CheckIn{}).
		Select("check_ins.user_id, check_ins.local_date, check_ins.region_id, check_ins.flags").
		Where("check_ins.user_id IN (?) AND check_ins.local_date >= ? AND check_ins.local_date <= ?", cadres, from, to).
		Order("check_ins.user_id, check_ins.local_date, check_ins.id").Rows()
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []DayCheckIn
	for rows.Next() {
		var d DayCheckIn
		if err := rows.Scan(&d.UserID, &d.Date, &d.RegionID, &d.Flags); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	var made []DayCheckIn
	err = db.Table("make_ups m").Select("m.user_id, m.date, m.region_id, '[]' AS flags, 1 AS made_up").
		Joins("JOIN make_up_decisions d ON d.make_up_id = m.id AND d.decision = ?", models.MakeUpApprove).
		Where("m.user_id IN (?) AND m.date >= ? AND m.date <= ?", cadres, from, to).Order("m.user_id, m.date, m.id").Scan(&made).Error
	if err != nil {
		return nil, mapErr(err)
	}
	out = append(out, made...)
	slices.SortStableFunc(out, func(a, b DayCheckIn) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), strings.Compare(a.Date, b.Date))
	})
	return out, nil
}

// SaveSpotCheck stores a draw made out to p (InspectorID) with its
// candidates (their Sampled marks set) and its ledger leaf, and sets the
// ids. FORBIDDEN for anyone but the discipline group or a draw made out to
// another; CONFLICT when p already used its client id (SpotCheckByClient
// answers the resend).
func (s *Store) SaveSpotCheck(ctx context.Context, p *authz.Principal, sc *models.SpotCheck, cands []*models.SpotCheckCandidate, leaf models.Leaf) error {
	if err := inspector(p, authz.WriteInspections); err != nil {
		return err
	}
	if sc.InspectorID != p.UserID {
		return models.E(models.CodeForbidden, "a draw is made out to its inspector")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(sc).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "client id %q was already used for a spot check", sc.ClientID)
			}
			return err
		}
		for _, c := range cands {
			c.SpotCheckID = sc.ID
		}
		if len(cands) > 0 {
			if err := tx.CreateInBatches(cands, 500).Error; err != nil {
				return err
			}
		}
		return writeLeaves(tx, []models.Leaf{leaf})
	})
}

// SpotCheckByClient returns p's draw stored under clientID, nil when none;
// for the discipline group.
func (s *Store) SpotCheckByClient(ctx context.Context, p *authz.Principal, clientID string) (*models.SpotCheck, error) {
	if err := inspector(p, authz.WriteInspections); err != nil {
		return nil, err
	}
	var sc models.SpotCheck
	err := s.db.WithContext(ctx).Where("inspector_id = ? AND client_id = ?", p.UserID, clientID).Take(&sc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &sc, mapErr(err)
}

// SpotCheck returns draw id; for the discipline group. NOT_FOUND for an
// unknown id.
func (s *Store) SpotCheck(ctx context.Context, p *authz.Principal, id int64) (*models.SpotCheck, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var sc models.SpotCheck
	if err := s.db.WithContext(ctx).First(&sc, id).Error; err != nil {
		return nil, notFoundOr(err, "spot check", id)
	}
	return &sc, nil
}

// SpotChecks pages through every draw, oldest first; for the discipline
// group.
func (s *Store) SpotChecks(ctx context.Context, p *authz.Principal, page Page) ([]*models.SpotCheck, PageInfo, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, PageInfo{}, err
	}
	return list(s.db.WithContext(ctx).Model(&models.SpotCheck{}), "spot_checks", page, func(r *models.SpotCheck) int64 { return r.ID })
}

// SpotCheckCandidates returns the candidates of draw id in (user, date)
// order, only the sampled ones when sampled; for the discipline group.
func (s *Store) SpotCheckCandidates(ctx context.Context, p *authz.Principal, id int64, sampled bool) ([]*models.SpotCheckCandidate, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("spot_check_id = ?", id)
	if sampled {
		q = q.Where("sampled = ?", true)
	}
	var out []*models.SpotCheckCandidate
	return out, mapErr(q.Order("user_id, date").Find(&out).Error)
}

// SpotCheckItem returns sampled cadre-day id; for the discipline group.
// NOT_FOUND for an unknown id or a candidate that was not drawn.
func (s *Store) SpotCheckItem(ctx context.Context, p *authz.Principal, id int64) (*models.SpotCheckCandidate, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var c models.SpotCheckCandidate
	if err := s.db.WithContext(ctx).Where("id = ? AND sampled = ?", id, true).Take(&c).Error; err != nil {
		return nil, notFoundOr(err, "spot-check item", id)
	}
	return &c, nil
}

// SaveFinding stores a finding made out to p with its ledger leaf and sets
// its id. FORBIDDEN for anyone but the discipline group or a finding made
// out to another; CONFLICT when p already used its client id
// (FindingByClient answers the resend).
func (s *Store) SaveFinding(ctx context.Context, p *authz.Principal, f *models.Finding, leaf models.Leaf) error {
	if err := inspector(p, authz.WriteInspections); err != nil {
		return err
	}
	if f.InspectorID != p.UserID {
		return models.E(models.CodeForbidden, "a finding is made out to its inspector")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(f).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "client id %q was already used for a finding", f.ClientID)
			}
			return err
		}
		return writeLeaves(tx, []models.Leaf{leaf})
	})
}

// FindingByClient returns p's finding stored under clientID, nil when
// none; for the discipline group.
func (s *Store) FindingByClient(ctx context.Context, p *authz.Principal, clientID string) (*models.Finding, error) {
	if err := inspector(p, authz.WriteInspections); err != nil {
		return nil, err
	}
	var f models.Finding
	err := s.db.WithContext(ctx).Where("inspector_id = ? AND client_id = ?", p.UserID, clientID).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &f, mapErr(err)
}

// Finding returns finding id; for the discipline group. NOT_FOUND for an
// unknown id.
func (s *Store) Finding(ctx context.Context, p *authz.Principal, id int64) (*models.Finding, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var f models.Finding
	if err := s.db.WithContext(ctx).First(&f, id).Error; err != nil {
		return nil, notFoundOr(err, "finding", id)
	}
	return &f, nil
}

// FindingFilter narrows Findings.
type FindingFilter struct {
	SubjectID   *int64 // about this cadre
	SpotCheckID *int64 // on this draw's items
	ItemID      *int64 // on this item
	Outcome     *models.FindingOutcome
}

// Findings pages through the findings matching f, oldest first; for the
// discipline group.
func (s *Store) Findings(ctx context.Context, p *authz.Principal, f FindingFilter, page Page) ([]*models.Finding, PageInfo, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Finding{})
	if f.SubjectID != nil {
		q = q.Where("findings.subject_id = ?", *f.SubjectID)
	}
	if f.ItemID != nil {
		q = q.Where("findings.item_id = ?", *f.ItemID)
	}
	if f.SpotCheckID != nil {
		q = q.Where("findings.item_id IN (?)", s.db.Model(&models.SpotCheckCandidate{}).Select("id").Where("spot_check_id = ?", *f.SpotCheckID))
	}
	if f.Outcome != nil {
		q = q.Where("findings.outcome = ?", *f.Outcome)
	}
	return list(q, "findings", page, func(r *models.Finding) int64 { return r.ID })
}

// FindingsByItem loads the findings of sampled cadre-days (a data-loader
// batch), oldest first; for the discipline group.
func (s *Store) FindingsByItem(ctx context.Context, p *authz.Principal, items []int64) (map[int64][]*models.Finding, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var rows []*models.Finding
	if err := s.db.WithContext(ctx).Where("item_id IN ?", items).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := map[int64][]*models.Finding{}
	for _, f := range rows {
		out[*f.ItemID] = append(out[*f.ItemID], f)
	}
	return out, nil
}

// SaveEscalation stores an escalation made out to p with its ledger leaf
// and sets its id. FORBIDDEN for anyone but the discipline group or an
// escalation made out to another; CONFLICT when the finding was escalated
// already (EscalationOf answers the resend).
func (s *Store) SaveEscalation(ctx context.Context, p *authz.Principal, e *models.Escalation, leaf models.Leaf) error {
	if err := inspector(p, authz.WriteInspections); err != nil {
		return err
	}
	if e.InspectorID != p.UserID {
		return models.E(models.CodeForbidden, "an escalation is made out to its inspector")
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			if isDuplicate(err) {
				return models.E(models.CodeConflict, "finding %d was escalated already", e.FindingID)
			}
			return err
		}
		return writeLeaves(tx, []models.Leaf{leaf})
	})
}

// EscalationsOf loads the escalation of each finding that has one (a
// data-loader batch); for the discipline group.
func (s *Store) EscalationsOf(ctx context.Context, p *authz.Principal, findings []int64) (map[int64]*models.Escalation, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var rows []*models.Escalation
	if err := s.db.WithContext(ctx).Where("finding_id IN ?", findings).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(e *models.Escalation) int64 { return e.FindingID }), nil
}

// SpotCheckItems pages through the sampled cadre-days of draw id in
// (user, date) order (the order candidates are stored in); for the
// discipline group.
func (s *Store) SpotCheckItems(ctx context.Context, p *authz.Principal, id int64, page Page) ([]*models.SpotCheckCandidate, PageInfo, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, PageInfo{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.SpotCheckCandidate{}).Where("spot_check_candidates.spot_check_id = ? AND spot_check_candidates.sampled = ?", id, true)
	return list(q, "spot_check_candidates", page, func(r *models.SpotCheckCandidate) int64 { return r.ID })
}

// SpotCheckItemsByID loads sampled cadre-days (a data-loader batch); for
// the discipline group.
func (s *Store) SpotCheckItemsByID(ctx context.Context, p *authz.Principal, ids []int64) (map[int64]*models.SpotCheckCandidate, error) {
	if err := inspector(p, authz.ReadInspections); err != nil {
		return nil, err
	}
	var rows []*models.SpotCheckCandidate
	if err := s.db.WithContext(ctx).Where("id IN ? AND sampled = ?", ids, true).Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	return keyBy(rows, func(c *models.SpotCheckCandidate) int64 { return c.ID }), nil
}
