package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestResendReadsWholeRow checks the batch's hand-written SQL (scan.go)
// against GORM's reading of the same rows: a check-in a batch stores is
// the row it built (the INSERT), and a resend answered from a batch's
// facts carries the stored row, its review and its day exactly as GORM
// reads them — every column, the nullable ones set and NULL, before and
// after a review.
func TestResendReadsWholeRow(t *testing.T) {
	const region = int64(7)
	always := func(int, time.Time, time.Time) bool { return true }
	countsThere := func(*models.CheckIn, []models.CheckInRegion) []int64 { return []int64{region} }
	alt, speed, rid := 88.5, 1.25, region
	cases := []struct {
		name string
		set  func(c *models.CheckIn)
	}{
		{"every column set", func(c *models.CheckIn) {
			c.Altitude, c.Speed, c.Provider, c.MockLocation, c.Offline = &alt, &speed, "gps", true, true
			c.RegionID, c.RegionVersion, c.EdgeDistanceM = &rid, 3, 12.5
			c.Flags = `[{"code":"MOCK_LOCATION","blocking":true}]`
			c.Located = models.Located{{RegionID: region, RegionVersion: 3, Verdict: "BOUNDARY", EdgeDistanceM: 12.5}}
		}},
		{"nullable columns NULL", func(c *models.CheckIn) {}},
	}
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		uid := w.users["cadreA"].ID
		for i, c := range cases {
			f := fix{"", "whole-" + c.name, "09:0" + string(rune('0'+i)), 34.8 + float64(i)/100, 10}
			probe := f.probe()
			probe.Lat, probe.Lon, probe.CoordSystem = probe.WGSLat+0.001, 114.81, "GCJ02"
			judge := func(store.Prior) (*store.NewCheckIn, error) {
				row := probe
				row.UserID, row.PayloadHash, row.DeviceID = uid, "hash-"+c.name, "phone-1"
				row.ReceivedAt, row.OccurredAt = probe.DeviceTime.Add(time.Minute), probe.DeviceTime
				row.Verdict, row.Flags, row.Status, row.PolicyVersion = "BOUNDARY", "[]", models.CheckInPending, "test"
				c.set(&row)
				return &store.NewCheckIn{Row: &row}, nil
			}
			near := []int64{region}
			send := func() *store.Recorded {
				recs, errs, err := s.RecordBatch(ctx, []store.Batch{{UserID: uid, Probe: probe, Near: near, Judge: judge}}, always)
				if err != nil || errs[0] != nil {
					t.Fatalf("%s: %v %v", c.name, err, errs)
				}
				return recs[0]
			}
			compare := func(when string) {
				got := send()
				want, err := s.Replay(ctx, uid, probe.ClientID)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Replayed {
					t.Fatalf("%s, %s: not answered as a resend", c.name, when)
				}
				if !reflect.DeepEqual(got.CheckIn, want.CheckIn) {
					t.Errorf("%s, %s: check-in\n got %+v\nwant %+v", c.name, when, got.CheckIn, want.CheckIn)
				}
				if !reflect.DeepEqual(got.Review, want.Review) {
					t.Errorf("%s, %s: review\n got %+v\nwant %+v", c.name, when, got.Review, want.Review)
				}
				if got.CheckIn.RegionID != nil && !reflect.DeepEqual(got.Day, want.Day) {
					t.Errorf("%s, %s: day\n got %+v\nwant %+v", c.name, when, got.Day, want.Day)
				}
			}
			first := send()
			if first.Replayed {
				t.Fatalf("%s: first send answered as a resend", c.name)
			}
			stored, err := s.Replay(ctx, uid, probe.ClientID) // the row as GORM reads it
			if err != nil {
				t.Fatal(err)
			}
			if !sameRow(*first.CheckIn, *stored.CheckIn) { // the batch's hand-built INSERT put each value in its column
				t.Errorf("%s: stored\n got %+v\nwant %+v", c.name, stored.CheckIn, first.CheckIn)
			}
			compare("before review")
			if _, err := s.ReviewCheckIn(ctx, principalOf(w.users["supA"]), first.CheckIn.ID, models.ReviewConfirm, "was there", always, countsThere); err != nil {
				t.Fatal(err)
			}
			compare("after review")
		}
	})
}

// sameRow reports whether the check-in a batch built (a) is the row read
// back (b): the same values, times as instants (the database keeps
// milliseconds of CreatedAt), no located regions stored as none.
func sameRow(a, b models.CheckIn) bool {
	if !a.DeviceTime.Equal(b.DeviceTime) || !a.ReceivedAt.Equal(b.ReceivedAt) || !a.OccurredAt.Equal(b.OccurredAt) ||
		a.CreatedAt.Sub(b.CreatedAt).Abs() >= time.Millisecond {
		return false
	}
	a.DeviceTime, a.ReceivedAt, a.OccurredAt, a.CreatedAt = b.DeviceTime, b.ReceivedAt, b.OccurredAt, b.CreatedAt
	if len(a.Located) == 0 && len(b.Located) == 0 {
		a.Located = b.Located
	}
	return reflect.DeepEqual(a, b)
}
