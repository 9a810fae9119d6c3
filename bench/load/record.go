package main

import (
	"fmt"
	"time"
)

// outcome is what the tool knows about one check-in input.
type outcome int

// Outcomes. Only acknowledged inputs may exist in the database (exactly
// once); rejected ones must not; unknown ones (no attempt answered with a
// check-in, and some failed in transport or with UNAVAILABLE) may or may
// not, until the end of the load resends them until answered (settle.go).
const (
	outcomePending  outcome = iota // not answered yet
	outcomeRejected                // answered with an error: never stored
	outcomeUnknown                 // no usable answer after a transport failure
	outcomeAcked                   // answered with a check-in: stored exactly once
)

// ack is what the server answered for an acknowledged input.
type ack struct {
	CheckInID  int64
	Status     string
	LocalDate  string
	RegionID   int64 // 0 when recorded against no region
	OccurredAt time.Time
	Counts     bool
	Flags      []string  // codes of the flags raised
	At         time.Time // when the answer was read
}

// sent is one check-in input a phone generated and its fate.
type sent struct {
	clientID  string
	input     []byte // CheckInInput as JSON, resent unchanged on retries
	kind      string // inside, outside, border, with "+mock"
	offline   bool
	uncertain bool // some attempt failed in transport or with UNAVAILABLE: it may have committed
	outcome   outcome
	code      string // the error code when rejected
	ack       ack
}

// codeUnavailable is the retryable server error: busy database or timeout.
const codeUnavailable = "UNAVAILABLE"

// maxProblems caps the problem lines a recorder keeps.
const maxProblems = 20

// recorder is one phone's tally; only the phone's goroutine writes it.
type recorder struct {
	lat      map[string][]time.Duration // per series, round trips answered without error
	sched    map[string][]time.Duration // the same from the send's due time (-rate), checkIn and baseline only
	reqs     map[string]int             // requests per series
	errs     map[string]map[string]int  // per series, failed requests by code
	itemErrs map[string]int             // failed syncCheckIns items by code
	items    int                        // check-ins sent in syncCheckIns batches
	states   map[string]*sent           // by client id
	order    []*sent                    // every input, in the order generated
	acked    []string                   // acknowledged client ids, for resends

	replayOK  int
	replayBad int
	problems  []string
	renewals  int
	// replayedFirst counts inputs whose first answer with a check-in was
	// a replay: an earlier attempt was stored and its answer lost.
	replayedFirst int
	settled       settleTally
	timeline      *timeline // checkIn answers over time; nil without -windows
}

// settleTally is what resending the unknown outcomes found (settle.go).
type settleTally struct {
	unknownBy map[string]int // inputs unknown after the load, by their last error code
	found     int            // answered replayed: stored before, answer lost
	stored    int            // stored by the resend
	rejected  int            // answered with an error other than UNAVAILABLE: not stored
}

// newRecorder returns an empty recorder.
func newRecorder() *recorder {
	return &recorder{
		lat: map[string][]time.Duration{}, sched: map[string][]time.Duration{}, reqs: map[string]int{}, errs: map[string]map[string]int{},
		itemErrs: map[string]int{}, states: map[string]*sent{}, settled: settleTally{unknownBy: map[string]int{}},
	}
}

// track registers a new input before it is first sent.
func (r *recorder) track(s *sent) {
	r.states[s.clientID] = s
	r.order = append(r.order, s)
}

// request records one round trip of series. When due is not zero (the
// first request after a scheduled send time, under -rate) and the series
// is checkIn or the baseline, it also records the time from due to the
// answer: the latency a phone on that schedule saw, including any wait for
// the machine or for its previous answer (coordinated omission otherwise
// hides a stall of the tool itself, which shares the machine).
func (r *recorder) request(series string, resp *response, due time.Time) {
	r.reqs[series]++
	code := resp.Code()
	if r.timeline != nil && series == seriesCheckIn {
		r.timeline.add(code, resp.Latency)
	}
	if code == "" {
		r.lat[series] = append(r.lat[series], resp.Latency)
		if !due.IsZero() && (series == seriesCheckIn || series == seriesBaseline) {
			r.sched[series] = append(r.sched[series], time.Since(due))
		}
		return
	}
	if r.errs[series] == nil {
		r.errs[series] = map[string]int{}
	}
	r.errs[series][code]++
}

// settleAck records an answer carrying a check-in for s. For a deliberate
// resend (or a second answer) it checks that the answer is the stored
// original: replayed and the same check-in id. A first answer may be a
// replay too: the server retries a failed batch item by item, and finds
// the row of a commit whose answer was lost.
func (r *recorder) settleAck(s *sent, res *checkInResult, replay bool) {
	cid := parseID(res.CheckIn.ID)
	if s.outcome == outcomeAcked {
		if !res.Replayed || cid != s.ack.CheckInID {
			r.replayProblem("resend of %s: replayed=%v id %d, first answer id %d", s.clientID, res.Replayed, cid, s.ack.CheckInID)
			return
		}
		r.replayOK++
		return
	}
	if res.Replayed {
		r.replayedFirst++
	}
	r.ackFrom(s, res)
}

// ackFrom makes s acknowledged with the check-in of res.
func (r *recorder) ackFrom(s *sent, res *checkInResult) {
	cid := parseID(res.CheckIn.ID)
	var region int64
	if res.CheckIn.Region != nil {
		region = parseID(res.CheckIn.Region.ID)
	}
	s.outcome = outcomeAcked
	s.ack = ack{CheckInID: cid, Status: res.CheckIn.Status, LocalDate: res.CheckIn.LocalDate,
		RegionID: region, OccurredAt: res.CheckIn.OccurredAt, Counts: res.Counts, At: time.Now()}
	for _, f := range res.Flags {
		s.ack.Flags = append(s.ack.Flags, f.Code)
	}
	r.acked = append(r.acked, s.clientID)
}

// settleError records an error answer (code) for s. UNAVAILABLE (a busy
// database, a server-side timeout) may come after a commit, so it leaves the
// outcome unknown until a retry answers.
func (r *recorder) settleError(s *sent, code string, replay bool) {
	if replay || s.outcome == outcomeAcked {
		if code != codeUnavailable {
			r.replayProblem("resend of %s failed: %s", s.clientID, code)
		}
		return
	}
	s.code = code
	if code == codeUnavailable {
		s.uncertain = true
	}
	s.outcome = outcomeRejected
	if s.uncertain {
		s.outcome = outcomeUnknown
	}
}

// finish closes s after its last attempt: an input without an answer, or
// whose attempts failed uncertainly, has an unknown outcome.
func (r *recorder) finish(s *sent) {
	if s.outcome != outcomeAcked && (s.uncertain || s.outcome == outcomePending) {
		s.outcome = outcomeUnknown
		if s.code == "" {
			s.code = codeTransport
		}
	}
}

// replayProblem counts a failed replay check and keeps its description.
func (r *recorder) replayProblem(format string, args ...any) {
	r.replayBad++
	if len(r.problems) < maxProblems {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}
