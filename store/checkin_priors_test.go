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

// TestPriors checks what BeginCheckIns reads for each probe — the previous
// fix by device time (not by arrival), whether the identical fix was sent
// before, the stored original of a reused client id, the bound device, the
// assignments and the days at its regions — for probes of several cadres
// read together in one transaction, and one at a time.
func TestPriors(t *testing.T) {
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
		stored     bool
	}{
		{"between stored fixes, same fix as the first", fix{"cadreA", "a-4", "10:30", 34.80, 10}, "a-3", true, false},
		{"after every fix, by device time not arrival", fix{"cadreA", "a-5", "11:30", 34.85, 10}, "a-2", false, false},
		{"same coordinates, other accuracy", fix{"cadreB", "b-2", "09:00", 34.90, 13}, "b-1", false, false},
		{"client id reused", fix{"cadreB", "b-1", "08:00", 34.90, 12}, "", false, true},
		{"no history", fix{"cadreA1", "c-1", "12:00", 34.80, 10}, "", false, false},
		{"before every fix", fix{"cadreA1", "c-0", "07:00", 34.70, 10}, "", false, false},
	}
	const region = int64(5)
	for _, together := range []bool{true, false} {
		t.Run(map[bool]string{true: "together", false: "one at a time"}[together], func(t *testing.T) {
			storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
				w := buildWorld(t, s)
				ids := map[string]int64{} // client id → check-in id
				for _, f := range history {
					uid := w.users[f.user].ID
					row := f.row(uid)
					storeRows(t, s, []store.Probe{f.probe(uid)}, []*models.CheckIn{row}, nil)
					ids[f.clientID] = row.ID
				}
				day := models.PresenceDay{UserID: w.users["cadreA"].ID, Date: "2026-11-02", RegionID: region, Accepted: 1,
					FirstAt: history[0].time(), LastAt: history[0].time()}
				storeRows(t, s, nil, nil, []models.PresenceDay{day})
				probes := make([]store.Probe, len(cases))
				for i, c := range cases {
					probes[i] = c.probe.probe(w.users[c.probe.user].ID, region, region+1)
				}
				var priors []store.Prior
				var days []map[store.DayKey]models.PresenceDay
				read := func(probes []store.Probe) {
					tx, got, err := s.BeginCheckIns(context.Background(), probes)
					if err != nil {
						t.Fatal(err)
					}
					defer tx.Rollback()
					keys := []store.DayKey{{UserID: probes[0].UserID, Date: "2026-11-02", RegionID: region}}
					d, err := tx.Days(keys)
					if err != nil {
						t.Fatal(err)
					}
					priors, days = append(priors, got...), append(days, d)
				}
				if together {
					read(probes)
				} else {
					for _, p := range probes {
						read([]store.Probe{p})
					}
				}
				for i, c := range cases {
					o := priors[i]
					if (o.Stored != nil) != c.stored {
						t.Errorf("%s: stored %v, want %v", c.name, o.Stored != nil, c.stored)
					}
					if c.stored {
						want, err := s.CheckInByClientID(context.Background(), system, w.users[c.probe.user].ID, c.probe.clientID)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(o.Stored, want) { // every column, read by position
							t.Errorf("%s: read\n%+v\nstored\n%+v", c.name, o.Stored, want)
						}
						continue
					}
					var prev, want int64 // check-in ids; 0 for none
					if o.Previous != nil {
						prev = o.Previous.ID
						if at := history[prev-1].time(); !o.Previous.DeviceTime.Equal(at) {
							t.Errorf("%s: previous fix at %v, want %v", c.name, o.Previous.DeviceTime, at)
						}
					}
					if c.prevClient != "" {
						want = ids[c.prevClient]
					}
					if prev != want || o.Repeated != c.repeated {
						t.Errorf("%s: previous %d, repeated %v; want %d (%q), %v", c.name, prev, o.Repeated, want, c.prevClient, c.repeated)
					}
					if o.BoundDevice != "phone-1" {
						t.Errorf("%s: bound device %q", c.name, o.BoundDevice)
					}
				}
				for i, d := range days {
					for k, got := range d {
						wantN := 0
						if k.UserID == day.UserID {
							wantN = 1
						}
						if got.Accepted != wantN || got.Date != k.Date || got.RegionID != region {
							t.Errorf("read %d: day %+v of %+v, want %d accepted", i, got, k, wantN)
						}
					}
				}
			})
		})
	}
}

