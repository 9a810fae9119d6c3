package verdict

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Unit returns the verdicts of quarter q of year of each of users (read
// for the caller before any of their facts, e.g. by store.ReportCadres), by
// user id, exactly as Cadre returns one cadre's: judged from the same
// facts, read for all of them at once with a number of statements that
// does not grow with them. With them come the rows that store them
// (store.StoreVerdicts; Judge serves them while they hold), left to the
// caller so that a report stores one batch while it judges the next.
// INVALID for a bad quarter; UNAVAILABLE when the database fails.
func (s *Service) Unit(ctx context.Context, p *authz.Principal, users []*models.User, year, quarter int) (map[int64][]compliance.Result, []*models.StoredVerdict, error) {
	q, bases, timelines, err := s.prepare(ctx, p, users, year, quarter)
	if err != nil {
		return nil, nil, err
	}
	out, rows, err := s.judgeOnly(ctx, p, users, q, bases, timelines)
	if out == nil {
		out = map[int64][]compliance.Result{}
	}
	return out, rows, err
}

// read reads the facts of users' year around q (all, or only R2's: the
// quarter's days, assignments, policy and absences), by user; timelines
// holds the policy of each of their units.
func (s *Service) read(ctx context.Context, p *authz.Principal, users []*models.User, q compliance.Quarter, all bool, timelines map[int64]compliance.Timeline) (map[int64]compliance.Facts, error) {
	first, last := compliance.Quarter{Year: q.Year, Q: 1}.FirstDate(), compliance.Quarter{Year: q.Year, Q: 4}.LastDate()
	if !all {
		first, last = q.FirstDate(), q.LastDate()
	}
	ids := idsOf(users)
	today := presence.DateOf(s.Now(), s.DayRule.Location)
	days, err := s.Store.DaysOf(ctx, p, ids, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	assignments, err := s.Store.AssignmentsOf(ctx, p, ids, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	out := make(map[int64]compliance.Facts, len(users))
	for _, u := range users {
		f := compliance.Facts{Today: today, GrassrootsDept: u.GrassrootsDept, SchoolWorkGroup: u.SchoolWorkGroup,
			DayRule: s.DayRule, Policies: timelines[u.OrgUnitID]}
		for _, d := range days[u.ID] {
			date, err := presence.ParseDate(d.Date)
			if err != nil {
				return nil, models.Wrap(models.CodeInternal, err, "a stored day")
			}
			f.Days = append(f.Days, compliance.Day{DayStat: presence.DayStat{RegionID: d.RegionID, Date: date, Accepted: d.Accepted,
				First: d.FirstAt, Last: d.LastAt}, MadeUp: d.MadeUp}) // by its check-ins, or else made up: compliance tells them apart
		}
		if f.Assignments, err = s.assignments(assignments[u.ID]); err != nil {
			return nil, err
		}
		out[u.ID] = f
	}
	if s.Absences != nil {
		absences, err := s.Absences.Absences(ctx, p, ids, first, last)
		if err != nil {
			return nil, err
		}
		for id, a := range absences {
			if f, ok := out[id]; ok {
				f.Absences = a
				out[id] = f
			}
		}
	}
	if all {
		err = s.optional(ctx, p, ids, q, first, last, out)
	}
	return out, err
}

// policies reads the policy of each of units on every date, and its
// stamp: the newest version id on the unit's path, which a new version
// anywhere on it changes.
func (s *Service) policies(ctx context.Context, p *authz.Principal, units []int64) (map[int64]compliance.Timeline, map[int64]int64, error) {
	paths, versions, err := s.Store.PolicyPaths(ctx, p, units)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[int64]compliance.Timeline, len(units))
	stamps := make(map[int64]int64, len(units))
	for _, unit := range units {
		path, vs, err := compliance.FromRows(paths[unit], versions[unit])
		if err == nil {
			out[unit], err = compliance.BuildTimeline(path, vs)
		}
		if err != nil {
			return nil, nil, err
		}
		for _, v := range versions[unit] {
			stamps[unit] = max(stamps[unit], v.ID)
		}
	}
	return out, stamps, nil
}

// optional reads the facts of the rules whose sources are wired into out.
func (s *Service) optional(ctx context.Context, p *authz.Principal, ids []int64, q compliance.Quarter, first, last presence.Date, out map[int64]compliance.Facts) error {
	if s.Activities != nil {
		counts, err := s.Activities.ActivityCounts(ctx, p, ids, q)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c := counts[id]
			if c.Quarter == nil {
				c.Quarter = map[models.ActivityKind]int{}
			}
			f := out[id]
			f.Activities = &c
			out[id] = f
		}
	}
	if s.Documents != nil {
		docs, err := s.Documents.Documents(ctx, p, ids, q)
		if err != nil {
			return err
		}
		for _, id := range ids {
			d := docs[id]
			f := out[id]
			f.Documents = &d
			out[id] = f
		}
	}
	if s.Talks != nil {
		talks, err := s.Talks.Talks(ctx, p, ids, first, last)
		if err != nil {
			return err
		}
		for _, id := range ids {
			f := out[id]
			f.Talks = &compliance.Talks{Dates: talks[id]}
			out[id] = f
		}
	}
	return nil
}
