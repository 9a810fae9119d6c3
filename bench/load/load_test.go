package main

import (
	"context"
	"database/sql"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/regions"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100..1, unsorted
	}
	tests := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, .5, 0},
		{"one", ms(7), .99, 7 * time.Millisecond},
		{"median of odd", ms(5, 1, 3), .5, 3 * time.Millisecond},
		{"median of even is lower", ms(4, 1, 3, 2), .5, 2 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), .95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), .99, 99 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := percentile(tc.in, tc.q); got != tc.want {
			t.Errorf("%s: percentile(q=%v) = %v, want %v", tc.name, tc.q, got, tc.want)
		}
	}
	in := ms(3, 1, 2)
	percentile(in, .5)
	if in[0] != 3*time.Millisecond {
		t.Errorf("percentile sorted its input: %v", in)
	}
}

var (
	atlasOnce sync.Once
	atlasVal  *atlas
	atlasErr  error
)

func testAtlas(t *testing.T) *atlas {
	t.Helper()
	atlasOnce.Do(func() { atlasVal, atlasErr = loadAtlas() })
	if atlasErr != nil {
		t.Fatal(atlasErr)
	}
	return atlasVal
}

func TestAtlasHasEveryCounty(t *testing.T) {
	at := testAtlas(t)
	if got, want := len(at.counties), 157; got != want {
		t.Fatalf("counties = %d, want %d", got, want)
	}
	for _, c := range at.counties {
		if !at.insideOK(c.anchor, geofence.GCJ02, c.Code, 2*insideMaxAccM) {
			t.Errorf("%s %s: anchor %v is not well inside", c.Code, c.Name, c.anchor)
		}
	}
}

func TestPickInside(t *testing.T) {
	at := testAtlas(t)
	rng := rand.New(rand.NewPCG(1, 2))
	datums := map[geofence.Datum]int{}
	for _, c := range at.counties {
		for range 40 {
			f := at.pickInside(rng, c)
			datums[f.Datum]++
			res, err := at.index.Locate(orb.Point{f.Lon, f.Lat}, f.Datum, f.AccuracyM)
			if err != nil {
				t.Fatalf("%s: locate %+v: %v", c.Name, f, err)
			}
			best := regions.Choose(res, nil)
			if best == nil || regions.Ambiguous(res, best) || best.Verdict != geofence.Inside || best.Code != c.Code {
				t.Errorf("%s: fix %+v: chosen %+v of %+v, want INSIDE %s alone", c.Name, f, best, res.Candidates, c.Code)
			}
			if f.AccuracyM < 5 || f.AccuracyM > insideMaxAccM {
				t.Errorf("%s: accuracy %v outside [5, %v]", c.Name, f.AccuracyM, insideMaxAccM)
			}
			// Within a few hundred metres of the anchor, so consecutive fixes
			// never look like impossible travel (policy: 1 km minimum).
			g, _ := geofence.Convert(orb.Point{f.Lon, f.Lat}, f.Datum, geofence.GCJ02)
			if d := metres(g, c.anchor); d > insideJitterM+1 {
				t.Errorf("%s: fix %.0f m from the anchor", c.Name, d)
			}
		}
	}
	if datums[geofence.WGS84] < 2500 || datums[geofence.GCJ02] < 2500 {
		t.Errorf("datum mix %v, want about half and half", datums)
	}
}

func TestPickBorderAndOutside(t *testing.T) {
	at := testAtlas(t)
	rng := rand.New(rand.NewPCG(3, 4))
	near := 0
	total := 0
	for _, c := range at.counties {
		for range 5 {
			total++
			f := at.pickBorder(rng, c)
			if f.AccuracyM != borderAccuracyM || f.Kind != kindBorder {
				t.Fatalf("%s: border fix %+v", c.Name, f)
			}
			res, _ := at.index.Locate(orb.Point{f.Lon, f.Lat}, f.Datum, f.AccuracyM)
			for _, cand := range res.Candidates {
				if cand.Code == c.Code && cand.Verdict == geofence.Boundary && cand.EdgeDistanceM <= borderJitterM+1 {
					near++
					break
				}
			}
		}
	}
	if near < total*95/100 {
		t.Errorf("%d of %d border fixes are BOUNDARY within %v m of their county's edge", near, total, borderJitterM)
	}
	for range 200 {
		f := at.pickOutside(rng)
		res, err := at.index.Locate(orb.Point{f.Lon, f.Lat}, f.Datum, f.AccuracyM)
		if err != nil || len(res.Candidates) != 0 {
			t.Errorf("outside fix %+v: %d candidates, err %v", f, len(res.Candidates), err)
		}
	}
}

