// Package inspect is the discipline group's toolkit (R11: 随机抽查,
// 团员青年评议): reproducible stratified spot checks of cadre-days
// (draw.go), findings on what was checked, call-backs to interviewees and
// escalations of a discrepancy into a ruling (findings.go), anomaly
// detectors over the stored evidence with a per-cadre risk ranking
// (anomalies.go), and the perceptual hashes of photos they compare
// (photos.go). Every record it writes is ledgered and never edited.
package inspect

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/henan-youth/onsite/anomaly"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// Overturner turns an escalation into the ruling that overturns its
// target record (the corrections of evidence, which own that ruling). It
// must be idempotent under the escalation's id: a resent escalation calls
// it again. The server wires it; without one an escalation is recorded
// and waits for it.
type Overturner interface {
	Overturn(ctx context.Context, p *authz.Principal, e *models.Escalation) error
}

// BlobReader reads a photo by its content hash (the blob store).
type BlobReader interface {
	Get(ctx context.Context, sha string) (io.ReadCloser, int64, error)
}

// Service runs the toolkit.
type Service struct {
	Store    *store.Store
	Regions  *regions.Service // the cities of regions, for strata
	Policy   presence.Policy  // which flags block, for strata
	Rules    anomaly.Rules
	Blobs    BlobReader // photos, for their perceptual hashes
	Overturn Overturner // nil: escalations wait for the corrections
	Now      func() time.Time
	Rand     io.Reader // seeds of draws; crypto/rand when nil
	Log      *slog.Logger
}

// storedPrecision is the finest time every database keeps: a record's
// times are cut to it before its leaf is hashed.
const storedPrecision = time.Millisecond

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(storedPrecision) }

// leafOf is the ledger leaf of a new record.
func leafOf(record any) (models.Leaf, error) {
	l, err := ledger.LeafOf(record)
	if err != nil {
		return models.Leaf{}, models.Wrap(models.CodeInternal, err, "ledger leaf")
	}
	return l, nil
}

// date parses a YYYY-MM-DD date; INVALID otherwise.
func date(name, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, models.E(models.CodeInvalid, "%s: a date YYYY-MM-DD", name)
	}
	return t, nil
}

// period checks a period of dates: from ≤ to, at most maxDays long.
func period(from, to string, maxDays int) error {
	f, err := date("from", from)
	if err != nil {
		return err
	}
	t, err := date("to", to)
	if err != nil {
		return err
	}
	if t.Before(f) || t.Sub(f) > time.Duration(maxDays-1)*24*time.Hour {
		return models.E(models.CodeInvalid, "a period from ≤ to of at most %d days", maxDays)
	}
	return nil
}
