package report

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
)

// Refresh judges and stores the verdicts of today's quarter of every cadre
// whose stored ones no longer hold (verdict.Service.Briefs), so that a
// supervisor's report finds them stored: the scheduler runs it every
// minute on the server holding its lease, which re-judges the cadres
// changed since, and every cadre once after midnight (a new day is a new
// basis). It costs a unit's briefs per minute when nothing changed.
// Errors are the reports'.
func (s *Service) Refresh(ctx context.Context) error {
	roots, err := s.Store.RootUnits(ctx)
	if err != nil {
		return err
	}
	q := compliance.QuarterOf(s.Now(), s.Location)
	sys := authz.System("stored verdicts")
	for _, root := range roots {
		r, err := s.Report(ctx, sys, root, q.Year, q.Q)
		if err != nil {
			return err
		}
		r.mu.Lock()
		err = r.everyone(ctx)
		r.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
