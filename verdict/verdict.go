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

// ActivitySource counts a cadre's counting activities (R6, R7).
type ActivitySource interface {
	// ActivityCounts returns userID's counting activities per kind in q,
	// and its counting lectures in q's year; the errors of the reads it
	// makes.
	ActivityCounts(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter) (compliance.ActivityCounts, error)
}

// AbsenceSource lists a cadre's approved absences.
type AbsenceSource interface {
	// Absences returns userID's approved absences touching [first, last];
	// the errors of the reads it makes.
	Absences(ctx context.Context, p *authz.Principal, userID int64, first, last presence.Date) ([]compliance.Absence, error)
}

// DocumentSource reads a cadre's work summary and annual report (R8).
type DocumentSource interface {
	// Documents returns the state of userID's work summary of q and report
	// of q's year; the errors of the reads it makes.
	Documents(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter) (compliance.Documents, error)
}

// TalkSource lists a cadre's seminar talks (R9).
type TalkSource interface {
	// Talks returns the dates of userID's seminar talks in [first, last];
	// the errors of the reads it makes.
	Talks(ctx context.Context, p *authz.Principal, userID int64, first, last presence.Date) ([]presence.Date, error)
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
}

// Cadre returns userID's verdicts for quarter q of year, as
// compliance.Evaluate lists them. The caller must be allowed to read the
// cadre, its check-ins and its work (a cadre itself, its supervisors, the
// discipline group, admins): NOT_FOUND otherwise. INVALID for a bad
// quarter; UNAVAILABLE when the database fails.
func (s *Service) Cadre(ctx context.Context, p *authz.Principal, userID int64, year, quarter int) ([]compliance.Result, error) {
	q := compliance.Quarter{Year: year, Q: quarter}
	f, err := s.facts(ctx, p, userID, q, true)
	if err != nil {
		return nil, err
	}
	return compliance.Evaluate(f, q), nil
}

// R2 returns userID's R2 verdict for quarter q of year alone, with the
// refusals of Cadre.
func (s *Service) R2(ctx context.Context, p *authz.Principal, userID int64, year, quarter int) (compliance.Result, error) {
	q := compliance.Quarter{Year: year, Q: quarter}
	f, err := s.facts(ctx, p, userID, q, false)
	if err != nil {
		return compliance.Result{}, err
	}
	return compliance.EvaluateR2(f, q), nil
}

// facts reads the facts of userID's year around q; all, or only R2's.
func (s *Service) facts(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter, all bool) (compliance.Facts, error) {
	if !q.Valid() || q.Year < 2000 || q.Year > 2100 {
		return compliance.Facts{}, models.E(models.CodeInvalid, "quarter must be 1–4 of a year between 2000 and 2100")
	}
	first, last := compliance.Quarter{Year: q.Year, Q: 1}.FirstDate(), compliance.Quarter{Year: q.Year, Q: 4}.LastDate()
	if !all {
		first, last = q.FirstDate(), q.LastDate()
	}
	user, err := s.Store.User(ctx, p, userID)
	if err != nil {
		return compliance.Facts{}, err
	}
	f := compliance.Facts{Today: presence.DateOf(s.Now(), s.DayRule.Location), GrassrootsDept: user.GrassrootsDept,
		SchoolWorkGroup: user.SchoolWorkGroup, DayRule: s.DayRule}
	days, err := s.Store.Days(ctx, p, userID, first.String(), last.String())
	if err != nil {
		return compliance.Facts{}, err
	}
	for _, d := range days {
		date, err := presence.ParseDate(d.Date)
		if err != nil {
			return compliance.Facts{}, models.Wrap(models.CodeInternal, err, "a stored day")
		}
		f.Days = append(f.Days, compliance.Day{DayStat: presence.DayStat{RegionID: d.RegionID, Date: date, Accepted: d.Accepted,
			First: d.FirstAt, Last: d.LastAt}, MadeUp: d.MadeUp}) // by its check-ins, or else made up: compliance tells them apart
	}
	if f.Assignments, err = s.assignments(ctx, p, userID, first, last); err != nil {
		return compliance.Facts{}, err
	}
	units, rows, err := s.Store.PolicyPath(ctx, p, user.OrgUnitID)
	if err != nil {
		return compliance.Facts{}, err
	}
	path, versions, err := compliance.FromRows(units, rows)
	if err == nil {
		f.Policies, err = compliance.BuildTimeline(path, versions)
	}
	if err != nil {
		return compliance.Facts{}, err
	}
	if s.Absences != nil {
		if f.Absences, err = s.Absences.Absences(ctx, p, userID, first, last); err != nil {
			return compliance.Facts{}, err
		}
	}
	if all {
		err = s.optional(ctx, p, userID, q, first, last, &f)
	}
	return f, err
}

// optional reads the facts of the rules whose sources are wired.
func (s *Service) optional(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter, first, last presence.Date, f *compliance.Facts) error {
	if s.Activities != nil {
		counts, err := s.Activities.ActivityCounts(ctx, p, userID, q)
		if err != nil {
			return err
		}
		f.Activities = &counts
	}
	if s.Documents != nil {
		docs, err := s.Documents.Documents(ctx, p, userID, q)
		if err != nil {
			return err
		}
		f.Documents = &docs
	}
	if s.Talks != nil {
		talks, err := s.Talks.Talks(ctx, p, userID, first, last)
		if err != nil {
			return err
		}
		f.Talks = &compliance.Talks{Dates: talks}
	}
	return nil
}

// assignments reads userID's assignments in [first, last] with their
// regions' names.
func (s *Service) assignments(ctx context.Context, p *authz.Principal, userID int64, first, last presence.Date) ([]compliance.Assignment, error) {
	rows, err := s.Store.AssignmentsIn(ctx, p, userID, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	out := make([]compliance.Assignment, 0, len(rows))
	for _, a := range rows {
		ca := compliance.Assignment{RegionID: a.RegionID, Purpose: a.Purpose}
		if r := s.Regions.Get(a.RegionID); r != nil {
			ca.RegionName = r.Name
		}
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