// TestNewIDsReadBack checks that every new check-in of a transaction —
// two cadres, one with several — comes back with the id it was stored
// under, whether the ids are read from INSERT ... RETURNING (MariaDB,
// SQLite) or by a SELECT on the client key (MySQL 8), and so does a ruling.
func TestNewIDsReadBack(t *testing.T) {
	for _, returning := range []bool{true, false} {
		t.Run(map[bool]string{true: "returning", false: "select"}[returning], func(t *testing.T) {
			storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
				s.SetReturning(returning)
				ctx := context.Background()
				w := buildWorld(t, s)
				uidA, uidB := w.users["cadreA"].ID, w.users["cadreB"].ID
				var probes []store.Probe
				var rows []*models.CheckIn
				for i, at := range []string{"09:00", "10:00", "11:00"} {
					f := fix{"", "q-" + at, at, 34.8 + float64(i)/100, 10}
					probes, rows = append(probes, f.probe(uidA)), append(rows, f.row(uidA))
				}
				f := fix{"", "b-1", "09:30", 34.9, 12}
				probes, rows = append(probes, f.probe(uidB)), append(rows, f.row(uidB))
				storeRows(t, s, probes, rows, nil)
				seen := map[int64]bool{}
				for _, r := range rows {
					stored, err := s.CheckInByClientID(ctx, system, r.UserID, r.ClientID)
					if err != nil {
						t.Fatal(err)
					}
					if r.ID == 0 || r.ID != stored.ID || seen[r.ID] {
						t.Errorf("%s answered with id %d, stored as %d", r.ClientID, r.ID, stored.ID)
					}
					seen[r.ID] = true
				}
				rev, err := rule(s, principalOf(w.users["supA"]), rows[0].ID, models.ReviewReject)
				if err != nil {
					t.Fatal(err)
				}
				if rev.ID == 0 {
					t.Error("the ruling was not read back")
				}
			})
		})
	}
}

// TestPriorReadsWholeRow checks the transaction's hand-written SQL
// (scan.go) against GORM's reading of the same rows: a check-in stored by
// Commit is the row given (the hand-built INSERT), and a resend's prior
// carries the stored row and its ruling, and Days the day, exactly as GORM
// reads them — every column, the nullable ones set and NULL, before and
// after a ruling.
func TestPriorReadsWholeRow(t *testing.T) {
	const region = int64(7)
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
			row := f.row(uid)
			row.Lat, row.Lon, row.CoordSystem, row.ReceivedAt = row.WGSLat+0.001, 114.81, "GCJ02", row.DeviceTime.Add(time.Minute)
			c.set(row)
			day := models.PresenceDay{UserID: uid, Date: "2026-11-02", RegionID: region, Accepted: 3, FirstAt: f.time(), LastAt: f.time().Add(5 * time.Hour), Counted: true}
			storeRows(t, s, []store.Probe{f.probe(uid, region)}, []*models.CheckIn{row}, []models.PresenceDay{day})
			stored, err := s.CheckInByClientID(ctx, system, uid, row.ClientID) // the row as GORM reads it
			if err != nil {
				t.Fatal(err)
			}
			if !sameRow(*row, *stored) { // the hand-built INSERT put each value in its column
				t.Errorf("%s: stored\n got %+v\nwant %+v", c.name, stored, row)
			}
			compare := func(when string, review *models.Review) {
				all, err := s.AllDays(ctx, system, uid) // before the transaction: SQLite has one connection
				if err != nil {
					t.Fatal(err)
				}
				tx, priors, err := s.BeginCheckIns(ctx, []store.Probe{f.probe(uid, region)})
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if !reflect.DeepEqual(priors[0].Stored, stored) {
					t.Errorf("%s, %s: check-in\n got %+v\nwant %+v", c.name, when, priors[0].Stored, stored)
				}
				if !reflect.DeepEqual(priors[0].Review, review) {
					t.Errorf("%s, %s: review\n got %+v\nwant %+v", c.name, when, priors[0].Review, review)
				}
				k := store.DayKey{UserID: uid, Date: "2026-11-02", RegionID: region}
				days, err := tx.Days([]store.DayKey{k})
				if err != nil {
					t.Fatal(err)
				}
				if len(all) != 1 || !reflect.DeepEqual(days[k], *all[0]) {
					t.Errorf("%s, %s: day\n got %+v\nwant %+v", c.name, when, days[k], all)
				}
			}
			compare("before review", nil)
			rev, err := rule(s, principalOf(w.users["supA"]), row.ID, models.ReviewConfirm)
			if err != nil {
				t.Fatal(err)
			}
			var read models.Review // as GORM reads it
			reviews, err := s.ReviewsByCheckIn(ctx, system, []int64{row.ID})
			if err != nil || reviews[row.ID] == nil {
				t.Fatalf("review %d not found: %v", rev.ID, err)
			}
			read = *reviews[row.ID]
			compare("after review", &read)
		}
	})
}

// sameRow reports whether the check-in given to Commit (a) is the row read
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
