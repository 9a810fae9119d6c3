package activity

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// KindCount is one kind's numbers for a period: recorded (not rejected,
// not superseded), counting, and what R6/R7 require (0: no number).
type KindCount struct {
	Kind     models.ActivityKind
	Recorded int
	Counting int
	Required int
}

// Summary is a cadre's youth work for a quarter: each kind in the quarter
// (R6), lectures over the year so far (R7), and the cadre's follow-up
// cases by status.
type Summary struct {
	UserID    int64
	Quarter   compliance.Quarter
	Kinds     []KindCount // the quarter, every kind in ActivityKinds order
	Lectures  KindCount   // the calendar year up to the quarter's end
	FollowUps map[models.FollowUpStatus]int
}

// Summary returns cadre userID's youth work for quarter q of year, for
// callers that may read its activities (NOT_FOUND otherwise); INVALID for a
// bad quarter.
func (s *Service) Summary(ctx context.Context, p *authz.Principal, rules compliance.Policy, userID int64, year, q int) (*Summary, error) {
	out, err := s.summaries(ctx, p, rules, []int64{userID}, year, q)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// summaries computes Summary for several cadres with a constant number of
// statements.
func (s *Service) summaries(ctx context.Context, p *authz.Principal, rules compliance.Policy, users []int64, year, q int) ([]*Summary, error) {
	qt := compliance.Quarter{Year: year, Q: q}
	if !qt.Valid() {
		return nil, models.E(models.CodeInvalid, "quarter must be 1–4 of a year between 2000 and 2100")
	}
	yearStart := compliance.Quarter{Year: year, Q: 1}.FirstDate().String()
	acts, err := s.Store.AllActivities(ctx, p, store.ActivityFilter{UserIDs: users, From: yearStart, To: qt.LastDate().String()})
	if err != nil {
		return nil, err
	}
	counts, err := s.Counts(ctx, p, acts)
	if err != nil {
		return nil, err
	}
	follow, err := s.Store.FollowUpCounts(ctx, p, users)
	if err != nil {
		return nil, err
	}
	byUser := map[int64]*Summary{}
	out := make([]*Summary, len(users))
	for i, u := range users {
		sm := &Summary{UserID: u, Quarter: qt, Lectures: KindCount{Kind: models.KindLecture, Required: rules.LecturesPerYear},
			FollowUps: follow[u]}
		for _, k := range models.ActivityKinds() {
			req := rules.Required(k)
			if k == models.KindLecture {
				req = 0 // a yearly number: see Lectures
			}
			sm.Kinds = append(sm.Kinds, KindCount{Kind: k, Required: req})
		}
		out[i], byUser[u] = sm, sm
	}
	first := qt.FirstDate().String()
	for _, a := range acts {
		sm, c := byUser[a.UserID], counts[a.ID]
		if sm == nil || c.SupersededBy != nil || c.Status == models.ActivityRejected {
			continue
		}
		add := func(k *KindCount) {
			k.Recorded++
			if c.Counts {
				k.Counting++
			}
		}
		if a.Kind == models.KindLecture {
			add(&sm.Lectures)
		}
		if a.LocalDate >= first {
			for i := range sm.Kinds {
				if sm.Kinds[i].Kind == a.Kind {
					add(&sm.Kinds[i])
				}
			}
		}
	}
	return out, nil
}

// UnitSummaries pages through the cadres of org unit unitID's subtree that
// p may read, with each one's Summary for the quarter.
func (s *Service) UnitSummaries(ctx context.Context, p *authz.Principal, rules compliance.Policy, unitID int64, year, q int, page store.Page) ([]*Summary, store.PageInfo, error) {
	role := models.RoleCadre
	users, pi, err := s.Store.ListUsers(ctx, p, store.UserFilter{OrgUnitID: &unitID, Subtree: true, Role: &role}, page)
	if err != nil {
		return nil, pi, err
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	out, err := s.summaries(ctx, p, rules, ids, year, q)
	return out, pi, err
}
