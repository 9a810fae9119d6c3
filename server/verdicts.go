package main

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/policy"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/verdict"
)

// openVerdicts builds the policy and verdict services and writes the
// province's baseline policy where a root unit has none.
func openVerdicts(ctx context.Context, a *app) error {
	a.policies = &policy.Service{Store: a.store, Location: a.checkins.Policy.Location, Now: a.checkins.Now}
	if err := a.policies.EnsureBaseline(ctx); err != nil {
		return err
	}
	facts := storeFacts{a.store, a.checkins.Policy.Location}
	a.verdicts = &verdict.Service{Store: a.store, Regions: a.regions, DayRule: a.checkins.Policy,
		Activities: activityCounts{a.acts}, Absences: facts, Documents: facts, Talks: facts, Now: a.checkins.Now}
	return nil
}

// storeFacts gives the verdicts the facts read straight from the store:
// approved absences, the state of the R8 documents, and seminar talks.
type storeFacts struct {
	store *store.Store
	loc   *time.Location
}

// Absences returns userID's absences, not withdrawn, touching [first, last].
func (f storeFacts) Absences(ctx context.Context, p *authz.Principal, userID int64, first, last presence.Date) ([]compliance.Absence, error) {
	rows, err := f.store.ApprovedAbsences(ctx, p, []int64{userID}, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	out := make([]compliance.Absence, 0, len(rows))
	for _, r := range rows {
		a := compliance.Absence{Kind: compliance.AbsenceKind(r.Kind)}
		if a.From, err = presence.ParseDate(r.FromDate); err == nil {
			a.To, err = presence.ParseDate(r.ToDate)
		}
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "a stored absence")
		}
		out = append(out, a)
	}
	return out, nil
}

// Documents returns the state of userID's work summary of q and annual
// report of q's year.
func (f storeFacts) Documents(ctx context.Context, p *authz.Principal, userID int64, q compliance.Quarter) (compliance.Documents, error) {
	states, err := f.store.DocumentStates(ctx, p, []int64{userID}, q.Year, q.Q)
	if err != nil {
		return compliance.Documents{}, err
	}
	return compliance.Documents{Summary: f.document(states[userID][models.SummaryQuarterly]),
		AnnualReport: f.document(states[userID][models.SummaryAnnual])}, nil
}

// document is a stored document's state as R8 reads it: a draft never
// submitted is missing; a draft saved after a return is still returned.
func (f storeFacts) document(st store.DocumentState) compliance.Document {
	d := compliance.Document{Status: compliance.DocMissing}
	switch {
	case st.Status == models.SummarySubmitted:
		d.Status = compliance.DocSubmitted
	case st.Status == models.SummaryAccepted:
		d.Status = compliance.DocAccepted
	case st.Status == models.SummaryReturned, st.Versions > 0:
		d.Status = compliance.DocReturned
	}
	if st.FirstSubmitted != nil {
		d.FirstSubmitted = presence.DateOf(*st.FirstSubmitted, f.loc)
	}
	return d
}

// Talks returns the dates of userID's seminar talks in [first, last].
func (f storeFacts) Talks(ctx context.Context, p *authz.Principal, userID int64, first, last presence.Date) ([]presence.Date, error) {
	talks, err := f.store.TalkDates(ctx, p, []int64{userID}, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	out := make([]presence.Date, 0, len(talks[userID]))
	for _, t := range talks[userID] {
		d, err := presence.ParseDate(t)
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "a stored talk date")
		}
		out = append(out, d)
	}
	return out, nil
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
