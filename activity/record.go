// Package activity is youth work as evidence (R6, R7): interviews, forums,
// lectures and other visits recorded from the phone like check-ins —
// validated, located, idempotent by (cadre, clientId), stored with photos
// and a minimal, encrypted record of the interviewee — and whether each
// counts, decided when read from the cadre's on-site days. It also holds
// the needs followed up ("办几件实事"), rulings on activities, and the
// discipline group's call-back reveals of a contact.
//
// An activity, top to bottom (this file):
//
//  1. validate the input (Input.Validate);
//  2. keep its photos: checked by content, their EXIF compared with the
//     fix, stored content-addressed (photos.go);
//  3. locate it like a check-in (regions.Service.Locate) and date it;
//  4. in one transaction under the cadre's lock: find a resend of its
//     clientId, judge it (flags, status) and store it with its parts;
//  5. answer, with whether it counts (count.go).
package activity

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

// BlobStore keeps photos content-addressed by SHA-256 (package blob: a
// local directory or an S3-compatible store).
type BlobStore interface {
	Put(ctx context.Context, r io.Reader, maxBytes int64) (sha string, size int64, err error)
	Get(ctx context.Context, sha string) (io.ReadCloser, int64, error)
}

// DefaultMaxSync bounds an offline sync of activities.
const DefaultMaxSync = 50

// Service records and reads activities.
type Service struct {
	Store         *store.Store
	Regions       *regions.Service
	Blobs         BlobStore
	Contacts      *Contacts       // encrypts, masks and reveals interviewees' numbers
	Policy        presence.Policy // flags, the day rule and its time zone
	Photos        PhotoPolicy
	PolicyVersion string
	Now           func() time.Time
	MaxSync       int       // largest offline sync; DefaultMaxSync when zero
	Access        AccessLog // records reads of a cadre's photos and contacts by others; nil: none recorded
}

// Result is the answer to the phone for one activity.
type Result struct {
	Activity *models.Activity
	Flags    []presence.RaisedFlag
	Count    Count
	Replayed bool // the stored original of a retried clientId
}

// ItemResult is one item of an offline sync: a Result or an error.
type ItemResult struct {
	ClientID string
	Result   *Result
	Err      error
}

// Record records one live activity (dated by server receipt). It fails with
// INVALID for malformed input or a photo that is not an image,
// DEVICE_NOT_BOUND without a bound device, CONFLICT when clientId was used
// for a different payload, FORBIDDEN for roles that do not record, and
// UNAVAILABLE when the database fails: the outcome is then unknown, and a
// retry with the same clientId is always safe.
func (s *Service) Record(ctx context.Context, p *authz.Principal, in Input) (*Result, error) {
	out, err := s.record(ctx, p, []Input{in}, false)
	if err != nil {
		return nil, err
	}
	return out[0].Result, out[0].Err
}

// Sync records an offline queue of activities in order (each dated by its
// device time), in one transaction; every item gets its own result or
// error. INVALID for more than MaxSync items.
func (s *Service) Sync(ctx context.Context, p *authz.Principal, ins []Input) ([]ItemResult, error) {
	limit := s.MaxSync
	if limit == 0 {
		limit = DefaultMaxSync
	}
	if len(ins) > limit {
		return nil, models.E(models.CodeInvalid, "at most %d activities per sync; send the rest in another batch", limit)
	}
	return s.record(ctx, p, ins, true)
}

// item is one activity on its way through the pipeline.
type item struct {
	in       Input
	hash     string
	photos   []keptPhoto
	loc      geofence.Result
	received time.Time
	occurred time.Time
	date     string
	err      error // refused before the transaction
	result   *Result
}

func (s *Service) record(ctx context.Context, p *authz.Principal, ins []Input, offline bool) ([]ItemResult, error) {
	if _, err := authz.Check(p, authz.RecordActivity); err != nil {
		return nil, err
	}
	items := make([]*item, len(ins))
	var ids []string
	var corrects []int64
	for i, in := range ins {
		it := &item{in: in, received: s.Now()}
		items[i] = it
		if it.err = s.prepare(ctx, it, offline); it.err == nil {
			ids = append(ids, in.ClientID)
			if in.Corrects != nil {
				corrects = append(corrects, *in.Corrects)
			}
		}
	}
	if len(ids) > 0 {
		if err := s.store(ctx, p, items, ids, corrects, offline); err != nil {
			for _, it := range items {
				if it.err == nil {
					it.result, it.err = nil, err
				}
			}
		}
	}
	out := make([]ItemResult, len(items))
	for i, it := range items {
		out[i] = ItemResult{ClientID: it.in.ClientID, Result: it.result, Err: it.err}
	}
	if err := s.countResults(ctx, p, out); err != nil {
		return nil, err
	}
	return out, nil
}

