package summary

import (
	"context"
	"fmt"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// OverdueWindow is how many days after its due date an unsubmitted
// summary still gets its overdue reminder: a server started long after a
// period does not remind of it.
const OverdueWindow = 30

// remindBatch is how many cadres one reminder statement covers.
const remindBatch = 500

// Remind sends the reminders due today to every cadre who was dispatched
// during a period and has submitted nothing for it: SUMMARY_DUE from
// Policy.RemindDays before the due date to the due date, SUMMARY_OVERDUE
// in the OverdueWindow days after it. Periods looked at: this and the last
// quarter, this and the last year. Each reminder is stored at most once
// per cadre, kind and period (its dedupe key), whichever server sends it
// and however often; batches commit one by one, so a run stopped midway is
// finished by the next. It returns the first error.
func (s *Service) Remind(ctx context.Context) error {
	sys := authz.System("summary reminders")
	today := presence.DateOf(s.Now(), s.Policy.Location)
	q := Period{Year: today.Year, Quarter: (int(today.Month)-1)/3 + 1}
	for _, per := range []Period{q.Previous(), q, {Year: today.Year - 1}, {Year: today.Year}} {
		kind, ok := s.reminderKind(per, today)
		if !ok {
			continue
		}
		note, key := s.reminder(kind, per)
		f := store.SummaryFilter{Kind: per.Kind(), Year: per.Year, Quarter: per.Quarter}
		for after := int64(0); ; {
			last, err := s.Store.RemindMissing(ctx, sys, f, per.First().String(), per.Last().String(), note, key, after, remindBatch)
			if err != nil {
				return err
			}
			if last == 0 {
				break
			}
			after = last
		}
	}
	return nil
}

// reminderKind says which reminder per's cadres get today, if any.
func (s *Service) reminderKind(per Period, today presence.Date) (string, bool) {
	due := s.Policy.DueDate(per)
	switch {
	case today.After(due):
		return models.NotifySummaryOverdue, today.Sub(due) <= OverdueWindow
	case !today.Before(due.AddDays(-s.Policy.RemindDays)):
		return models.NotifySummaryDue, true
	}
	return "", false
}

// reminder is the notification of kind for per and its dedupe key.
func (s *Service) reminder(kind string, per Period) (models.Notification, string) {
	due := s.Policy.DueDate(per)
	t := title(per.Kind(), per)
	n := models.Notification{Kind: kind,
		Title: fmt.Sprintf("%s请于%s前提交", t, due),
		Body:  fmt.Sprintf("Your %s of %s is due by %s.", noun(per.Kind()), per, due)}
	if kind == models.NotifySummaryOverdue {
		n.Title = fmt.Sprintf("%s已逾期（截止%s）", t, due)
		n.Body = fmt.Sprintf("Your %s of %s was due by %s and has not been submitted; a late submission is still accepted and marked late.",
			noun(per.Kind()), per, due)
	}
	return n, kind + ":" + per.String()
}
