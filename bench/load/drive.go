package main

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Latency series.
const (
	seriesCheckIn       = "checkIn"
	seriesCheckInReplay = "checkIn (retry)"
	seriesSync          = "syncCheckIns"
	seriesSyncReplay    = "syncCheckIns (retry)"
	seriesBaseline      = "baseline"
)

// GraphQL documents of the load phase. resultFields is what a phone reads
// back to tell the cadre where it stands.
const (
	resultFields = `replayed counts verdict flags { code blocking }
    checkIn { id clientId status localDate occurredAt offline region { id } }
    day { counted checkIns message }`
	checkInDoc = `mutation($in: CheckInInput!) { checkIn(input: $in) { ` + resultFields + ` } }`
	syncDoc    = `mutation($ins: [CheckInInput!]!) {
  syncCheckIns(inputs: $ins) { clientId error { code message } result { ` + resultFields + ` } }
}`
)

// meanBatch is the mean size of an offline batch (5–20 items).
const meanBatch = 12.5

// checkInResult is the part of a CheckInResult the tool reads.
type checkInResult struct {
	Replayed bool
	Counts   bool
	Verdict  string
	Flags    []struct{ Code string }
	CheckIn  struct {
		ID, ClientID, Status, LocalDate string
		OccurredAt                      time.Time
		Offline                         bool
		Region                          *struct{ ID string }
	}
}

// driver runs the phones against the server for one phase.
type driver struct {
	cfg      *config
	cl       *client
	at       *atlas
	sem      chan struct{} // bounds requests in flight to cfg.concurrency
	deadline time.Time
	quoted   sync.Map // document → the document as a JSON string
}

// quotedDoc returns doc as a JSON string, quoting each document once.
func (d *driver) quotedDoc(doc string) []byte {
	if q, ok := d.quoted.Load(doc); ok {
		return q.([]byte)
	}
	q, _ := json.Marshal(doc) // a string always marshals
	d.quoted.Store(doc, q)
	return q
}