// metres is the equirectangular distance between two nearby points.
func metres(a, b orb.Point) float64 {
	dx := (b[0] - a[0]) * metresPerDegLat * math.Cos(a[1]*math.Pi/180)
	dy := (b[1] - a[1]) * metresPerDegLat
	return math.Hypot(dx, dy)
}

func TestRecorderReplays(t *testing.T) {
	r := newRecorder()
	s := &sent{clientID: "a"}
	r.track(s)
	res := &checkInResult{Counts: true}
	res.CheckIn.ID, res.CheckIn.Status = "7", "ACCEPTED"
	r.settleAck(s, res, false)
	if s.outcome != outcomeAcked || s.ack.CheckInID != 7 || len(r.acked) != 1 {
		t.Fatalf("after first answer: %+v, acked %v", s, r.acked)
	}
	replay := *res
	replay.Replayed = true
	r.settleAck(s, &replay, true)
	if r.replayOK != 1 || r.replayBad != 0 {
		t.Errorf("good replay: ok %d bad %d", r.replayOK, r.replayBad)
	}
	r.settleAck(s, res, true) // same id but not flagged replayed
	wrong := replay
	wrong.CheckIn.ID = "8"
	r.settleAck(s, &wrong, true)
	r.settleError(s, "CONFLICT", true)
	if r.replayBad != 3 || s.ack.CheckInID != 7 {
		t.Errorf("bad replays counted %d, want 3; ack %+v", r.replayBad, s.ack)
	}

	u := &sent{clientID: "b", uncertain: true}
	r.settleError(u, "INVALID", false)
	r.finish(u)
	if u.outcome != outcomeUnknown {
		t.Errorf("error after a transport failure: outcome %v, want unknown", u.outcome)
	}
	w := &sent{clientID: "d"}
	r.settleError(w, "UNAVAILABLE", false)
	r.finish(w)
	if w.outcome != outcomeUnknown || !w.uncertain {
		t.Errorf("UNAVAILABLE: %+v, want unknown", w)
	}
	n := r.replayBad
	r.settleError(s, "UNAVAILABLE", true)
	if r.replayBad != n {
		t.Error("an UNAVAILABLE resend counted as a wrong replay")
	}
	x := &sent{clientID: "c"}
	r.settleError(x, "INVALID", false)
	r.finish(x)
	if x.outcome != outcomeRejected || x.code != "INVALID" {
		t.Errorf("plain error: %+v, want rejected INVALID", x)
	}
}

