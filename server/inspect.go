package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/henan-youth/onsite/accesslog"
	"github.com/henan-youth/onsite/anomaly"
	"github.com/henan-youth/onsite/inspect"
)

// openInspection builds the access log — which the activity service uses
// for reveals and photos, and the GraphQL endpoint for every other read —
// and the discipline group's toolkit over the same store and blobs.
func openInspection(a *app, log *slog.Logger, now func() time.Time) {
	a.access = &accesslog.Log{Store: a.store, Now: now, Log: log}
	a.acts.Access = a.access
	a.inspect = &inspect.Service{Store: a.store, Regions: a.regions, Policy: a.checkins.Policy, Rules: anomaly.DefaultRules(),
		Blobs: a.acts.Blobs, Overturn: escalations{store: a.store, checkins: a.checkins, acts: a.acts}, Now: now, Log: log}
}

// photoHashBatch is how many photos one pass of hashPhotos hashes; the
// next pass follows at once while photos wait.
const photoHashBatch = 50

// hashPhotos gives stored photos their perceptual hashes off the request
// path, one at a time, every interval until ctx ends: a photo is compared
// with the others (anomaly.Reused) within an interval of its upload.
func (a *app) hashPhotos(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := a.inspect.HashPhotos(ctx, photoHashBatch)
		if err != nil && ctx.Err() == nil {
			a.log.Warn("photo hashes: a pass failed", "err", err)
		}
		if n == photoHashBatch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
