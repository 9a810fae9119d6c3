package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/policy"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/report"
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
	build, err := buildDigest()
	if err != nil {
		return err
	}
	a.verdicts = &verdict.Service{Store: a.store, Regions: a.regions, DayRule: a.checkins.Policy,
		Activities: activityCounts{a.acts}, Absences: facts, Documents: facts, Talks: facts, Now: a.checkins.Now,
		Build: build, Check: a.cfg.CheckStoredVerdicts}
	a.reports = &report.Service{Store: a.store, Verdicts: a.verdicts, Location: a.checkins.Policy.Location, Now: a.checkins.Now}
	return nil
}

// buildDigest names the server's build for the stored verdicts: the first
// bytes of the SHA-256 of its executable, read once per process, so a
// stored verdict of another build of the rules is judged again.
var buildDigest = sync.OnceValues(func() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("naming the build: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("naming the build: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("naming the build: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
})

// storeFacts gives the verdicts the facts read straight from the store:
// approved absences, the state of the R8 documents, and seminar talks.
type storeFacts struct {
	store *store.Store
	loc   *time.Location
}

// Absences returns, by user, the absences, not withdrawn, of users
// touching [first, last].
func (f storeFacts) Absences(ctx context.Context, p *authz.Principal, users []int64, first, last presence.Date) (map[int64][]compliance.Absence, error) {
	rows, err := f.store.ApprovedAbsences(ctx, p, users, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	out := map[int64][]compliance.Absence{}
	for _, r := range rows {
		a := compliance.Absence{Kind: compliance.AbsenceKind(r.Kind)}
		if a.From, err = presence.ParseDate(r.FromDate); err == nil {
			a.To, err = presence.ParseDate(r.ToDate)
		}
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "a stored absence")
		}
		out[r.UserID] = append(out[r.UserID], a)
	}
	return out, nil
}

// Documents returns, for every one of users, the state of its work summary
// of q and annual report of q's year.
func (f storeFacts) Documents(ctx context.Context, p *authz.Principal, users []int64, q compliance.Quarter) (map[int64]compliance.Documents, error) {
	states, err := f.store.DocumentStates(ctx, p, users, q.Year, q.Q)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]compliance.Documents, len(users))
	for _, u := range users {
		out[u] = compliance.Documents{Summary: f.document(states[u][models.SummaryQuarterly]),
			AnnualReport: f.document(states[u][models.SummaryAnnual])}
	}
	return out, nil
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

// Talks returns, by user, the dates of users' seminar talks in [first, last].
func (f storeFacts) Talks(ctx context.Context, p *authz.Principal, users []int64, first, last presence.Date) (map[int64][]presence.Date, error) {
	talks, err := f.store.TalkDates(ctx, p, users, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]presence.Date, len(talks))
	for u, dates := range talks {
		for _, t := range dates {
			d, err := presence.ParseDate(t)
			if err != nil {
				return nil, models.Wrap(models.CodeInternal, err, "a stored talk date")
			}
			out[u] = append(out[u], d)
		}
	}
	return out, nil
}

// activityCounts gives the verdicts the counting activities that the
// youth-work summaries count (activity.Service.RuleCounts).
type activityCounts struct{ acts *activity.Service }

// ActivityCounts returns, by user, the counting activities per kind in q
// and counting lectures in q's year, with the refusals of RuleCounts.
func (a activityCounts) ActivityCounts(ctx context.Context, p *authz.Principal, users []int64, q compliance.Quarter) (map[int64]compliance.ActivityCounts, error) {
	return a.acts.RuleCounts(ctx, p, users, q)
}
