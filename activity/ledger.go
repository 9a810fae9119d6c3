package activity

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// storedPrecision is the finest time every database keeps (MySQL's
// DATETIME(3)): a record's times are cut to it before its leaf is hashed,
// so that the record read back encodes to the same bytes on every backend.
const storedPrecision = time.Millisecond

// sealActivity cuts a new activity's times to storedPrecision and gives it
// its ledger leaf: the activity with its photos, written in its
// transaction.
func sealActivity(n *store.NewActivity) error {
	a := n.Activity
	a.DeviceTime = a.DeviceTime.Truncate(storedPrecision)
	a.ReceivedAt = a.ReceivedAt.Truncate(storedPrecision)
	a.OccurredAt = a.OccurredAt.Truncate(storedPrecision)
	l, err := ledger.LeafOf(&models.ActivityRecord{Activity: a, Photos: n.Photos})
	if err != nil {
		return models.Wrap(models.CodeInternal, err, "ledger leaf of an activity")
	}
	n.Leaf = l
	return nil
}

// leafOf is the ledger leaf of a new ruling or reveal.
func leafOf(record any) (models.Leaf, error) {
	l, err := ledger.LeafOf(record)
	if err != nil {
		return models.Leaf{}, models.Wrap(models.CodeInternal, err, "ledger leaf")
	}
	return l, nil
}

// AccessLog records reads of a cadre's data by someone other than that
// cadre (package accesslog); a read it could not record is refused.
type AccessLog interface {
	Record(ctx context.Context, p *authz.Principal, reads []models.AccessRead) error
}

// logRead records that p read cadre's data of kind what by query; it
// fails when the log does, and does nothing without a log.
func (s *Service) logRead(ctx context.Context, p *authz.Principal, cadre int64, what models.AccessWhat, query string) error {
	if s.Access == nil {
		return nil
	}
	return s.Access.Record(ctx, p, []models.AccessRead{{CadreID: cadre, What: what, Query: query}})
}
