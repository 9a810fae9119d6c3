package verdict

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Stored verdicts spare a unit's report judging its cadres again: each
// computed verdict is stored (models.StoredVerdict) with the cadre's facts
// version and its basis — the date judged on, the policy in force for the
// cadre's unit, the build of the rules — and served while both match. A
// write to a cadre's facts bumps the version in its own transaction
// (store), a new day or policy version or build changes the basis, so a
// stored verdict is served exactly when judging again would give it.
//
// Verdicts do not depend on who asks: every role that may read a cadre's
// compliance may read all the facts the verdicts read (authz's table; a
// test holds it).

// Brief is what a unit's totals and filters read of a verdict.
type Brief struct {
	Rule, Item    string
	Status        compliance.Status
	PolicyVersion string
}

// BriefOf returns the briefs of results, in their order.
func BriefOf(results []compliance.Result) []Brief {
	out := make([]Brief, len(results))
	for i, r := range results {
		out[i] = Brief{Rule: r.Rule, Item: r.Item, Status: r.Status, PolicyVersion: r.PolicyVersion}
	}
	return out
}

// The separators of a stored brief: no name, status or version holds them.
const (
	fieldSep  = "\x1f"
	resultSep = "\x1e"
)

func encodeBrief(bs []Brief) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = strings.Join([]string{b.Rule, b.Item, string(b.Status), b.PolicyVersion}, fieldSep)
	}
	return strings.Join(parts, resultSep)
}

func decodeBrief(s string) ([]Brief, error) {
	if s == "" {
		return []Brief{}, nil
	}
	parts := strings.Split(s, resultSep)
	out := make([]Brief, len(parts))
	for i, p := range parts {
		f := strings.Split(p, fieldSep)
		if len(f) != 4 {
			return nil, models.E(models.CodeInternal, "a stored verdict brief has %d fields", len(f))
		}
		out[i] = Brief{Rule: f[0], Item: f[1], Status: compliance.Status(f[2]), PolicyVersion: f[3]}
	}
	return out, nil
}

// basis is what a verdict of a cadre of a unit whose policy is stamp
// (policyStamps) is computed on besides the cadre's facts.
func (s *Service) basis(today presence.Date, stamp int64) string {
	return fmt.Sprintf("%s/p%d/%s", today, stamp, s.Build)
}

// holds reports whether v was computed from u's facts as they are on
// basis.
func holds(v *models.StoredVerdict, u *models.User, basis string) bool {
	return v != nil && v.FactsVersion == u.FactsVersion && v.Basis == basis
}

// prepare refuses a bad quarter (INVALID) and reads what judging users'
// verdicts of it needs besides their facts: the basis of each of their
// units' verdicts today and the policy of each on every date.
func (s *Service) prepare(ctx context.Context, p *authz.Principal, users []*models.User, year, quarter int) (compliance.Quarter, map[int64]string, map[int64]compliance.Timeline, error) {
	q := compliance.Quarter{Year: year, Q: quarter}
	if err := validQuarter(q); err != nil {
		return q, nil, nil, err
	}
	units := unitsOf(users)
	timelines, stamps, err := s.policies(ctx, p, units)
	if err != nil {
		return q, nil, nil, err
	}
	today := presence.DateOf(s.Now(), s.DayRule.Location)
	bases := make(map[int64]string, len(units))
	for _, u := range units {
		bases[u] = s.basis(today, stamps[u])
	}
	return q, bases, timelines, nil
}

// Judge returns the verdicts of quarter (year, quarter) of each of users
// (read for the caller before any of their facts, e.g. by
// store.ReportCadres), by user, as Unit judges them: the stored ones that
// still hold, and the others judged and stored. A fixed number of
// statements when all hold, and a fixed number more when some do not.
// The refusals of Unit.
func (s *Service) Judge(ctx context.Context, p *authz.Principal, users []*models.User, year, quarter int) (map[int64][]compliance.Result, error) {
	q, bases, timelines, err := s.prepare(ctx, p, users, year, quarter)
	if err != nil {
		return nil, err
	}
	stored, err := s.Store.StoredVerdicts(ctx, idsOf(users), year, quarter, true)
	if err != nil {
		return nil, err
	}
	out, held, stale, err := partition(users, stored, bases, func(v *models.StoredVerdict) ([]compliance.Result, error) {
		return decodeResults([]byte(v.Results))
	})
	if err == nil && s.Check {
		err = s.check(ctx, p, held, q, timelines, func(id int64) any { return out[id] }, func(r []compliance.Result) any { return r })
	}
	if err != nil {
		return nil, err
	}
	judged, err := s.judge(ctx, p, stale, q, bases, timelines)
	for id, res := range judged {
		out[id] = res
	}
	return out, err
}

