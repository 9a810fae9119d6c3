// Package verdict is the use case of a cadre's verdicts: it reads what the
// rules of a quarter look at — the cadre's on-site days, assignments and
// unit policy, and, through sources the server wires, approved absences,
// counting activities, work summaries and seminar talks — and hands them
// to compliance.Evaluate.
package verdict

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// The sources read for many cadres at once, each with a number of
// statements that does not grow with them, so that a unit's report
// (Unit) reads a page of cadres as one cadre's verdicts read one.

// ActivitySource counts cadres' counting activities (R6, R7).
type ActivitySource interface {
	// ActivityCounts returns, by user, the counting activities per kind
	// in q and the counting lectures in q's year of those of users p may
	// read; the errors of the reads it makes.
	ActivityCounts(ctx context.Context, p *authz.Principal, users []int64, q compliance.Quarter) (map[int64]compliance.ActivityCounts, error)
}

// AbsenceSource lists cadres' approved absences.
type AbsenceSource interface {
	// Absences returns, by user, the approved absences touching
	// [first, last] of those of users p may read; the errors of the reads
	// it makes.
	Absences(ctx context.Context, p *authz.Principal, users []int64, first, last presence.Date) (map[int64][]compliance.Absence, error)
}

// DocumentSource reads cadres' work summaries and annual reports (R8).
type DocumentSource interface {
	// Documents returns, by user, the state of the work summary of q and
	// the report of q's year of those of users p may read; the errors of
	// the reads it makes.
	Documents(ctx context.Context, p *authz.Principal, users []int64, q compliance.Quarter) (map[int64]compliance.Documents, error)
}

// TalkSource lists cadres' seminar talks (R9).
type TalkSource interface {
	// Talks returns, by user, the dates of the seminar talks in
	// [first, last] of those of users p may read; the errors of the reads
	// it makes.
	Talks(ctx context.Context, p *authz.Principal, users []int64, first, last presence.Date) (map[int64][]presence.Date, error)
}

// Service computes verdicts. The sources are optional: a rule whose facts
// have no source is not reported (compliance.Facts), and without an
// AbsenceSource no absence is known.
type Service struct {
	Store      *store.Store
	Regions    *regions.Service // names of counties and campuses for the sentences
	DayRule    presence.Policy  // what makes an on-site day, and the zone of dates
	Activities ActivitySource
	Absences   AbsenceSource
	Documents  DocumentSource
	Talks      TalkSource
	Now        func() time.Time
	// Build names the build of the rules; a stored verdict of another
	// build is judged again. The server sets it to a digest of its
	// executable.
	Build string
	// Check judges again every stored verdict served and refuses
	// (INTERNAL) one that differs: a diagnostic for a write path that
	// changes facts without bumping their version. Slow; tests set it.
	Check bool
}

// Cadre returns userID's verdicts for quarter q of year, as
// compliance.Evaluate lists them. The caller must be allowed to read the
// cadre, its check-ins and its work (a cadre itself, its supervisors, the
// discipline group, admins): NOT_FOUND otherwise. INVALID for a bad
// quarter; UNAVAILABLE when the database fails.
func (s *Service) Cadre(ctx context.Context, p *authz.Principal, userID int64, year, quarter int) ([]compliance.Result, error) {
	q := compliance.Quarter{Year: year, Q: quarter}
	if err := validQuarter(q); err != nil {
		return nil, err
	}
	user, err := s.Store.User(ctx, p, userID)
	if err != nil {
		return nil, err
	}
	out, err := s.Judge(ctx, p, []*models.User{user}, year, quarter)
	if err != nil {
		return nil, err
	}
	return out[userID], nil
}

// R2 returns userID's R2 verdict for quarter q of year alone, judged from
// R2's facts only (never stored), with the refusals of Cadre.
func (s *Service) R2(ctx context.Context, p *authz.Principal, userID int64, year, quarter int) (compliance.Result, error) {
	q := compliance.Quarter{Year: year, Q: quarter}
	if err := validQuarter(q); err != nil {
		return compliance.Result{}, err
	}
	user, err := s.Store.User(ctx, p, userID)
	if err != nil {
		return compliance.Result{}, err
	}
	timelines, _, err := s.policies(ctx, p, []int64{user.OrgUnitID})
	if err != nil {
		return compliance.Result{}, err
	}
	byUser, err := s.read(ctx, p, []*models.User{user}, q, false, timelines)
	if err != nil {
		return compliance.Result{}, err
	}
	return compliance.EvaluateR2(byUser[userID], q), nil
}

// validQuarter refuses a quarter the rules cannot judge (INVALID).
func validQuarter(q compliance.Quarter) error {
	if !q.Valid() || q.Year < 2000 || q.Year > 2100 {
		return models.E(models.CodeInvalid, "quarter must be 1–4 of a year between 2000 and 2100")
	}
	return nil
}

// assignments converts a cadre's stored assignments, naming their regions.
func (s *Service) assignments(rows []*models.Assignment) ([]compliance.Assignment, error) {
	out := make([]compliance.Assignment, 0, len(rows))
	for _, a := range rows {
		ca := compliance.Assignment{RegionID: a.RegionID, Purpose: a.Purpose}
		if r := s.Regions.Get(a.RegionID); r != nil {
			ca.RegionName = r.Name
		}
		var err error
		if ca.From, err = presence.ParseDate(a.ValidFrom); err == nil && a.ValidTo != "" {
			ca.To, err = presence.ParseDate(a.ValidTo)
		}
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "a stored assignment")
		}
		out = append(out, ca)
	}
	return out, nil
}
