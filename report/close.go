package report

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// Close closes quarter (year, quarter) for unitID's subtree: it freezes
// the verdicts of every cadre of the report as they stand now (status,
// numbers, message, policy version), with when and by whom, and answers
// the report. A cadre frozen by an earlier closing of a unit below keeps
// its first record. For supervisors of the unit or above and the system
// administrator (FORBIDDEN otherwise); CONFLICT when the unit or a unit
// above it has closed the quarter already; the refusals of Report.
func (s *Service) Close(ctx context.Context, p *authz.Principal, unitID int64, year, quarter int) (*Report, error) {
	if _, err := authz.Check(p, authz.CloseQuarter); err != nil {
		return nil, err
	}
	r, err := s.Report(ctx, p, unitID, year, quarter)
	if err != nil {
		return nil, err
	}
	if r.Closing != nil {
		return nil, models.E(models.CodeConflict, "%s is closed already for org unit %d or a unit above it", r.Period(), unitID)
	}
	r.mu.Lock()
	err = r.evaluate(ctx, r.Cadres, true)
	r.all = err == nil
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c := &models.QuarterClosing{OrgUnitID: unitID, Year: year, Quarter: quarter, Cadres: len(r.Cadres),
		ClosedAt: s.Now().UTC().Truncate(1e6), ClosedBy: p.UserID}
	var frozen []*models.ClosedVerdict
	for _, u := range r.Cadres {
		for _, res := range r.results[u.ID] {
			frozen = append(frozen, &models.ClosedVerdict{UserID: u.ID, Year: year, Quarter: quarter, Rule: res.Rule, Item: res.Item,
				Status: string(res.Status), Numbers: encodeNumbers(res.Numbers), Message: res.Message, PolicyVersion: res.PolicyVersion})
		}
	}
	if err := s.Store.CloseQuarter(ctx, p, c, frozen); err != nil {
		return nil, err
	}
	r.Closing = c
	return r, nil
}