// Briefs returns the briefs of the verdicts of quarter (year, quarter)
// stored for those of users (unit's subtree's cadres, read for the caller
// before any of their facts) whose stored verdicts still hold, by user,
// and the others, to be judged (Unit). A fixed number of statements
// whatever the size of the unit. The refusals of Unit.
func (s *Service) Briefs(ctx context.Context, p *authz.Principal, unit *models.OrgUnit, users []*models.User, year, quarter int) (map[int64][]Brief, []*models.User, error) {
	q, bases, timelines, err := s.prepare(ctx, p, users, year, quarter)
	if err != nil {
		return nil, nil, err
	}
	stored, err := s.Store.StoredBriefsIn(ctx, unit, year, quarter)
	if err != nil {
		return nil, nil, err
	}
	out, held, stale, err := partition(users, stored, bases, func(v *models.StoredVerdict) ([]Brief, error) {
		return decodeBrief(v.Brief)
	})
	if err == nil && s.Check {
		err = s.check(ctx, p, held, q, timelines, func(id int64) any { return out[id] }, func(r []compliance.Result) any { return BriefOf(r) })
	}
	if err != nil {
		return nil, nil, err
	}
	return out, stale, nil
}

// partition splits users into those whose stored verdict (in stored) holds
// on their unit's basis, decoded, and the others.
func partition[T any](users []*models.User, stored map[int64]*models.StoredVerdict, bases map[int64]string, decode func(*models.StoredVerdict) (T, error)) (map[int64]T, []*models.User, []*models.User, error) {
	out := make(map[int64]T, len(users))
	var held, stale []*models.User
	for _, u := range users {
		v := stored[u.ID]
		if !holds(v, u, bases[u.OrgUnitID]) {
			stale = append(stale, u)
			continue
		}
		d, err := decode(v)
		if err != nil {
			return nil, nil, nil, err
		}
		out[u.ID] = d
		held = append(held, u)
	}
	return out, held, stale, nil
}

// judge computes the verdicts of users and stores them.
func (s *Service) judge(ctx context.Context, p *authz.Principal, users []*models.User, q compliance.Quarter, bases map[int64]string, timelines map[int64]compliance.Timeline) (map[int64][]compliance.Result, error) {
	out, rows, err := s.judgeOnly(ctx, p, users, q, bases, timelines)
	if err != nil {
		return nil, err
	}
	return out, s.Store.StoreVerdicts(ctx, rows)
}

// judgeOnly computes the verdicts of users and the rows that store them.
func (s *Service) judgeOnly(ctx context.Context, p *authz.Principal, users []*models.User, q compliance.Quarter, bases map[int64]string, timelines map[int64]compliance.Timeline) (map[int64][]compliance.Result, []*models.StoredVerdict, error) {
	if len(users) == 0 {
		return nil, nil, nil
	}
	out, err := s.compute(ctx, p, users, q, timelines)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]*models.StoredVerdict, 0, len(users))
	for _, u := range users {
		res := out[u.ID]
		b, err := encodeResults(res)
		if err != nil {
			return nil, nil, models.Wrap(models.CodeInternal, err, "storing a verdict")
		}
		rows = append(rows, &models.StoredVerdict{UserID: u.ID, Year: q.Year, Quarter: q.Q, FactsVersion: u.FactsVersion,
			Basis: bases[u.OrgUnitID], Brief: encodeBrief(BriefOf(res)), Results: string(b)})
	}
	return out, rows, nil
}

// compute judges users from their facts.
func (s *Service) compute(ctx context.Context, p *authz.Principal, users []*models.User, q compliance.Quarter, timelines map[int64]compliance.Timeline) (map[int64][]compliance.Result, error) {
	facts, err := s.read(ctx, p, users, q, true, timelines)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]compliance.Result, len(users))
	for _, u := range users {
		out[u.ID] = compliance.Evaluate(facts[u.ID], q)
	}
	return out, nil
}

// check judges held again, whose verdicts were served from store as
// served gives them, and refuses (INTERNAL) one that differs from view of
// its verdicts judged now: a write that changed a cadre's facts without
// bumping its version.
func (s *Service) check(ctx context.Context, p *authz.Principal, held []*models.User, q compliance.Quarter, timelines map[int64]compliance.Timeline, served func(id int64) any, view func([]compliance.Result) any) error {
	if len(held) == 0 {
		return nil
	}
	fresh, err := s.compute(ctx, p, held, q, timelines)
	if err != nil {
		return err
	}
	for _, u := range held {
		// Compared as stored: the numbers' sentence builders are not.
		got, err1 := json.Marshal(served(u.ID))
		want, err2 := json.Marshal(view(fresh[u.ID]))
		if err := errors.Join(err1, err2); err != nil {
			return models.Wrap(models.CodeInternal, err, "comparing stored verdicts")
		}
		if string(got) != string(want) {
			return models.E(models.CodeInternal, "the stored verdicts of user %d no longer hold: %s, judged again %s", u.ID, got, want)
		}
	}
	return nil
}

func idsOf(users []*models.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func unitsOf(users []*models.User) []int64 {
	out := []int64{}
	seen := map[int64]bool{}
	for _, u := range users {
		if !seen[u.OrgUnitID] {
			seen[u.OrgUnitID] = true
			out = append(out, u.OrgUnitID)
		}
	}
	return out
}
