package checkin

import (
	"time"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
)

// storedPrecision is the finest time every database keeps (MySQL's
// DATETIME(3)): a record's times are cut to it before its leaf is hashed,
// so that the record read back encodes to the same bytes on every backend.
const storedPrecision = time.Millisecond

// sealCheckIns cuts the new rows' times to storedPrecision and returns
// their ledger leaves, written in the rows' transaction.
func sealCheckIns(rows []*models.CheckIn) ([]models.Leaf, error) {
	leaves := make([]models.Leaf, len(rows))
	for i, c := range rows {
		c.DeviceTime = c.DeviceTime.Truncate(storedPrecision)
		c.ReceivedAt = c.ReceivedAt.Truncate(storedPrecision)
		c.OccurredAt = c.OccurredAt.Truncate(storedPrecision)
		l, err := ledger.LeafOf(c)
		if err != nil {
			return nil, models.Wrap(models.CodeInternal, err, "ledger leaf of a check-in")
		}
		leaves[i] = l
	}
	return leaves, nil
}

// sealReview dates a new ruling at now, to storedPrecision, and returns
// its ledger leaf.
func sealReview(r *models.Review, now time.Time) (models.Leaf, error) {
	r.CreatedAt = now.UTC().Truncate(storedPrecision)
	l, err := ledger.LeafOf(r)
	if err != nil {
		return models.Leaf{}, models.Wrap(models.CodeInternal, err, "ledger leaf of a ruling")
	}
	return l, nil
}
