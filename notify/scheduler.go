package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/henan-youth/onsite/store"
)

// Job is work the scheduler runs on every tick, such as sending the
// reminders due: it must be safe to run again, and on two servers at once
// (a lease is only a saving of work: a server that stalls past its lease
// may still be running when another takes it).
type Job struct {
	Name string
	Run  func(ctx context.Context) error
}

// LeaseName is the lease the scheduler holds.
const LeaseName = "scheduler"

// Scheduler runs its jobs on the one server that holds its lease in the
// database: every Interval a server takes or renews the lease and, while it
// holds it, runs every job. When the holder stops it gives the lease up,
// and another server's next tick takes it; one that dies holds it until
// it expires.
type Scheduler struct {
	Store    *store.Store
	Holder   string        // this server's name in the lease, unique per process; NewHolder's when empty
	Interval time.Duration // between runs; 1 min when zero
	Lease    time.Duration // how long a taken lease lasts; 3 intervals when zero
	Jobs     []Job
	Log      *slog.Logger
}

func (s *Scheduler) interval() time.Duration {
	if s.Interval <= 0 {
		return time.Minute
	}
	return s.Interval
}

// NewHolder returns a lease holder's name unique to this process: the
// host, the process id and a random suffix.
func NewHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// RunOnce takes or renews the lease and, when it holds it, runs every job
// in order. It reports whether it held the lease, and the first error of
// the lease or a job (the other jobs still run).
func (s *Scheduler) RunOnce(ctx context.Context) (bool, error) {
	lease := s.Lease
	if lease <= 0 {
		lease = 3 * s.interval()
	}
	held, err := s.Store.TakeLease(ctx, LeaseName, s.Holder, lease)
	if err != nil || !held {
		return false, err
	}
	var first error
	for _, j := range s.Jobs {
		if err := j.Run(ctx); err != nil {
			s.log().Warn("scheduled job failed", "job", j.Name, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return true, first
}

// Run calls RunOnce every Interval, first at once, until ctx ends; then it
// gives the lease up.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.interval())
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("scheduler run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if err := s.Store.ReleaseLease(rctx, LeaseName, s.Holder); err != nil {
				s.log().Warn("giving up the scheduler lease failed; it expires by itself", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