// run drives every phone concurrently, each with sequential requests, until
// the deadline or its quota, and returns the wall time taken. baseline
// selects the baseline operation instead of check-ins.
func (d *driver) run(ctx context.Context, phones []*phone, baseline bool) time.Duration {
	start := time.Now()
	d.deadline = start.Add(d.cfg.duration)
	if d.cfg.windows > 0 && !baseline {
		for _, p := range phones {
			p.rec.timeline = &timeline{start: start, width: d.cfg.windows}
		}
	}
	var wg sync.WaitGroup
	for _, p := range phones {
		wg.Go(func() {
			if baseline {
				d.baseline(ctx, p)
			} else {
				d.checkIns(ctx, p)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	for _, p := range phones {
		if p.wire != nil {
			p.wire.close()
		}
	}
	return took
}

// more reports whether a phone that has done n units of work goes on.
func (d *driver) more(ctx context.Context, n int) bool {
	if ctx.Err() != nil {
		return false
	}
	if d.cfg.checkins > 0 {
		return n < d.cfg.checkins
	}
	return time.Now().Before(d.deadline)
}

// baseline sends the baseline operation in a loop.
func (d *driver) baseline(ctx context.Context, p *phone) {
	next := d.firstTick(p)
	for n := 0; d.more(ctx, n); n++ {
		p.due, next = d.pace(ctx, next)
		d.call(ctx, p, seriesBaseline, d.cfg.baselineOp, nil)
	}
}

// checkIns is one phone's check-in loop: mostly live check-ins, sometimes an
// offline batch, sometimes a deliberate resend of an acknowledged input.
func (d *driver) checkIns(ctx context.Context, p *phone) {
	f := d.cfg.offlineFraction
	batchProb := f / (f + meanBatch*(1-f))
	next := d.firstTick(p)
	for sent := 0; d.more(ctx, sent); {
		p.due, next = d.pace(ctx, next)
		x := p.rng.Float64()
		left := d.cfg.checkins - sent
		switch {
		case x < d.cfg.retryFraction && len(p.rec.acked) > 0:
			d.resend(ctx, p)
		case x < d.cfg.retryFraction+batchProb && (d.cfg.checkins == 0 || left >= 5):
			k := 5 + p.rng.IntN(16)
			if d.cfg.checkins > 0 {
				k = min(k, left)
			}
			d.sendBatch(ctx, p, k)
			sent += k
		default:
			d.sendLive(ctx, p)
			sent++
		}
	}
}

// interval is one phone's time between requests under -rate; 0 without.
func (d *driver) interval() time.Duration {
	if d.cfg.rate <= 0 {
		return 0
	}
	return time.Duration(float64(d.cfg.phones) / d.cfg.rate * float64(time.Second))
}

// firstTick spreads the phones' schedules over one interval.
func (d *driver) firstTick(p *phone) time.Time {
	iv := d.interval()
	if iv == 0 {
		return time.Time{}
	}
	return time.Now().Add(time.Duration(p.rng.Int64N(int64(iv))))
}

// pace waits for a phone's next scheduled send under -rate and returns
// when that send was due and when the one after it is; a phone that fell
// behind sends at once and goes on from there (no catch-up burst), but its
// due time stays the one it missed, so the wait shows in the latency
// measured from the schedule (report). Without -rate both are zero.
func (d *driver) pace(ctx context.Context, next time.Time) (due, after time.Time) {
	iv := d.interval()
	if iv == 0 {
		return time.Time{}, next
	}
	due = next
	if wait := time.Until(next); wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	} else {
		next = time.Now()
	}
	return due, next.Add(iv)
}

// checkInInput is a CheckInInput as the phone sends it.
type checkInInput struct {
	ClientID     string  `json:"clientId"`
	Lat          float64 `json:"lat"`
	Lon          float64 `json:"lon"`
	Accuracy     float64 `json:"accuracy"`
	CoordSystem  string  `json:"coordSystem"`
	DeviceTime   string  `json:"deviceTime"`
	MockLocation bool    `json:"mockLocation"`
	Altitude     float64 `json:"altitude"`
	Speed        float64 `json:"speed"`
	Provider     string  `json:"provider"`
}

// newInput makes a fresh check-in input dated at deviceTime.
func (d *driver) newInput(p *phone, deviceTime time.Time) *sent {
	var fx fix
	x := p.rng.Float64()
	switch {
	case x < d.cfg.outsideFraction:
		fx = d.at.pickOutside(p.rng)
	case x < d.cfg.outsideFraction+d.cfg.borderFraction:
		fx = d.at.pickBorder(p.rng, p.county)
	default:
		fx = d.at.pickInside(p.rng, p.county)
	}
	mock := p.rng.Float64() < d.cfg.mockFraction
	u, _ := uuid.NewRandomFromReader(p.src)
	in, _ := json.Marshal(checkInInput{
		ClientID: u.String(), Lat: fx.Lat, Lon: fx.Lon, Accuracy: fx.AccuracyM,
		CoordSystem: string(fx.Datum), DeviceTime: deviceTime.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		MockLocation: mock, Altitude: float64(60 + p.rng.IntN(240)),
		Speed: float64(p.rng.IntN(30)) / 10, Provider: []string{"gps", "fused", "network"}[p.rng.IntN(3)],
	})
	kind := fx.Kind
	if mock {
		kind += "+mock"
	}
	return &sent{clientID: u.String(), input: in, kind: kind}
}

// sendLive sends one live check-in. After a transport failure or an
// UNAVAILABLE answer (either may hide a commit) it retries with the same id
// and payload, as a phone would.
func (d *driver) sendLive(ctx context.Context, p *phone) {
	s := d.newInput(p, time.Now())
	p.rec.track(s)
	for attempt := 0; ; attempt++ {
		r := d.call(ctx, p, seriesCheckIn, checkInDoc, oneInput(s))
		d.settleLive(p, s, r, false)
		if s.outcome == outcomeAcked || !s.uncertain || !d.pause(ctx, attempt) {
			break
		}
	}
	p.rec.finish(s)
}

// sendBatch sends k offline check-ins with device times from a minute to
// three days ago, oldest first, in one syncCheckIns request; items that fail
// uncertainly (transport, UNAVAILABLE) are sent again in a smaller batch.
func (d *driver) sendBatch(ctx context.Context, p *phone, k int) {
	now := time.Now()
	ages := make([]time.Duration, k)
	for i := range ages {
		ages[i] = time.Minute + time.Duration(p.rng.Int64N(int64(72*time.Hour-time.Minute)))
	}
	slices.SortFunc(ages, func(a, b time.Duration) int { return int(b - a) })
	batch := make([]*sent, k)
	for i, age := range ages {
		batch[i] = d.newInput(p, now.Add(-age))
		batch[i].offline = true
		p.rec.track(batch[i])
	}
	p.rec.items += k
	pending := batch
	for attempt := 0; len(pending) > 0; attempt++ {
		d.syncOnce(ctx, p, seriesSync, pending, false)
		var again []*sent
		for _, s := range pending {
			if s.outcome != outcomeAcked && s.uncertain {
				again = append(again, s)
			}
		}
		if pending = again; len(pending) > 0 && !d.pause(ctx, attempt) {
			break
		}
	}
	for _, s := range batch {
		p.rec.finish(s)
	}
}

// maxRetries is how often a phone repeats an uncertain send.
const maxRetries = 3

// pause waits before retry number attempt+1 (250 ms, doubling) and reports
// whether to retry at all.
func (d *driver) pause(ctx context.Context, attempt int) bool {
	if attempt >= maxRetries {
		return false
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(250 * time.Millisecond << attempt):
		return true
	}
}

// resend repeats an acknowledged input unchanged: the answer must be the
// stored original (replayed, same check-in id).
func (d *driver) resend(ctx context.Context, p *phone) {
	s := p.rec.states[p.rec.acked[p.rng.IntN(len(p.rec.acked))]]
	if s.offline {
		d.syncOnce(ctx, p, seriesSyncReplay, []*sent{s}, true)
		return
	}
	r := d.call(ctx, p, seriesCheckInReplay, checkInDoc, oneInput(s))
	d.settleLive(p, s, r, true)
}

// syncVars is the variables of syncDoc for batch.
func syncVars(batch []*sent) []byte {
	ins := []byte(`{"ins":[`)
	for i, s := range batch {
		if i > 0 {
			ins = append(ins, ',')
		}
		ins = append(ins, s.input...)
	}
	return append(ins, "]}"...)
}

// syncOnce sends batch once and settles each item from the answer.
func (d *driver) syncOnce(ctx context.Context, p *phone, series string, batch []*sent, replay bool) *response {
	r := d.call(ctx, p, series, syncDoc, syncVars(batch))
	if r.Transport != nil {
		for _, s := range batch {
			s.uncertain = true
		}
		return r // counted as a TRANSPORT error of series
	}
	var out struct {
		SyncCheckIns []struct {
			ClientID string
			Result   *checkInResult
			Error    *struct{ Code, Message string }
		}
	}
	_ = json.Unmarshal(r.Data, &out)
	byID := make(map[string]int, len(out.SyncCheckIns))
	for i, it := range out.SyncCheckIns {
		byID[it.ClientID] = i
	}
	for _, s := range batch {
		i, ok := byID[s.clientID]
		switch {
		case !ok: // a request-level error, or an answer that skipped the item
			code := r.Code()
			if code == "" {
				code = "MISSING_ITEM"
			}
			p.rec.settleError(s, code, replay)
		case out.SyncCheckIns[i].Result != nil && out.SyncCheckIns[i].Result.CheckIn.ID != "":
			p.rec.settleAck(s, out.SyncCheckIns[i].Result, replay)
		default:
			code := "NO_CODE"
			if e := out.SyncCheckIns[i].Error; e != nil && e.Code != "" {
				code = e.Code
			}
			p.rec.itemErrs[code]++
			p.rec.settleError(s, code, replay)
		}
	}
	return r
}

// settleLive records the outcome of one checkIn round trip for s.
func (d *driver) settleLive(p *phone, s *sent, r *response, replay bool) {
	if r.Transport != nil {
		s.uncertain = true
		return // finish marks the outcome unknown if no attempt answers
	}
	var out struct{ CheckIn *checkInResult }
	if json.Unmarshal(r.Data, &out) == nil && out.CheckIn != nil && out.CheckIn.CheckIn.ID != "" {
		p.rec.settleAck(s, out.CheckIn, replay)
		return
	}
	p.rec.settleError(s, r.Code(), replay)
}

// oneInput is the variables of checkInDoc for s.
func oneInput(s *sent) []byte {
	return append(append([]byte(`{"in":`), s.input...), '}')
}

// call sends one request for p on the phone's own connection, holding a
// concurrency slot, and records its latency and error code under series.
// vars is the variables as JSON (nil for none). An expired access token is
// renewed once and the request repeated.
func (d *driver) call(ctx context.Context, p *phone, series, doc string, vars []byte) *response {
	if p.wire == nil {
		w, err := newWire(d.cfg.url, d.cfg.timeout)
		if err != nil {
			return &response{Transport: err}
		}
		p.wire = w
	}
	q := d.quotedDoc(doc)
	body := gqlBody(make([]byte, 0, len(q)+len(vars)+32), q, vars)
	for renewed := false; ; renewed = true {
		select {
		case d.sem <- struct{}{}:
		case <-ctx.Done():
			return &response{Transport: ctx.Err()}
		}
		r := p.wire.do(ctx, p.token, body)
		<-d.sem
		if r.Code() == "UNAUTHENTICATED" && !renewed {
			if err := p.renew(ctx, d.cl, d.cfg.password); err == nil {
				p.rec.renewals++
				continue
			}
		}
		p.rec.request(series, r, p.due)
		p.due = time.Time{}
		return r
	}
}

// parseID parses a GraphQL ID; 0 when it is not a number.
func parseID(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
