// Package checkin is the evidence path: it validates a phone's check-in,
// makes it idempotent, locates it, raises flags, and stores it together with
// the cadre's presence day in one transaction, answering only after the
// commit. GraphQL, the load tool and the tests all go through it.
package checkin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// DefaultMaxBatch bounds an offline sync.
const DefaultMaxBatch = 100

// Service records check-ins.
type Service struct {
	Store         *store.Store
	Regions       *regions.Service
	Policy        presence.Policy   // thresholds and blocking flags (RULES.md defaults)
	Compliance    compliance.Policy // R2 numbers for quarter reports
	PolicyVersion string            // recorded on every check-in
	Now           func() time.Time  // the server clock
	MaxBatch      int               // largest offline sync; DefaultMaxBatch when zero
	// Writer, when set, stores check-ins with group commit (NewWriter);
	// otherwise each check-in is its own transaction.
	Writer *store.CheckInWriter
}

// Result is the answer to the phone.
type Result struct {
	CheckIn  *models.CheckIn
	Flags    []presence.RaisedFlag
	Counts   bool
	Day      *Day // the day at the check-in's region; nil when outside every region
	Replayed bool // the stored original of a retried clientId
	// Review is a replayed check-in's review when it was answered (nil:
	// none); a new check-in has none. The answer's status reads it.
	Review *models.Review
}

// Verdict is the check-in's verdict at its region (the answer's verdict
// field, bound to this method rather than to a resolver: gqlgen runs the
// fields that have resolvers on goroutines of their own).
func (r *Result) Verdict() geofence.Verdict { return geofence.Verdict(r.CheckIn.Verdict) }

// Day is a cadre's status at one region on one date.
type Day struct {
	RegionID  int64
	Date      string
	CheckIns  int
	Counted   bool
	Message   string
	NotBefore *time.Time
}

// ItemResult is one item of an offline sync: a Result or an error.
type ItemResult struct {
	ClientID string
	Result   *Result
	Err      error
}

// CheckIn records one live check-in (dated by server receipt). It fails
// with INVALID for malformed input, DEVICE_NOT_BOUND when the cadre has no
// bound device, CONFLICT when clientId was used for a different payload,
// FORBIDDEN for roles that do not check in, and UNAVAILABLE when the
// database fails — in which case nothing was stored and a retry is safe.
func (s *Service) CheckIn(ctx context.Context, p *auth.Principal, in Input) (*Result, error) {
	if _, err := store.Authorize(p, store.OpCheckIn); err != nil {
		return nil, err
	}
	return s.record(ctx, p, in, false)
}

// Sync records an offline queue in order (dated by device time). The batch
// is refused whole (INVALID) when larger than MaxBatch; otherwise every item
// gets its own result or error, and one bad item does not sink the others.
// The valid items are stored in order, each judged after the ones before
// it; with a Writer together (RecordAll: one commit for up to a batch's
// worth).
func (s *Service) Sync(ctx context.Context, p *auth.Principal, ins []Input) ([]ItemResult, error) {
	if _, err := store.Authorize(p, store.OpCheckIn); err != nil {
		return nil, err
	}
	limit := s.MaxBatch
	if limit == 0 {
		limit = DefaultMaxBatch
	}
	if len(ins) > limit {
		return nil, models.E(models.CodeInvalid, "at most %d check-ins per sync; send the rest in another batch", limit)
	}
	out := make([]ItemResult, len(ins))
	var preps []*prepared // the items that pass validation, in order
	var at []int          // their positions in ins
	for i, in := range ins {
		out[i].ClientID = in.ClientID
		pr, err := s.prepare(p, in, true)
		if err != nil {
			out[i].Err = err
			continue
		}
		preps, at = append(preps, pr), append(at, i)
	}
	recs, errs := s.storeAll(ctx, p.UserID, preps)
	for k, pr := range preps {
		i := at[k]
		if errs[k] != nil {
			out[i].Err = errs[k]
			continue
		}
		out[i].Result, out[i].Err = s.finish(recs[k], pr)
	}
	return out, nil
}

// prepared is a validated, located check-in ready to be stored.
type prepared struct {
	in    *Input
	hash  string
	probe models.CheckIn
	near  []int64 // the regions it was located in
	j     judgement
}

// storeAll stores prepared check-ins of one cadre in order: together
// through the Writer (one batch), or one by one without it.
func (s *Service) storeAll(ctx context.Context, userID int64, preps []*prepared) ([]*store.Recorded, []error) {
	if s.Writer != nil {
		pend := make([]store.Pending, len(preps))
		for i, pr := range preps {
			pend[i] = store.Pending{Probe: pr.probe, Near: pr.near, Judge: pr.j.judge}
		}
		return s.Writer.RecordAll(ctx, userID, pend)
	}
	recs, errs := make([]*store.Recorded, len(preps)), make([]error, len(preps))
	for i, pr := range preps {
		recs[i], errs[i] = s.Store.RecordCheckIn(ctx, userID, pr.probe, s.dayRule(), pr.j.judge)
	}
	return recs, errs
}

