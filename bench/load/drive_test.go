package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer answers checkIn and syncCheckIns like the real server would,
// except that every third new check-in is stored and then answered
// UNAVAILABLE (a timeout after the commit), so that the phone must retry.
type fakeServer struct {
	mu     sync.Mutex
	ids    map[string]int64 // client id → stored check-in id
	served int
}

func (f *fakeServer) item(in map[string]any) (result map[string]any, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cid := in["clientId"].(string)
	id, replayed := f.ids[cid]
	if !replayed {
		f.served++
		id = int64(len(f.ids) + 1)
		f.ids[cid] = id
		if f.served%3 == 0 {
			return nil, "UNAVAILABLE"
		}
	}
	return map[string]any{
		"replayed": replayed, "counts": true, "verdict": "INSIDE", "flags": []any{},
		"checkIn": map[string]any{"id": fmt.Sprint(id), "clientId": cid, "status": "ACCEPTED", "localDate": "2025-03-03",
			"occurredAt": time.Now().Format(time.RFC3339Nano), "offline": false, "region": map[string]any{"id": "9"}},
	}, ""
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string
		Variables map[string]json.RawMessage
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	var out any
	switch {
	case strings.Contains(req.Query, "syncCheckIns"):
		var ins []map[string]any
		_ = json.Unmarshal(req.Variables["ins"], &ins)
		items := []any{}
		for _, in := range ins {
			res, code := f.item(in)
			it := map[string]any{"clientId": in["clientId"], "result": res, "error": nil}
			if code != "" {
				it["error"] = map[string]any{"code": code, "message": "busy"}
			}
			items = append(items, it)
		}
		out = map[string]any{"data": map[string]any{"syncCheckIns": items}}
	default:
		var in map[string]any
		_ = json.Unmarshal(req.Variables["in"], &in)
		res, code := f.item(in)
		out = map[string]any{"data": map[string]any{"checkIn": res}}
		if code != "" {
			out = map[string]any{"data": nil, "errors": []any{map[string]any{"message": "busy", "extensions": map[string]any{"code": code}}}}
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}

func TestDriveRetriesUncertainSends(t *testing.T) {
	fake := &fakeServer{ids: map[string]int64{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	at := testAtlas(t)
	cfg := &config{url: srv.URL + "/graphql", timeout: 5 * time.Second, phones: 3, concurrency: 2, checkins: 40, offlineFraction: 0.3, retryFraction: 0.1,
		outsideFraction: 0.05, borderFraction: 0.05, mockFraction: 0.02}
	d := &driver{cfg: cfg, cl: newClient(srv.URL, 3, 5*time.Second), at: at, sem: make(chan struct{}, cfg.concurrency)}
	var phones []*phone
	for i := range cfg.phones {
		phones = append(phones, &phone{idx: i, userID: int64(i + 1), county: at.counties[i], token: "t",
			src: rand.NewChaCha8([32]byte{byte(i)}), rng: rand.New(rand.NewPCG(7, uint64(i))), rec: newRecorder()})
	}
	d.run(context.Background(), phones, false)
	s := summarize(phones, time.Second)
	if s.acked != len(fake.ids) || s.unknown != 0 || s.rejected != 0 {
		t.Errorf("acked %d, unknown %d, rejected %d; server stored %d", s.acked, s.unknown, s.rejected, len(fake.ids))
	}
	if s.acked < cfg.phones*cfg.checkins {
		t.Errorf("acked %d, want at least %d", s.acked, cfg.phones*cfg.checkins)
	}
	if s.replayOK == 0 || s.replayBad != 0 || s.ackedOffline == 0 {
		t.Errorf("replays ok %d bad %d (%v), offline %d", s.replayOK, s.replayBad, s.problems, s.ackedOffline)
	}
	if s.errs[seriesCheckIn]["UNAVAILABLE"] == 0 || s.itemErrs["UNAVAILABLE"] == 0 {
		t.Errorf("the fake's UNAVAILABLE answers were not seen: %v %v", s.errs, s.itemErrs)
	}
}

// TestPaceDue: under -rate a send on time is due at its tick; a phone that
// fell behind sends at once but stays due at the tick it missed, so the
// latency from the schedule carries the wait; without -rate nothing is due.
func TestPaceDue(t *testing.T) {
	d := &driver{cfg: &config{phones: 10, rate: 100}} // one send per 100 ms per phone
	ctx := context.Background()

	tick := time.Now().Add(20 * time.Millisecond)
	due, after := d.pace(ctx, tick)
	if !due.Equal(tick) || !after.Equal(tick.Add(100*time.Millisecond)) {
		t.Errorf("on time: due %v after %v, want %v and 100 ms later", due, after, tick)
	}
	if late := time.Since(due); late < 0 {
		t.Errorf("on time: pace returned %v before the tick", -late)
	}

	missed := time.Now().Add(-time.Second)
	before := time.Now()
	due, after = d.pace(ctx, missed)
	if !due.Equal(missed) {
		t.Errorf("behind: due %v, want the missed tick %v", due, missed)
	}
	if after.Before(before.Add(100*time.Millisecond)) || after.After(time.Now().Add(100*time.Millisecond)) {
		t.Errorf("behind: next send %v, want 100 ms after now (no catch-up burst)", after)
	}

	d.cfg.rate = 0
	if due, after = d.pace(ctx, missed); !due.IsZero() || !after.Equal(missed) {
		t.Errorf("closed loop: due %v after %v, want zero and unchanged", due, after)
	}
}

// TestSettleResolvesUnknown: inputs whose outcome the load left unknown
// are resent with their ids until answered — one the server had stored
// comes back replayed, one it had not is stored now — and a first answer
// that is a replay is no error.
func TestSettleResolvesUnknown(t *testing.T) {
	fake := &fakeServer{ids: map[string]int64{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	at := testAtlas(t)
	cfg := &config{url: srv.URL + "/graphql", timeout: 5 * time.Second, phones: 1, concurrency: 1}
	d := &driver{cfg: cfg, cl: newClient(srv.URL, 1, 5*time.Second), at: at, sem: make(chan struct{}, 1)}
	p := &phone{userID: 1, county: at.counties[0], token: "t", src: rand.NewChaCha8([32]byte{9}), rng: rand.New(rand.NewPCG(1, 2)), rec: newRecorder()}
	stored, absent, offline := d.newInput(p, time.Now()), d.newInput(p, time.Now()), d.newInput(p, time.Now().Add(-time.Hour))
	offline.offline = true
	fake.ids[stored.clientID] = 41 // committed, its answer lost
	for _, s := range []*sent{stored, absent, offline} {
		s.uncertain, s.outcome, s.code = true, outcomeUnknown, codeTransport
		p.rec.track(s)
	}
	d.settle(context.Background(), []*phone{p}, time.Minute)
	for _, s := range []*sent{stored, absent, offline} {
		if s.outcome != outcomeAcked {
			t.Errorf("%s: outcome %v after settling, want acknowledged", s.clientID, s.outcome)
		}
	}
	if stored.ack.CheckInID != 41 {
		t.Errorf("the stored input settled as check-in %d, want 41", stored.ack.CheckInID)
	}
	tally := p.rec.settled
	if tally.found < 1 || tally.found+tally.stored != 3 || total(tally.unknownBy) != 3 {
		t.Errorf("settled %+v, want 3 unknown, at least the stored one found", tally)
	}
	if p.rec.replayBad != 0 {
		t.Errorf("settling counted replays as wrong: %v", p.rec.problems)
	}
}
