package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/blob"
	"github.com/henan-youth/onsite/secret"
)

// openActivities builds the youth-work service: the photo store (an
// S3-compatible store when an endpoint is set, else a local directory) and
// the key file that encrypts interviewees' contacts (created 0600 when
// absent, like the token key).
func openActivities(ctx context.Context, cfg config, a *app, log *slog.Logger, now func() time.Time) (*activity.Service, error) {
	var blobs blob.Store
	if cfg.S3.Endpoint != "" {
		s3, err := blob.NewS3(cfg.S3)
		if err != nil {
			return nil, err
		}
		if err := s3.Check(ctx); err != nil {
			return nil, err
		}
		blobs = s3
	} else {
		dir, err := blob.OpenDir(besideKeys(cfg, cfg.BlobDir, "onsite-blobs"))
		if err != nil {
			return nil, err
		}
		blobs = dir
	}
	keyFile := besideKeys(cfg, cfg.ContactKeyFile, "onsite-contact-key.pem")
	keys, created, err := secret.LoadOrCreateKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("generated a new contact encryption key; back it up: without it interviewees' numbers cannot be read",
			"file", keyFile, "kid", keys.CurrentKID())
	}
	return &activity.Service{Store: a.store, Regions: a.regions, Blobs: blobs, Contacts: &activity.Contacts{Keys: keys},
		Policy: a.checkins.Policy, Photos: activity.DefaultPhotoPolicy(), PolicyVersion: a.checkins.PolicyVersion, Now: now}, nil
}

// besideKeys returns path, or when it is empty the file name beside the
// JWT key file: a server's keys and evidence live together unless told
// otherwise.
func besideKeys(cfg config, path, name string) string {
	if path != "" {
		return path
	}
	return filepath.Join(filepath.Dir(cfg.KeyFile), name)
}
