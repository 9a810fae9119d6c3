package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// seriesSettle is the latency series of the resends that settle unknown
// outcomes after the load.
const seriesSettle = "resend of unknown"

// settle resends every input whose outcome the load left unknown (each
// phone's, on its own goroutine), with the same client id and payload,
// until it is answered or timeout has passed: answered with a check-in, it
// is acknowledged (a replay: it had been stored and its answer lost; a new
// row: it had not); answered with another error than UNAVAILABLE, it was
// not stored. Verification then checks each like any other answer; an
// input still unknown at the timeout fails it.
func (d *driver) settle(ctx context.Context, phones []*phone, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	var wg sync.WaitGroup
	for _, p := range phones {
		wg.Go(func() { d.settlePhone(ctx, p, deadline) })
	}
	wg.Wait()
	for _, p := range phones {
		if p.wire != nil {
			p.wire.close()
		}
	}
}

// settlePhone settles p's unknown outcomes in the order they were sent.
func (d *driver) settlePhone(ctx context.Context, p *phone, deadline time.Time) {
	for _, s := range p.rec.order {
		if s.outcome != outcomeUnknown {
			continue
		}
		p.rec.settled.unknownBy[s.code]++
		for attempt := 0; ; attempt++ {
			res, code := d.resendUnknown(ctx, p, s)
			p.rec.settleUnknown(s, res, code)
			if s.outcome != outcomeUnknown || !waitRetry(ctx, attempt, deadline) {
				break
			}
		}
	}
}

// waitRetry waits before resend number attempt+1 (250 ms, doubling to
// 4 s) and reports whether there is time for it before deadline.
func waitRetry(ctx context.Context, attempt int, deadline time.Time) bool {
	wait := min(250*time.Millisecond<<min(attempt, 4), 4*time.Second)
	if time.Now().Add(wait).After(deadline) {
		return false
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(wait):
		return true
	}
}

// resendUnknown sends s once more the way it first went (checkIn, or a
// syncCheckIns of one) and returns the check-in answered, or the error
// code (codeTransport when no GraphQL answer came).
func (d *driver) resendUnknown(ctx context.Context, p *phone, s *sent) (*checkInResult, string) {
	if !s.offline {
		r := d.call(ctx, p, seriesSettle, checkInDoc, oneInput(s))
		var out struct{ CheckIn *checkInResult }
		if r.Transport == nil && json.Unmarshal(r.Data, &out) == nil && out.CheckIn != nil && out.CheckIn.CheckIn.ID != "" {
			return out.CheckIn, ""
		}
		return nil, r.Code()
	}
	r := d.call(ctx, p, seriesSettle, syncDoc, syncVars([]*sent{s}))
	var out struct {
		SyncCheckIns []struct {
			Result *checkInResult
			Error  *struct{ Code string }
		}
	}
	if r.Transport != nil || json.Unmarshal(r.Data, &out) != nil || len(out.SyncCheckIns) != 1 {
		return nil, r.Code()
	}
	switch it := out.SyncCheckIns[0]; {
	case it.Result != nil && it.Result.CheckIn.ID != "":
		return it.Result, ""
	case it.Error != nil && it.Error.Code != "":
		return nil, it.Error.Code
	}
	return nil, "NO_CODE"
}

// settleUnknown records the answer to a resend of an unknown input: a
// check-in acknowledges it; an error other than UNAVAILABLE or a transport
// failure says it is not stored (a stored one is answered as a replay
// whatever else has changed); those two leave it unknown.
func (r *recorder) settleUnknown(s *sent, res *checkInResult, code string) {
	switch {
	case res != nil:
		if res.Replayed {
			r.settled.found++
		} else {
			r.settled.stored++
		}
		r.ackFrom(s, res)
	case code == codeUnavailable || code == codeTransport || code == "":
		s.code = code
	default:
		s.outcome, s.code, s.uncertain = outcomeRejected, code, false
		r.settled.rejected++
	}
}
