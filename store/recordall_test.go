package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// TestRecordAllIsSequential checks that a cadre's offline queue recorded
// together (RecordAll: one batch) is judged exactly as the same check-ins
// recorded one after the other: the previous fix may be an earlier item of
// the queue (ties by device time going to the later-stored), an identical
// earlier item makes a fix repeated, and a client id used earlier in the
// queue or stored before is a resend.
func TestRecordAllIsSequential(t *testing.T) {
	history := []fix{
		{"", "h-1", "09:00", 34.80, 10},
		{"", "h-2", "11:00", 34.81, 10},
	}
	queue := []struct {
		f          fix
		prevClient string // what the judge must see as the previous fix
		repeated   bool
		replayOf   string // "" for a new check-in
	}{
		{fix{"", "g-1", "10:30", 34.90, 10}, "h-1", false, ""},
		{fix{"", "g-2", "10:45", 34.90, 10}, "g-1", true, ""},
		{fix{"", "g-1", "10:30", 34.90, 10}, "", false, "g-1"},
		{fix{"", "g-3", "08:00", 34.70, 10}, "", false, ""},
		{fix{"", "g-4", "11:00", 34.95, 10}, "h-2", false, ""},
		{fix{"", "g-5", "11:00", 34.96, 10}, "g-4", false, ""},
		{fix{"", "h-1", "09:00", 34.80, 10}, "", false, "h-1"},
	}
	storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := buildWorld(t, s)
		writer := s.NewCheckInWriter(noDay, store.WriterConfig{Observe: storetest.NoFailedBatches(t)})
		defer writer.Close()
		type seen struct {
			prior  store.Prior
			called bool
			rec    *store.Recorded
		}
		run := func(cadre string, together bool) []seen {
			uid := w.users[cadre].ID
			for _, f := range history {
				if _, err := writer.Record(ctx, uid, f.probe(), nil, pendingAs(uid, f.probe())); err != nil {
					t.Fatal(err)
				}
			}
			out := make([]seen, len(queue))
			var ps []store.Pending
			for i, q := range queue {
				ps = append(ps, store.Pending{Probe: q.f.probe(), Judge: judgeAs(uid, q.f.probe(), &out[i].prior, &out[i].called)})
			}
			if together {
				recs, errs := writer.RecordAll(ctx, uid, ps)
				for i := range queue {
					if errs[i] != nil {
						t.Fatalf("%s item %d: %v", cadre, i, errs[i])
					}
					out[i].rec = recs[i]
				}
				return out
			}
			for i, p := range ps {
				rec, err := writer.Record(ctx, uid, p.Probe, nil, p.Judge)
				if err != nil {
					t.Fatalf("%s item %d: %v", cadre, i, err)
				}
				out[i].rec = rec
			}
			return out
		}
		clientOf := func(cadre string, id int64) string {
			for _, f := range append(history, fix{clientID: "g-1"}, fix{clientID: "g-2"}, fix{clientID: "g-3"}, fix{clientID: "g-4"}, fix{clientID: "g-5"}) {
				c, err := s.CheckInByClientID(ctx, w.users[cadre].ID, f.clientID)
				if err == nil && c.ID == id {
					return f.clientID
				}
			}
			return "?"
		}
		together, oneByOne := run("cadreA", true), run("cadreB", false)
		for name, got := range map[string][]seen{"together (cadreA)": together, "one by one (cadreB)": oneByOne} {
			cadre := map[bool]string{true: "cadreA", false: "cadreB"}[name[0] == 't']
			for i, q := range queue {
				o := got[i]
				if o.rec.Replayed != (q.replayOf != "") || o.called == (q.replayOf != "") {
					t.Errorf("%s item %d (%s): replayed %v, judged %v", name, i, q.f.clientID, o.rec.Replayed, o.called)
					continue
				}
				if q.replayOf != "" {
					if o.rec.CheckIn.ClientID != q.replayOf || o.rec.CheckIn.ID == 0 {
						t.Errorf("%s item %d: answered with %q (id %d), want the stored %q", name, i, o.rec.CheckIn.ClientID, o.rec.CheckIn.ID, q.replayOf)
					}
					continue
				}
				prev := ""
				if o.prior.Previous != nil {
					prev = clientOf(cadre, o.prior.Previous.ID)
				}
				if prev != q.prevClient || o.prior.Repeated != q.repeated {
					t.Errorf("%s item %d (%s): previous %q, repeated %v; want %q, %v", name, i, q.f.clientID, prev, o.prior.Repeated, q.prevClient, q.repeated)
				}
			}
		}
		if n, _ := s.CountCheckIns(ctx, w.users["cadreA"].ID); n != 7 {
			t.Errorf("cadreA has %d check-ins, want 7 (2 stored, 5 new)", n)
		}
	})
}

