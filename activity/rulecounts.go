package activity

import (
	"context"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// RuleCounts returns what R6 and R7 read for each of users whose
// activities p may read: its counting activities per kind in quarter q
// (Counts decides which count), and its counting lectures in q's calendar
// year. Users without one get zero counts. INVALID for a bad quarter;
// UNAVAILABLE when the database fails. A constant number of statements
// whatever the number of users.
func (s *Service) RuleCounts(ctx context.Context, p *authz.Principal, users []int64, q compliance.Quarter) (map[int64]compliance.ActivityCounts, error) {
	if !q.Valid() {
		return nil, models.E(models.CodeInvalid, "quarter must be 1–4 of a year between 2000 and 2100")
	}
	yearFirst := compliance.Quarter{Year: q.Year, Q: 1}.FirstDate().String()
	yearLast := compliance.Quarter{Year: q.Year, Q: 4}.LastDate().String()
	acts, err := s.Store.AllActivities(ctx, p, store.ActivityFilter{UserIDs: users, From: yearFirst, To: yearLast})
	if err != nil {
		return nil, err
	}
	counts, err := s.Counts(ctx, p, acts)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]compliance.ActivityCounts, len(users))
	for _, u := range users {
		out[u] = compliance.ActivityCounts{Quarter: map[models.ActivityKind]int{}}
	}
	first, last := q.FirstDate().String(), q.LastDate().String()
	for _, a := range acts {
		c, ok := out[a.UserID]
		if !ok || !counts[a.ID].Counts {
			continue
		}
		if a.Kind == models.KindLecture {
			c.YearLectures++
		}
		if a.LocalDate >= first && a.LocalDate <= last {
			c.Quarter[a.Kind]++
		}
		out[a.UserID] = c
	}
	return out, nil
}
