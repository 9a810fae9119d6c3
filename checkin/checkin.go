// Package checkin is the evidence path: it takes a phone's check-ins and
// stores them with the cadre's presence days, answering only after the
// commit. GraphQL, the load tool and the tests all go through it.
//
// A check-in, top to bottom (this file):
//
//  1. validate the input (Input.Validate);
//  2. locate it: the fix converted to WGS-84 and to the regions' datums,
//     every region near it with its verdict (regions.Service.Locate);
//  3. in one transaction with the other check-ins of its batch (the
//     group-commit queue, queue.go, gathers them): read the cadre's priors
//     under its lock (store.BeginCheckIns), judge it against them
//     (judge.go: a resend, or a new row with its region, flags and status),
//     fold the counting ones into their days (presence.DayStat.Add), and
//     write rows, days and the rows' ledger leaves (EvidenceTx.Commit;
//     ledger.go);
//  4. answer: the stored row, its flags, whether it counts and the day's
//     status for the phone.
package checkin

import (
	"context"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// DefaultMaxSync bounds an offline sync.
const DefaultMaxSync = 100

// Service records check-ins. Set its fields, then StartGroupCommit for
// batches shared between requests (otherwise every request is its own
// transaction); Close stops it.
type Service struct {
	Store         *store.Store
	Regions       *regions.Service
	Policy        presence.Policy  // thresholds and blocking flags
	PolicyVersion string           // recorded on every check-in
	Now           func() time.Time // the server clock
	MaxSync       int              // largest offline sync; DefaultMaxSync when zero

	queue *queue // group commit; nil: one transaction per request
	// afterReads, when set, is called inside every batch's transaction
	// once its reads are done (tests hold a batch there).
	afterReads func(items []*item)
	// queued, when set, is called by the group-commit dispatcher with each
	// request's items as they join its waiting list (tests wait for it).
	queued func(items []*item)
}

// Result is the answer to the phone.
type Result struct {
	CheckIn  *models.CheckIn
	Flags    []presence.RaisedFlag
	Counts   bool
	Day      *Day // the day at the check-in's region; nil when outside every region
	Replayed bool // the stored original of a retried clientId
	// Review is a replayed check-in's ruling when it has one (the answer's
	// status reads it); a new check-in has none.
	Review *models.Review
}

// Verdict is the check-in's verdict at its region (the answer's verdict
// field, bound to this method rather than to a resolver: gqlgen runs the
// fields that have resolvers on goroutines of their own).
func (r *Result) Verdict() geofence.Verdict { return geofence.Verdict(r.CheckIn.Verdict) }

// ItemResult is one item of an offline sync: a Result or an error.
type ItemResult struct {
	ClientID string
	Result   *Result
	Err      error
}

// item is one check-in on its way through the pipeline.
type item struct {
	ctx      context.Context // the request's
	p        *authz.Principal
	in       Input
	hash     string // Input.PayloadHash
	offline  bool
	loc      geofence.Result
	received time.Time // the server's clock at receipt
	occurred time.Time // what the check-in is dated by (presence.WhenOccurred)
	date     string    // occurred's Asia/Shanghai date

	// Set by the transaction (store), read by answer.
	out outcome
}

// outcome is what the transaction did with an item: stored it (row, with
// the day at its region), found it stored before (replayed, with its
// ruling), or refused it (err).
type outcome struct {
	row      *models.CheckIn
	replayed bool
	review   *models.Review
	day      *models.PresenceDay
	err      error
}

// CheckIn records one live check-in (dated by server receipt). It fails
// with INVALID for malformed input, DEVICE_NOT_BOUND when the cadre has no
// bound device, CONFLICT when clientId was used for a different payload,
// FORBIDDEN for roles that do not check in, and UNAVAILABLE when the
// database fails or ctx ends first. After UNAVAILABLE the outcome is
// unknown: the check-in may have been stored (a commit whose answer was
// lost, or one still in flight when ctx ended). Retrying with the same
// clientId is always safe: it is answered with the stored check-in
// (Replayed) if there is one, and stores it once otherwise.
func (s *Service) CheckIn(ctx context.Context, p *authz.Principal, in Input) (*Result, error) {
	if _, err := authz.Check(p, authz.CheckIn); err != nil {
		return nil, err
	}
	it, err := s.prepare(ctx, p, in, false)
	if err != nil {
		return nil, err
	}
	return s.answer(it, s.record(ctx, []*item{it})[0])
}

// Sync records an offline queue in order (dated by device time). The batch
// is refused whole (INVALID) when larger than MaxSync; otherwise every item
// gets its own result or error, and one bad item does not sink the others.
// The valid items are stored in order, each judged after the ones before
// it, in one transaction where they fit one batch. An item's UNAVAILABLE
// means what it means for CheckIn: its outcome is unknown, and resending it
// with the same clientId is always safe.
func (s *Service) Sync(ctx context.Context, p *authz.Principal, ins []Input) ([]ItemResult, error) {
	if _, err := authz.Check(p, authz.CheckIn); err != nil {
		return nil, err
	}
	limit := s.MaxSync
	if limit == 0 {
		limit = DefaultMaxSync
	}
	if len(ins) > limit {
		return nil, models.E(models.CodeInvalid, "at most %d check-ins per sync; send the rest in another batch", limit)
	}
	out := make([]ItemResult, len(ins))
	items := make([]*item, len(ins)) // nil where the input was refused
	var valid []*item
	for i, in := range ins {
		out[i].ClientID = in.ClientID
		it, err := s.prepare(ctx, p, in, true)
		if err != nil {
			out[i].Err = err
			continue
		}
		items[i], valid = it, append(valid, it)
	}
	outs := s.record(ctx, valid)
	for i, it := range items {
		if it != nil {
			out[i].Result, out[i].Err = s.answer(it, outs[0])
			outs = outs[1:]
		}
	}
	return out, nil
}

// prepare is steps 1 and 2: validate, locate and date the check-in. It
// fails with INVALID for a malformed input.
func (s *Service) prepare(ctx context.Context, p *authz.Principal, in Input, offline bool) (*item, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	loc, err := s.Regions.Locate(in.Lat, in.Lon, in.AccuracyM, in.CoordSystem)
	if err != nil {
		return nil, err
	}
	it := &item{ctx: ctx, p: p, in: in, hash: in.PayloadHash(), offline: offline, loc: loc, received: s.Now()}
	it.occurred = presence.WhenOccurred(presence.Facts{DeviceTime: in.DeviceTime, ServerTime: it.received, Offline: offline})
	it.date = presence.DateOf(it.occurred, s.Policy.Location).String()
	return it, nil
}

// record is step 3 for one request's items, all of one cadre, in order:
// through the group-commit queue, or as a transaction of their own. It
// returns every item's outcome, in order, by the time ctx ends.
func (s *Service) record(ctx context.Context, items []*item) []outcome {
	if len(items) == 0 {
		return nil
	}
	if s.queue != nil {
		return s.queue.record(ctx, items)
	}
	s.storeAlone(ctx, items)
	return outcomes(items)
}

// storeAlone stores one request's items in a transaction of their own and
// sets every outcome. On a duplicate key (a twin committed first) it runs
// once more, and then answers with the twin's row.
func (s *Service) storeAlone(ctx context.Context, items []*item) {
	err := s.store(ctx, items, nil)
	if models.CodeOf(err) == models.CodeConflict {
		err = s.store(ctx, items, nil)
	}
	if err != nil {
		for _, it := range items {
			it.out = outcome{err: err}
		}
	}
}

// store is the transaction of step 3 for a batch of items — several cadres',
// each cadre's in the order its request gave them. It reads every prior at
// once, judges the items in order (each against its prior and the batch's
// earlier items of its cadre), folds the counting ones into their days and
// commits. It calls read, when not nil, once the reads are done (the queue
// then lets the next batch begin). An error means the batch did not
// commit, except that UNAVAILABLE may follow a commit whose answer was
// lost (a retry then finds the rows); either way the items' outcomes are
// not set. A refusal of one item (DEVICE_NOT_BOUND) is that item's outcome
// only.
func (s *Service) store(ctx context.Context, items []*item, read func()) error {
	probes := make([]store.Probe, len(items))
	for i, it := range items {
		probes[i] = it.probe()
	}
	tx, priors, err := s.Store.BeginCheckIns(ctx, probes)
	if read != nil {
		read()
	}
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.afterReads != nil {
		s.afterReads(items)
	}
	var rows []*models.CheckIn
	counting := map[*models.CheckIn][]int64{} // new row → the regions whose day it adds to
	earlier := map[int64][]*models.CheckIn{}  // per cadre, the batch's new rows so far, in order
	for i, it := range items {
		j := s.judge(it, priors[i], earlier[it.p.UserID])
		it.out = j.outcome
		if j.outcome.row != nil && !j.outcome.replayed {
			rows = append(rows, j.outcome.row)
			counting[j.outcome.row] = j.countsAt
			earlier[it.p.UserID] = append(earlier[it.p.UserID], j.outcome.row)
		}
	}
	leaves, err := sealCheckIns(rows) // before the days, which take the rows' times as stored
	if err != nil {
		return err
	}
	days, err := s.foldDays(tx, items, rows, counting)
	if err != nil {
		return err
	}
	if err := tx.Commit(store.Writes{CheckIns: rows, Days: days.changedDays(), Leaves: leaves}); err != nil {
		return err
	}
	for _, it := range items { // step 4's day: the aggregate at the row's region after the batch
		if r := it.out.row; r != nil && r.RegionID != nil {
			d := days.get(r.UserID, r.LocalDate, *r.RegionID)
			it.out.day = &d
		}
	}
	return nil
}

// foldDays reads the days the batch touches — where its new rows count and
// where every answered row lies — and adds each counting row to its days
// (presence.DayStat.Add), in memory.
func (s *Service) foldDays(tx *store.EvidenceTx, items []*item, rows []*models.CheckIn, counting map[*models.CheckIn][]int64) (*dayTable, error) {
	var keys []store.DayKey
	for _, it := range items {
		if r := it.out.row; r != nil && r.RegionID != nil {
			keys = append(keys, store.DayKey{UserID: r.UserID, Date: r.LocalDate, RegionID: *r.RegionID})
		}
	}
	for _, r := range rows {
		for _, region := range counting[r] {
			keys = append(keys, store.DayKey{UserID: r.UserID, Date: r.LocalDate, RegionID: region})
		}
	}
	stored, err := tx.Days(keys)
	if err != nil {
		return nil, err
	}
	days := newDayTable(stored, s.Policy)
	for _, r := range rows {
		for _, region := range counting[r] {
			days.add(r.UserID, r.LocalDate, region, r.OccurredAt)
		}
	}
	return days, nil
}

// answer is step 4: the phone's answer to a stored or replayed check-in
// (o, the item's outcome); CONFLICT when its client id was used before for
// a different payload. Counts is the status at storage; a replay of a
// check-in that a reviewer has since ruled on reports the ruling through
// the check-in's status.
func (s *Service) answer(it *item, o outcome) (*Result, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.replayed && o.row.PayloadHash != it.hash {
		return nil, models.E(models.CodeConflict, "clientId %q was already used for a different check-in", it.in.ClientID)
	}
	flags, err := DecodeFlags(o.row.Flags)
	if err != nil {
		return nil, err
	}
	res := &Result{CheckIn: o.row, Flags: flags, Counts: o.row.Status.Counts(), Replayed: o.replayed, Review: o.review}
	if o.day != nil {
		res.Day = s.DayStatus(o.day)
	}
	return res, nil
}
