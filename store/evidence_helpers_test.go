package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// fix is one check-in of a store test: who, which client id, when by the
// device, where.
type fix struct {
	user     string
	clientID string
	at       string // device time, 15:04 on 2026-11-02 UTC
	lat      float64
	acc      float64
}

func (f fix) time() time.Time {
	at, _ := time.Parse("2006-01-02 15:04", "2026-11-02 "+f.at)
	return at
}

// probe is f as BeginCheckIns reads it for cadre uid, located in regions.
func (f fix) probe(uid int64, regions ...int64) store.Probe {
	return store.Probe{UserID: uid, ClientID: f.clientID, DeviceTime: f.time(), WGSLat: f.lat, WGSLon: 114.8, AccuracyM: f.acc,
		LocalDate: "2026-11-02", Regions: regions}
}

// row is f stored as a PENDING check-in of cadre uid.
func (f fix) row(uid int64) *models.CheckIn {
	at := f.time()
	return &models.CheckIn{UserID: uid, ClientID: f.clientID, PayloadHash: "h", Lat: f.lat, Lon: 114.8, AccuracyM: f.acc,
		CoordSystem: "WGS84", WGSLat: f.lat, WGSLon: 114.8, DeviceID: "phone-1", DeviceTime: at, ReceivedAt: at, OccurredAt: at,
		LocalDate: "2026-11-02", Verdict: "BOUNDARY", Flags: "[]", Status: models.CheckInPending, PolicyVersion: "test"}
}

// storeRows stores rows (and days) in one check-in transaction, as the
// check-in service would after judging them, and returns the priors it read.
func storeRows(t testing.TB, s *store.Store, probes []store.Probe, rows []*models.CheckIn, days []models.PresenceDay) []store.Prior {
	t.Helper()
	tx, priors, err := s.BeginCheckIns(context.Background(), probes)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Commit(store.Writes{CheckIns: rows, Days: days}); err != nil {
		t.Fatal(err)
	}
	return priors
}

var checkInSeq atomic.Int64

// pendingCheckIn stores a PENDING check-in for user through the store's
// check-in transaction.
func pendingCheckIn(s *store.Store, userID int64) (*models.CheckIn, error) {
	f := fix{clientID: fmt.Sprintf("t-%d", checkInSeq.Add(1)), at: "09:00", lat: 34.8, acc: float64(checkInSeq.Load())}
	tx, _, err := s.BeginCheckIns(context.Background(), []store.Probe{f.probe(userID)})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	row := f.row(userID)
	return row, tx.Commit(store.Writes{CheckIns: []*models.CheckIn{row}})
}

// rule stores p's ruling d on check-in id, changing no day.
func rule(s *store.Store, p *authz.Principal, id int64, d models.ReviewDecision) (*models.Review, error) {
	tx, c, err := s.BeginReview(context.Background(), p, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rev := &models.Review{CheckInID: c.ID, ReviewerID: p.UserID, Decision: d, Reason: "test"}
	return rev, tx.Commit(store.Writes{Reviews: []*models.Review{rev}})
}

// system is the principal store tests read as when the reader is not the
// point of the test.
var system = authz.System("test")
