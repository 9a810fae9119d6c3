package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/notify"
	"github.com/henan-youth/onsite/summary"
)

// openSummaries builds R8's summaries and the scheduler that sends the
// reminders. Notifications (a.notify) exist from the app's start, so that
// every feature opened before may send them.
func (a *app) openSummaries(log *slog.Logger, now func() time.Time) {
	a.summaries = &summary.Service{Store: a.store, CheckIns: a.checkins, Verdicts: a.verdicts, Activities: a.acts,
		Rules:  compliance.DefaultPolicy(),
		Policy: summary.DefaultPolicy(), Now: now}
	a.scheduler = &notify.Scheduler{Store: a.store, Holder: notify.NewHolder(), Log: log,
		Jobs: []notify.Job{{Name: "summary reminders", Run: a.summaries.Remind},
			{Name: "overdue key work", Run: func(ctx context.Context) error { _, err := a.tasks.RemindOverdue(ctx); return err }},
			{Name: "stored verdicts", Run: a.reports.Refresh}}}
}

// startNotifications runs the delivery of notifications to this server's
// subscriptions and the scheduler until stopNotifications.
func (a *app) startNotifications(ctx context.Context) {
	ctx, a.notifyStop = context.WithCancel(ctx)
	a.notifyDone = &sync.WaitGroup{}
	a.notifyDone.Go(func() { a.notify.Run(ctx) })
	a.notifyDone.Go(func() { a.scheduler.Run(ctx) })
}

// stopNotifications ends every subscription (clients reconnect to another
// server), stops delivery and the scheduler, which gives its lease up, and
// waits for them.
func (a *app) stopNotifications() {
	if a.notify != nil {
		a.notify.Close()
	}
	if a.notifyStop != nil {
		a.notifyStop()
		a.notifyDone.Wait()
	}
}
