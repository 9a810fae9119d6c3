package store_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// fix is one check-in of the facts test: who, which client id, when by the
// device, where.
type fix struct {
	user     string
	clientID string
	at       string // device time, 15:04 on 2026-11-02 UTC
	lat      float64
	acc      float64
}

func (f fix) probe() models.CheckIn {
	at, _ := time.Parse("2006-01-02 15:04", "2026-11-02 "+f.at)
	return models.CheckIn{ClientID: f.clientID, DeviceTime: at, WGSLat: f.lat, WGSLon: 114.8, AccuracyM: f.acc, LocalDate: "2026-11-02"}
}

// noDay is a day rule under which no day counts, for tests of what is
// stored rather than of days.
func noDay(int, time.Time, time.Time) bool { return false }

// countsNowhere is a review's countsAt for which a confirmed check-in
// counts at no region.
func countsNowhere(*models.CheckIn, []models.CheckInRegion) []int64 { return nil }

// judgeAs stores the probe as a pending check-in and reports the Prior it
// was judged against.
func judgeAs(userID int64, probe models.CheckIn, seen *store.Prior, called *bool) func(store.Prior) (*store.NewCheckIn, error) {
	return func(p store.Prior) (*store.NewCheckIn, error) {
		*seen, *called = p, true
		row := probe
		row.UserID, row.PayloadHash, row.CoordSystem, row.DeviceID = userID, "h", "WGS84", "phone-1"
		row.ReceivedAt, row.OccurredAt, row.Verdict, row.Flags = probe.DeviceTime, probe.DeviceTime, "BOUNDARY", "[]"
		row.Status, row.PolicyVersion = models.CheckInPending, "test"
		return &store.NewCheckIn{Row: &row}, nil
	}
}

// pendingAs is judgeAs for a test that does not look at what the probe
// was judged against.
func pendingAs(userID int64, probe models.CheckIn) func(store.Prior) (*store.NewCheckIn, error) {
	var seen store.Prior
	var called bool
	return judgeAs(userID, probe, &seen, &called)
}

// TestPriorFacts checks what a new check-in is judged against — the
// previous fix by device time (not by arrival), whether the identical fix
// was sent before, and the stored original of a reused client id — when
// the probes of several cadres are read together in one batch, and one at
// a time.
func TestPriorFacts(t *testing.T) {
	history := []fix{
		{"cadreA", "a-1", "09:00", 34.80, 10},
		{"cadreA", "a-2", "11:00", 34.81, 10},
		{"cadreA", "a-3", "10:00", 34.82, 10}, // arrives last, sits between
		{"cadreB", "b-1", "08:00", 34.90, 12},
	}
	cases := []struct {
		name       string
		probe      fix
		prevClient string // "" for none
		repeated   bool
		replayed   bool
	}{
		{"between stored fixes, same fix as the first", fix{"cadreA", "a-4", "10:30", 34.80, 10}, "a-3", true, false},
		{"after every fix, by device time not arrival", fix{"cadreA", "a-5", "11:30", 34.85, 10}, "a-2", false, false},
		{"same coordinates, other accuracy", fix{"cadreB", "b-2", "09:00", 34.90, 13}, "b-1", false, false},
		{"client id reused", fix{"cadreB", "b-1", "08:00", 34.90, 12}, "", false, true},
		{"no history", fix{"cadreA1", "c-1", "12:00", 34.80, 10}, "", false, false},
		{"before every fix", fix{"cadreA1", "c-0", "07:00", 34.70, 10}, "", false, false},
	}
	for _, batched := range []bool{true, false} {
		name := map[bool]string{true: "batch", false: "single"}[batched]
		t.Run(name, func(t *testing.T) {
			storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				w := buildWorld(t, s)
				ids := map[string]int64{} // client id → check-in id
				for _, f := range history {
					rec, err := s.RecordCheckIn(ctx, w.users[f.user].ID, f.probe(), noDay, pendingAs(w.users[f.user].ID, f.probe()))
					if err != nil {
						t.Fatal(err)
					}
					ids[f.clientID] = rec.CheckIn.ID
				}
				writer := s.NewCheckInWriter(noDay, store.WriterConfig{MaxBatch: 16, Observe: storetest.NoFailedBatches(t)})
				defer writer.Close()
				type outcome struct {
					prior  store.Prior
					called bool
					rec    *store.Recorded
					err    error
				}
				got := make([]outcome, len(cases))
				var wg sync.WaitGroup
				for i, c := range cases {
					record := func() {
						uid := w.users[c.probe.user].ID
						o := &got[i]
						judge := judgeAs(uid, c.probe.probe(), &o.prior, &o.called)
						if batched {
							o.rec, o.err = writer.Record(ctx, uid, c.probe.probe(), nil, judge)
						} else {
							o.rec, o.err = s.RecordCheckIn(ctx, uid, c.probe.probe(), noDay, judge)
						}
					}
					if batched && c.probe.user != "cadreA1" { // concurrent: cadres A and B share batches
						wg.Go(record)
					} else {
						wg.Wait()
						record()
					}
				}
				wg.Wait()
				for i, c := range cases {
					o := got[i]
					if o.err != nil {
						t.Fatalf("%s: %v", c.name, o.err)
					}
					if o.rec.Replayed != c.replayed {
						t.Errorf("%s: replayed %v, want %v", c.name, o.rec.Replayed, c.replayed)
					}
					if batched && o.called == c.replayed { // the batch finds the original before judging
						t.Errorf("%s: judged %v", c.name, o.called)
					}
					if c.replayed {
						if o.rec.CheckIn.ID != ids[c.probe.clientID] {
							t.Errorf("%s: answered with check-in %d, want the original %d", c.name, o.rec.CheckIn.ID, ids[c.probe.clientID])
						}
						stored, err := s.CheckInByClientID(ctx, w.users[c.probe.user].ID, c.probe.clientID)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(o.rec.CheckIn, stored) { // every column, read with the facts
							t.Errorf("%s: answered with\n%+v\nstored\n%+v", c.name, o.rec.CheckIn, stored)
						}
						continue
					}
					var prev, want int64 // check-in ids; 0 for none
					if o.prior.Previous != nil {
						prev = o.prior.Previous.ID
						if at := history[prev-1].probe().DeviceTime; !o.prior.Previous.DeviceTime.Equal(at) {
							t.Errorf("%s: previous fix at %v, want %v", c.name, o.prior.Previous.DeviceTime, at)
						}
					}
					if c.prevClient != "" {
						want = ids[c.prevClient]
					}
					if prev != want || o.prior.Repeated != c.repeated {
						t.Errorf("%s: previous %d, repeated %v; want %d (%q), %v", c.name, prev, o.prior.Repeated, want, c.prevClient, c.repeated)
					}
					if o.prior.BoundDevice != "phone-1" {
						t.Errorf("%s: bound device %q", c.name, o.prior.BoundDevice)
					}
				}
			})
		})
	}
}
