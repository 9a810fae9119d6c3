package main

import (
	"context"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/policy"
	"github.com/henan-youth/onsite/verdict"
)

// openVerdicts builds the policy and verdict services and writes the
// province's baseline policy where a root unit has none.
func openVerdicts(ctx context.Context, a *app) error {
	a.policies = &policy.Service{Store: a.store, Location: a.checkins.Policy.Location, Now: a.checkins.Now}
	if err := a.policies.EnsureBaseline(ctx); err != nil {
		return err
	}
	a.verdicts = &verdict.Service{Store: a.store, Regions: a.regions, DayRule: a.checkins.Policy,
		Activities: activityCounts{a.acts}, Now: a.checkins.Now}
	return nil
}

// activityCounts gives the verdicts the counting activities that the
// youth-work summaries count (activity.Service.Summary).
type activityCounts struct{ acts *activity.Service }

// ActivityCounts returns userID's counting activities per kind in q and its
// counting lectures in q's year, with the refusals of activity.Summary.
func (a activityCounts) ActivityCounts(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter) (compliance.ActivityCounts, error) {
	rules := compliance.DefaultPolicy() // only the summaries' required numbers depend on it
	sm, err := a.acts.Summary(ctx, p, rules, userID, q.Year, q.Q)
	if err != nil {
		return compliance.ActivityCounts{}, err
	}
	out := compliance.ActivityCounts{Quarter: map[models.ActivityKind]int{}}
	for _, k := range sm.Kinds {
		out.Quarter[k.Kind] = k.Counting
	}
	if q.Q != 4 { // a summary's lectures run to its quarter's end: the year's are Q4's
		if sm, err = a.acts.Summary(ctx, p, rules, userID, q.Year, 4); err != nil {
			return compliance.ActivityCounts{}, err
		}
	}
	out.YearLectures = sm.Lectures.Counting
	return out, nil
}