// prepare runs the steps before storage: validate, convert, locate, and
// the judgement that will run under the cadre's lock. It fails with
// INVALID for a malformed input.
func (s *Service) prepare(p *auth.Principal, in Input, offline bool) (*prepared, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash := in.PayloadHash()
	wgs, err := geofence.Convert(orb.Point{in.Lon, in.Lat}, in.CoordSystem, geofence.WGS84)
	if err != nil {
		return nil, err
	}
	loc, err := s.Regions.Locate(in.Lat, in.Lon, in.AccuracyM, in.CoordSystem)
	if err != nil {
		return nil, err
	}
	facts := presence.Facts{MockLocation: in.MockLocation, AccuracyM: in.AccuracyM, Lat: wgs[1], Lon: wgs[0],
		DeviceTime: in.DeviceTime, ServerTime: s.Now(), Offline: offline}
	occurred := presence.WhenOccurred(facts)
	date := presence.DateOf(occurred, s.Policy.Location).String()
	pr := &prepared{in: &in, hash: hash}
	pr.j = judgement{svc: s, in: pr.in, p: p, facts: facts, occurred: occurred, date: date, hash: hash, located: loc}
	pr.probe = models.CheckIn{ClientID: in.ClientID, DeviceTime: in.DeviceTime.UTC(), WGSLat: wgs[1], WGSLon: wgs[0],
		AccuracyM: in.AccuracyM, LocalDate: date}
	pr.near = make([]int64, len(loc.Candidates))
	for i, c := range loc.Candidates {
		pr.near[i] = c.Region.ID
	}
	return pr, nil
}

// record runs the pipeline: validate → locate → (in one transaction, under
// the cadre's lock) idempotency by the (cadre, clientId) unique key → flags
// → store with the day → answer after commit. Idempotency is enforced by the
// database rather than by a read before the work, so concurrent twins
// cannot both pass it and the common case costs no extra round trip.
func (s *Service) record(ctx context.Context, p *auth.Principal, in Input, offline bool) (*Result, error) {
	pr, err := s.prepare(p, in, offline)
	if err != nil {
		return nil, err
	}
	recs, errs := s.storeAll(ctx, p.UserID, []*prepared{pr})
	if errs[0] != nil {
		return nil, errs[0]
	}
	return s.finish(recs[0], pr)
}

// finish answers a stored or replayed check-in: CONFLICT when the client
// id was used before for a different payload.
func (s *Service) finish(rec *store.Recorded, pr *prepared) (*Result, error) {
	if rec.Replayed && rec.CheckIn.PayloadHash != pr.hash {
		return nil, models.E(models.CodeConflict, "clientId %q was already used for a different check-in", pr.in.ClientID)
	}
	return s.answer(rec)
}

// answer builds the phone's answer from what was stored (or replayed).
// Counts is the status at storage; a replay of a check-in that a reviewer
// has since ruled on reports the ruling through the check-in's status field.
func (s *Service) answer(rec *store.Recorded) (*Result, error) {
	flags, err := DecodeFlags(rec.CheckIn.Flags)
	if err != nil {
		return nil, err
	}
	res := &Result{CheckIn: rec.CheckIn, Flags: flags, Counts: rec.CheckIn.Status.Counts(), Replayed: rec.Replayed, Review: rec.Review}
	if rec.Day != nil {
		res.Day = s.DayStatus(rec.Day)
	}
	return res, nil
}

// DayStatus explains a presence day for the phone.
func (s *Service) DayStatus(d *models.PresenceDay) *Day {
	date, _ := presence.ParseDate(d.Date)
	st := presence.Status(presence.DayStat{RegionID: d.RegionID, Date: date, Accepted: d.Accepted, First: d.FirstAt, Last: d.LastAt}, s.Policy)
	out := &Day{RegionID: d.RegionID, Date: d.Date, CheckIns: d.Accepted, Counted: st.Counted, Message: st.Message(s.Policy.Location)}
	if !st.NotBefore.IsZero() {
		nb := st.NotBefore
		out.NotBefore = &nb
	}
	return out
}

// NewWriter starts group commit for this service's check-ins (see
// store.CheckInWriter); set it as Writer and Close it on shutdown.
func (s *Service) NewWriter(cfg store.WriterConfig) *store.CheckInWriter {
	return s.Store.NewCheckInWriter(s.dayRule(), cfg)
}

// dayRule is the policy's day rule for the store's incremental aggregate.
func (s *Service) dayRule() store.DayRule {
	return func(n int, first, last time.Time) bool {
		return presence.DayStat{Accepted: n, First: first, Last: last}.Counted(s.Policy)
	}
}

// DecodeFlags reads a stored flag list; a corrupt one is INTERNAL.
func DecodeFlags(raw string) ([]presence.RaisedFlag, error) {
	var flags []presence.RaisedFlag
	if raw == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(raw), &flags); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "stored flags do not decode")
	}
	return flags, nil
}