// TestVerify runs the verification against a SQLite file shaped like the
// server's tables.
func TestVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE check_ins (id integer primary key, user_id integer, client_id text, status text,
		local_date text, region_id integer, occurred_at datetime)`)
	exec(`CREATE TABLE presence_days (id integer primary key, user_id integer, date text, region_id integer,
		accepted integer, first_at datetime, last_at datetime, counted numeric)`)
	loc := time.FixedZone("CST", 8*3600)
	morning := time.Date(2025, 3, 3, 9, 0, 0, 0, loc)
	evening := morning.Add(6 * time.Hour)
	p := &phone{username: "load-x-0000", userID: 5, rec: newRecorder()}
	add := func(id int64, client, status string, region int64, at time.Time, o outcome) {
		s := &sent{clientID: client, outcome: o, code: "INVALID"}
		if o == outcomeAcked {
			s.ack = ack{CheckInID: id, Status: status, LocalDate: "2025-03-03", RegionID: region, OccurredAt: at,
				Counts: status == "ACCEPTED"}
		}
		p.rec.track(s)
	}
	add(1, "c1", "ACCEPTED", 9, morning, outcomeAcked)
	add(2, "c2", "ACCEPTED", 9, evening, outcomeAcked)
	add(3, "c3", "PENDING", 0, evening, outcomeAcked)
	add(0, "c4", "", 0, time.Time{}, outcomeRejected)
	add(0, "c5", "", 0, time.Time{}, outcomeUnknown)
	for _, r := range []struct {
		id     int64
		client string
		status string
		region any
		at     time.Time
	}{{1, "c1", "ACCEPTED", 9, morning}, {2, "c2", "ACCEPTED", 9, evening}, {3, "c3", "PENDING", nil, evening}} {
		exec(`INSERT INTO check_ins VALUES (?, 5, ?, ?, '2025-03-03', ?, ?)`, r.id, r.client, r.status, r.region, r.at.UTC())
	}
	exec(`INSERT INTO presence_days VALUES (1, 5, '2025-03-03', 9, 2, ?, ?, 1)`, morning.UTC(), evening.UTC())

	ctx := context.Background()
	v, err := openVerifier(ctx, "sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.db.Close()
	v.users, v.pre = []int64{5}, map[int64]checkRow{}
	var out strings.Builder
	vd, err := v.verify(ctx, []*phone{p}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !vd.ok() || vd.acked != 3 || vd.unknownAbsent != 1 {
		t.Fatalf("clean data: %+v\n%s", vd, out.String())
	}
	if !strings.Contains(out.String(), "verified: 3 acknowledged check-ins, 0 lost, 0 duplicated") {
		t.Errorf("output lacks the summary line:\n%s", out.String())
	}

	// The rejected input stored anyway, and a day that counts a check-in too many.
	exec(`INSERT INTO check_ins VALUES (4, 5, 'c4', 'ACCEPTED', '2025-03-03', 9, ?)`, evening.UTC())
	exec(`UPDATE presence_days SET accepted = 3`)
	exec(`DELETE FROM check_ins WHERE id = 2`)
	vd, err = v.verify(ctx, []*phone{p}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if vd.ok() || vd.unacked != 1 || vd.lost != 1 || vd.daysBad != 1 {
		t.Errorf("bad data: %+v, want 1 unacknowledged, 1 lost, 1 bad day\n%s", vd, out.String())
	}
}

func TestParseFlags(t *testing.T) {
	env := func(k string) string {
		if k == "ONSITE_ADMIN_PASSWORD" {
			return "from-env"
		}
		return ""
	}
	c, err := parseFlags(nil, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.adminPassword != "from-env" || c.phones != 200 || c.concurrency != 200 || c.duration != 20*time.Second ||
		c.baselineOp != "mutation { ping }" || c.seed == 0 || c.runID == "" {
		t.Errorf("defaults: %+v", c)
	}
	bad := [][]string{
		{"-offline-fraction", "1"},
		{"-outside-fraction", "0.6", "-border-fraction", "0.5"},
		{"-mock-fraction", "-0.1"},
		{"-db", "mysql"},
		{"-phones", "0"},
		{"extra"},
	}
	for _, args := range bad {
		if _, err := parseFlags(args, env, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded, want an error", args)
		}
	}
	if _, err := parseFlags(nil, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("no admin password: want an error")
	}
}

// TestRecorderSchedule: the latency from the due time is kept for answered
// checkIn and baseline requests that had one, and for nothing else.
func TestRecorderSchedule(t *testing.T) {
	r := newRecorder()
	due := time.Now().Add(-80 * time.Millisecond)
	ok := &response{Latency: 5 * time.Millisecond}
	failed := &response{Errors: []gqlError{{Message: "busy", Extensions: map[string]any{"code": "UNAVAILABLE"}}}}

	r.request(seriesCheckIn, ok, due)
	r.request(seriesBaseline, ok, due)
	r.request(seriesCheckIn, ok, time.Time{}) // no schedule: a retry, or no -rate
	r.request(seriesSync, ok, due)            // not a series measured from the schedule
	r.request(seriesCheckIn, failed, due)     // errors have no latency

	if got := len(r.lat[seriesCheckIn]); got != 2 {
		t.Errorf("checkIn round trips recorded: %d, want 2", got)
	}
	for _, k := range []string{seriesCheckIn, seriesBaseline} {
		if got := r.sched[k]; len(got) != 1 || got[0] < 80*time.Millisecond {
			t.Errorf("%s from schedule: %v, want one sample of at least 80 ms", k, got)
		}
	}
	if got := r.sched[seriesSync]; len(got) != 0 {
		t.Errorf("syncCheckIns from schedule: %v, want none", got)
	}
}
