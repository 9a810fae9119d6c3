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

	first := &sent{clientID: "e"} // stored by the server's own retry of a batch whose commit lost its answer
	r.track(first)
	lost := *res
	lost.Replayed, lost.CheckIn.ID = true, "9"
	r.settleAck(first, &lost, false)
	if first.outcome != outcomeAcked || r.replayBad != 3 || r.replayedFirst != 1 {
		t.Errorf("a first answer that is a replay: outcome %v, wrong replays %d (want 3), replayed first %d (want 1)",
			first.outcome, r.replayBad, r.replayedFirst)
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

// verifyDB is a SQLite file shaped like the server's tables, with one
// load phone (user 5) whose inputs the test tracks.
type verifyDB struct {
	t     *testing.T
	db    *sql.DB
	path  string
	phone *phone
}

func newVerifyDB(t *testing.T) *verifyDB {
	path := filepath.Join(t.TempDir(), "v.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &verifyDB{t: t, db: db, path: path, phone: &phone{username: "load-x-0000", userID: 5, rec: newRecorder()}}
	f.exec(`CREATE TABLE check_ins (id integer primary key, user_id integer, client_id text, status text,
		local_date text, region_id integer, occurred_at datetime, device_time datetime, lat real, lon real)`)
	f.exec(`CREATE TABLE presence_days (id integer primary key, user_id integer, date text, region_id integer,
		accepted integer, first_at datetime, last_at datetime, counted numeric)`)
	return f
}

func (f *verifyDB) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// sent tracks an input of the phone with outcome o (acknowledged as check-in
// id with status at region, dated at).
func (f *verifyDB) sent(id int64, client, status string, region int64, at time.Time, o outcome) {
	s := &sent{clientID: client, outcome: o, code: "INVALID"}
	if o == outcomeAcked {
		s.ack = ack{CheckInID: id, Status: status, LocalDate: "2025-03-03", RegionID: region, OccurredAt: at, Counts: status == "ACCEPTED"}
	}
	if o == outcomeUnknown {
		s.code = codeUnavailable
	}
	f.phone.rec.track(s)
}

// row stores a check-in of the phone; the fix is n×0.001° east of a point.
func (f *verifyDB) row(id int64, client, status string, region any, at time.Time, n int) {
	f.exec(`INSERT INTO check_ins VALUES (?, 5, ?, ?, '2025-03-03', ?, ?, ?, ?, ?)`, id, client, status, region, at.UTC(),
		at.Add(-time.Minute).UTC(), 34.8, 114.8+float64(n)*0.001)
}

// verify runs the verifier and returns its verdict and output.
func (f *verifyDB) verify() (*verdict, string) {
	f.t.Helper()
	ctx := context.Background()
	v, err := openVerifier(ctx, "sqlite", f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer v.db.Close()
	v.users, v.pre = []int64{5}, map[int64]checkRow{}
	var out strings.Builder
	vd, err := v.verify(ctx, []*phone{f.phone}, &out)
	if err != nil {
		f.t.Fatal(err)
	}
	return vd, out.String()
}

var (
	morning = time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	evening = morning.Add(6 * time.Hour)
)

// cleanRun is three acknowledged check-ins, one rejected input, and the
// day the two counting ones make.
func cleanRun(t *testing.T) *verifyDB {
	f := newVerifyDB(t)
	f.sent(1, "c1", "ACCEPTED", 9, morning, outcomeAcked)
	f.sent(2, "c2", "ACCEPTED", 9, evening, outcomeAcked)
	f.sent(3, "c3", "PENDING", 0, evening, outcomeAcked)
	f.sent(0, "c4", "", 0, time.Time{}, outcomeRejected)
	f.row(1, "c1", "ACCEPTED", 9, morning, 1)
	f.row(2, "c2", "ACCEPTED", 9, evening, 2)
	f.row(3, "c3", "PENDING", nil, evening, 3)
	f.exec(`INSERT INTO presence_days VALUES (1, 5, '2025-03-03', 9, 2, ?, ?, 1)`, morning.UTC(), evening.UTC())
	return f
}

// TestVerify runs the verification against a SQLite file shaped like the
// server's tables: it passes on a clean run, and fails for a rejected
// input stored anyway, a lost one and a wrong day.
func TestVerify(t *testing.T) {
	f := cleanRun(t)
	vd, out := f.verify()
	if !vd.ok() || vd.acked != 3 {
		t.Fatalf("clean data: %+v\n%s", vd, out)
	}
	if !strings.Contains(out, "verified: 3 acknowledged check-ins, 0 lost, 0 duplicated") {
		t.Errorf("output lacks the summary line:\n%s", out)
	}

	f.exec(`INSERT INTO check_ins VALUES (4, 5, 'c4', 'ACCEPTED', '2025-03-03', 9, ?, ?, 34.8, 114.9)`, evening.UTC(), evening.UTC())
	f.exec(`UPDATE presence_days SET accepted = 3`)
	f.exec(`DELETE FROM check_ins WHERE id = 2`)
	vd, out = f.verify()
	if vd.ok() || vd.unacked != 1 || vd.lost != 1 || vd.daysBad != 1 {
		t.Errorf("bad data: %+v, want 1 unacknowledged, 1 lost, 1 bad day\n%s", vd, out)
	}
}

// TestVerifyFailsOnDuplicateAndUnsettled: the verification fails for a
// check-in stored twice under two client ids (the same cadre, device time
// and coordinates) and for an input whose outcome is still unknown.
func TestVerifyFailsOnDuplicateAndUnsettled(t *testing.T) {
	f := cleanRun(t)
	f.sent(5, "c1-again", "PENDING", 0, morning, outcomeAcked) // the phone resent c1's fix under a new id
	f.row(5, "c1-again", "PENDING", nil, morning, 1)
	vd, out := f.verify()
	if vd.ok() || vd.duplicated != 1 {
		t.Errorf("a content duplicate: %+v, want it to fail with 1 duplicated\n%s", vd, out)
	}

	f = cleanRun(t)
	f.sent(0, "c6", "", 0, time.Time{}, outcomeUnknown)
	vd, out = f.verify()
	if vd.ok() || vd.unsettled != 1 {
		t.Errorf("an unsettled input: %+v, want it to fail with 1 unsettled\n%s", vd, out)
	}
}

func TestParseFlags(t *testing.T) {
	env := func(k string) string {
		if k == "ONSITE_ADMIN_PASSWORD" {
			return "from-env"
		}
		return ""
	}
	c, err := parseFlags([]string{"-no-verify"}, env, io.Discard)
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
		{}, // nothing would be verified
		{"-no-verify", "-db", "sqlite", "-dsn", "x.db"}, // both
		{"-no-verify", "-phones", "0"},
		{"-no-verify", "extra"},
	}
	for _, args := range bad {
		if _, err := parseFlags(args, env, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) succeeded, want an error", args)
		}
	}
	if _, err := parseFlags([]string{"-no-verify"}, func(string) string { return "" }, io.Discard); err == nil {
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

// TestTimeline: answers land in the window of the time they came, and
// windows merge by position.
func TestTimeline(t *testing.T) {
	start := time.Now()
	a := &timeline{start: start.Add(-25 * time.Second), width: 10 * time.Second} // now is in window 2
	a.add("", 5*time.Millisecond)
	a.add("UNAVAILABLE", 0)
	b := &timeline{start: start, width: 10 * time.Second} // window 0
	b.add("", 7*time.Millisecond)
	m := &timeline{width: 10 * time.Second}
	m.merge(a)
	m.merge(b)
	if len(m.wins) != 3 || len(m.wins[0].lat) != 1 || len(m.wins[2].lat) != 1 || m.wins[2].errs["UNAVAILABLE"] != 1 || len(m.wins[1].lat) != 0 {
		t.Fatalf("windows %+v %+v %+v", m.wins[0], m.wins[1], m.wins[2])
	}
	var out strings.Builder
	printWindows(&out, m)
	if !strings.Contains(out.String(), "20s") || !strings.Contains(out.String(), "UNAVAILABLE 1") {
		t.Errorf("printed:\n%s", out.String())
	}
}