// TestNewIDsReadBack checks that every new check-in of a batch — two
// cadres, one of them with a queue — comes back with the id it was stored
// under, whether the ids are read from INSERT ... RETURNING (MariaDB,
// SQLite) or by a SELECT on the client key (MySQL 8).
func TestNewIDsReadBack(t *testing.T) {
	for _, returning := range []bool{true, false} {
		t.Run(map[bool]string{true: "returning", false: "select"}[returning], func(t *testing.T) {
			storetest.Each(t, time.Now, func(t *testing.T, s *store.Store) {
				s.SetReturning(returning)
				ctx := context.Background()
				w := buildWorld(t, s)
				writer := s.NewCheckInWriter(noDay, store.WriterConfig{Observe: storetest.NoFailedBatches(t)})
				defer writer.Close()
				var ps []store.Pending
				uidA, uidB := w.users["cadreA"].ID, w.users["cadreB"].ID
				for i, at := range []string{"09:00", "10:00", "11:00"} {
					f := fix{"", "q-" + at, at, 34.8 + float64(i)/100, 10}
					ps = append(ps, store.Pending{Probe: f.probe(), Judge: pendingAs(uidA, f.probe())})
				}
				done := make(chan []*store.Recorded)
				go func() {
					got, errs := writer.RecordAll(ctx, uidA, ps)
					for _, err := range errs {
						if err != nil {
							t.Error(err)
						}
					}
					done <- got
				}()
				f := fix{"", "b-1", "09:30", 34.9, 12}
				rec, err := writer.Record(ctx, uidB, f.probe(), nil, pendingAs(uidB, f.probe()))
				if err != nil {
					t.Fatal(err)
				}
				recs := append(<-done, rec)
				seen := map[int64]bool{}
				for _, r := range recs {
					if r == nil {
						t.Fatal("a check-in was not recorded")
					}
					stored, err := s.CheckInByClientID(ctx, r.CheckIn.UserID, r.CheckIn.ClientID)
					if err != nil {
						t.Fatal(err)
					}
					if r.CheckIn.ID == 0 || r.CheckIn.ID != stored.ID || seen[r.CheckIn.ID] {
						t.Errorf("%s answered with id %d, stored as %d", r.CheckIn.ClientID, r.CheckIn.ID, stored.ID)
					}
					seen[r.CheckIn.ID] = true
				}
			})
		})
	}
}

// TestStartNext checks when the writer starts a batch: whenever none in
// flight is still reading; beside a reading one only when a full batch is
// waiting; never more than the workers.
func TestStartNext(t *testing.T) {
	for _, c := range []struct {
		inflight, reading, workers, waiting int
		want                                bool
	}{
		{0, 0, 3, 1, true},    // idle: go
		{0, 0, 1, 1, true},    // SQLite's one writer, idle
		{1, 1, 3, 1, false},   // one reading: let the next gather
		{1, 0, 3, 1, true},    // one writing: read beside it
		{2, 0, 3, 1, true},    // two writing (one stalled): read beside them
		{1, 1, 3, 63, false},  // not yet a full batch
		{1, 1, 3, 64, true},   // a full batch waits: start beside it
		{2, 2, 3, 200, true},  // backlog, a worker free
		{3, 0, 3, 200, false}, // every worker busy
		{1, 0, 1, 200, false}, // SQLite: never two
	} {
		if got := store.StartNext(c.inflight, c.reading, c.workers, c.waiting, 64); got != c.want {
			t.Errorf("StartNext(inflight %d, reading %d, workers %d, waiting %d) = %v, want %v", c.inflight, c.reading, c.workers, c.waiting, got, c.want)
		}
	}
}