// prepare is steps 1–3: validate, keep the photos, locate and date.
func (s *Service) prepare(ctx context.Context, it *item, offline bool) error {
	in := &it.in
	if err := in.Validate(); err != nil {
		return err
	}
	if in.Interviewee != nil && in.Interviewee.Phone != "" {
		if err := s.Contacts.Check(in.Interviewee.Phone); err != nil {
			return err
		}
	}
	loc, err := s.Regions.Locate(in.Lat, in.Lon, in.AccuracyM, in.CoordSystem)
	if err != nil {
		return err
	}
	it.loc = loc
	it.occurred = presence.WhenOccurred(presence.Facts{DeviceTime: in.DeviceTime, ServerTime: it.received, Offline: offline})
	it.date = presence.DateOf(it.occurred, s.Policy.Location).String()
	if it.photos, err = s.keepPhotos(ctx, in.Photos); err != nil {
		return err
	}
	hashes := make([]string, len(it.photos))
	for i, ph := range it.photos {
		hashes[i] = ph.row.SHA256
	}
	it.hash = in.payloadHash(hashes)
	return nil
}

// store is step 4 for one request's items: one transaction under the
// cadre's lock; items already refused are skipped.
func (s *Service) store(ctx context.Context, p *authz.Principal, items []*item, ids []string, corrects []int64, offline bool) error {
	tx, prior, err := s.Store.BeginActivities(ctx, p, ids, corrects)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var news []store.NewActivity
	var stored []*item
	earlier := map[string]*item{}
	for _, it := range items {
		if it.err != nil {
			continue
		}
		if a := prior.Stored[it.in.ClientID]; a != nil {
			it.err = s.replay(it, a, prior.Interviewee[a.ID])
			continue
		}
		if e := earlier[it.in.ClientID]; e != nil { // a resend within one sync
			if e.hash != it.hash {
				it.err = conflict(it.in.ClientID)
			} else {
				it.result = &Result{Activity: e.result.Activity, Flags: e.result.Flags, Replayed: true}
			}
			continue
		}
		n, err := s.judge(p, it, prior, offline)
		if err != nil {
			it.err = err
			continue
		}
		news, stored = append(news, n), append(stored, it)
		earlier[it.in.ClientID] = it
	}
	if err := tx.Commit(news); err != nil {
		if models.CodeOf(err) == models.CodeConflict { // a twin committed first: answer from it
			return s.store(ctx, p, resetItems(stored), ids, corrects, offline)
		}
		return err
	}
	return nil
}

// resetItems clears the outcomes of items judged in a transaction that did
// not commit, so they are judged again.
func resetItems(items []*item) []*item {
	for _, it := range items {
		it.result, it.err = nil, nil
	}
	return items
}

// replay answers a resend of a stored activity: the original, or CONFLICT
// when the payload (or the interviewee's number) differs.
func (s *Service) replay(it *item, a *models.Activity, iv *models.Interviewee) error {
	if a.PayloadHash != it.hash || !s.Contacts.SameNumber(a, iv, it.in.Interviewee) {
		return conflict(it.in.ClientID)
	}
	flags, err := decodeFlags(a.Flags)
	if err != nil {
		return err
	}
	it.result = &Result{Activity: a, Flags: flags, Replayed: true}
	return nil
}

func conflict(clientID string) error {
	return models.E(models.CodeConflict, "clientId %q was already used for a different activity", clientID)
}

// judge builds the rows of a new activity: its region, its flags (those of
// a check-in that apply to a single fix, and the photos'), and its status:
// RECORDED when INSIDE a region with no blocking flag and no photo flag,
// PENDING for a reviewer otherwise.
func (s *Service) judge(p *authz.Principal, it *item, prior *store.ActivityPrior, offline bool) (store.NewActivity, error) {
	in := &it.in
	if prior.BoundDevice == "" {
		return store.NewActivity{}, models.E(models.CodeDeviceNotBound, "no bound device; sign in on your phone first")
	}
	if in.Corrects != nil && prior.Corrected[*in.Corrects] == nil {
		return store.NewActivity{}, models.E(models.CodeNotFound, "activity %d to correct is not one of yours", *in.Corrects)
	}
	a := &models.Activity{UserID: p.UserID, ClientID: in.ClientID, PayloadHash: it.hash, Kind: in.Kind, DeviceID: p.DeviceID,
		ReceivedAt: it.received.UTC(), Status: models.ActivityPending, Topic: in.Topic, Notes: in.Notes,
		Participants: in.Participants, HostOrg: in.HostOrg, Corrects: in.Corrects, PolicyVersion: s.PolicyVersion}
	var flags []presence.RaisedFlag
	if orig := correcting(in, prior); orig != nil {
		flags = keepPlace(a, orig)
	} else {
		s.place(a, it, offline)
		flags = presence.EvaluateFlags(presence.Facts{MockLocation: in.MockLocation, AccuracyM: in.AccuracyM,
			Lat: a.WGSLat, Lon: a.WGSLon, DeviceTime: in.DeviceTime, ServerTime: it.received, Offline: offline,
			DeviceMatches: prior.BoundDevice == p.DeviceID}, s.Policy)
	}
	flags = append(flags, s.photoFlags(it.photos, a)...)
	placement := presence.Outside
	if a.RegionID != nil {
		placement = presence.Placement(a.Verdict)
	}
	if presence.Accepted(placement, flags, s.Policy) && !hasPhotoFlag(flags) {
		a.Status = models.ActivityRecorded
	}
	raw, _ := json.Marshal(flags) // plain data: cannot fail
	if flags == nil {
		raw = []byte("[]")
	}
	attendees, _ := json.Marshal(in.Attendees)
	if in.Attendees == nil {
		attendees = []byte("[]")
	}
	a.Flags, a.ParticipantList = string(raw), string(attendees)
	n := store.NewActivity{Activity: a}
	if iv := in.Interviewee; iv != nil {
		row, err := s.Contacts.Seal(a, iv, s.Now())
		if err != nil {
			return store.NewActivity{}, err
		}
		n.Interviewee = row
	}
	for _, need := range in.Needs {
		n.Needs = append(n.Needs, &models.Need{Category: need.Category, Text: need.Text})
	}
	for i, ph := range it.photos {
		row := ph.row
		row.Position = i
		n.Photos = append(n.Photos, &row)
	}
	if err := sealActivity(&n); err != nil {
		return store.NewActivity{}, err
	}
	it.result = &Result{Activity: a, Flags: flags}
	return n, nil
}

// place records where and when a new activity took place: its fix as sent
// and in WGS-84, the region it is recorded against (regions.Choose), every
// region it was located in, and its date.
func (s *Service) place(a *models.Activity, it *item, offline bool) {
	in := &it.in
	a.Lat, a.Lon, a.AccuracyM, a.CoordSystem = in.Lat, in.Lon, in.AccuracyM, string(in.CoordSystem)
	a.WGSLat, a.WGSLon, a.MockLocation, a.Offline = it.loc.WGS84[1], it.loc.WGS84[0], in.MockLocation, offline
	a.DeviceTime, a.OccurredAt, a.LocalDate = in.DeviceTime.UTC(), it.occurred.UTC(), it.date
	a.Verdict, a.Located = string(geofence.Outside), make(models.Located, 0, len(it.loc.Candidates))
	for _, c := range it.loc.Candidates {
		a.Located = append(a.Located, models.CheckInRegion{RegionID: c.Region.ID, RegionVersion: c.Region.Version,
			Verdict: string(c.Verdict), EdgeDistanceM: c.EdgeDistanceM})
	}
	if c := regions.Choose(it.loc, nil); c != nil {
		a.RegionID, a.RegionVersion, a.Verdict, a.EdgeDistanceM = &c.Region.ID, c.Region.Version, string(c.Verdict), c.EdgeDistanceM
	}
}

// correcting returns the activity in corrects, if any.
func correcting(in *Input, prior *store.ActivityPrior) *models.Activity {
	if in.Corrects == nil {
		return nil
	}
	return prior.Corrected[*in.Corrects]
}

// keepPlace gives a correction the place and time of the activity it
// corrects: it corrects what was recorded, not where or when the work was
// done, so a correction sent later from elsewhere counts where the
// original did. It returns the original's flags but its photos'.
func keepPlace(a, orig *models.Activity) []presence.RaisedFlag {
	a.Lat, a.Lon, a.AccuracyM, a.CoordSystem, a.WGSLat, a.WGSLon = orig.Lat, orig.Lon, orig.AccuracyM, orig.CoordSystem, orig.WGSLat, orig.WGSLon
	a.MockLocation, a.DeviceTime, a.OccurredAt, a.LocalDate, a.Offline = orig.MockLocation, orig.DeviceTime, orig.OccurredAt, orig.LocalDate, orig.Offline
	a.RegionID, a.RegionVersion, a.Verdict, a.EdgeDistanceM, a.Located = orig.RegionID, orig.RegionVersion, orig.Verdict, orig.EdgeDistanceM, orig.Located
	kept, _ := decodeFlags(orig.Flags) // written by judge: decodes
	var out []presence.RaisedFlag
	for _, f := range kept {
		if f.Code != presence.FlagPhotoLocation && f.Code != presence.FlagPhotoTime {
			out = append(out, f)
		}
	}
	return out
}

// decodeFlags reads a stored flag list; a corrupt one is INTERNAL.
func decodeFlags(raw string) ([]presence.RaisedFlag, error) {
	var flags []presence.RaisedFlag
	if raw == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(raw), &flags); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "stored flags do not decode")
	}
	return flags, nil
}
