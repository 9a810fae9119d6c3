// Package makeup is the make-up request (补卡): a cadre who was on site but
// has a missing or failed check-in (a flat battery, no signal) asks for
// the day to count, with a reason, photos and the countersignature of a
// named person of the host county League committee; a supervisor approves
// or refuses it. An approved request counts the day — its presence-day row
// is marked made up, so every report tells it from GPS evidence — and a
// policy caps approvals per cadre and quarter. Requests and decisions are
// evidence: append-only rows with ledger leaves.
//
// A request, top to bottom (Request):
//
//  1. validate the input;
//  2. keep its photos in the blob store, content-addressed, their EXIF read;
//  3. in one transaction under the cadre's lock: answer a resend of its
//     clientId, or check the day (assigned region, not counted yet, no
//     other request open, the quarter's cap) and store it with its leaf.
package makeup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/photo"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// BlobStore keeps photos content-addressed by SHA-256 (package blob).
type BlobStore interface {
	Put(ctx context.Context, r io.Reader, maxBytes int64) (sha string, size int64, err error)
	Get(ctx context.Context, sha string) (io.ReadCloser, int64, error)
}

// MaxPhotos bounds a request's photos; at least one is needed.
const MaxPhotos = 9

// Service records make-up requests and their decisions.
type Service struct {
	Store         *store.Store
	Blobs         BlobStore
	Policy        presence.Policy   // the day rule and its time zone
	Rules         compliance.Policy // MakeUpsPerQuarter when Policies is nil
	Policies      PolicySource      // the cadre's unit policy in force on the day: its MakeUpsPerQuarter
	MaxPhotoBytes int64             // per photo; 8 MiB when zero
	Now           func() time.Time
}

// PolicySource resolves an org unit's policy in force on a date
// (policy.Service).
type PolicySource interface {
	InForce(ctx context.Context, p *authz.Principal, unitID int64, on presence.Date) (compliance.Effective, error)
}

// Input is a make-up request as the phone sends it.
type Input struct {
	ClientID     string // client-generated, unique per cadre (a UUID)
	Date         string // the Asia/Shanghai day to count, YYYY-MM-DD
	RegionID     int64  // where: a county or campus the cadre is assigned to that day
	Reason       string // why the check-ins are missing
	WitnessName  string // the host county League committee's person who countersigns
	WitnessTitle string // that person's post, e.g. 团县委副书记
	Photos       []Photo
}

// Photo is one uploaded photo: its bytes come from Open.
type Photo struct {
	Filename string
	Open     func() (io.Reader, error)
}

// Result is the answer to the phone.
type Result struct {
	MakeUp   *models.MakeUp
	Replayed bool // the stored original of a retried clientId
}

// validate checks in before anything is kept; INVALID naming the field.
func (s *Service) validate(in *Input) error {
	text := func(name, v string, max int) error {
		if strings.TrimSpace(v) == "" || !utf8.ValidString(v) || utf8.RuneCountInString(v) > max || strings.ContainsRune(v, 0) {
			return models.E(models.CodeInvalid, "%s must be 1–%d characters of text", name, max)
		}
		return nil
	}
	day, err := presence.ParseDate(in.Date)
	today := presence.DateOf(s.Now(), s.Policy.Location)
	switch {
	case !models.ValidClientID(in.ClientID):
		return models.E(models.CodeInvalid, "clientId must be 1–64 letters, digits, '-', '_', '.' or ':' (a UUID)")
	case err != nil:
		return models.E(models.CodeInvalid, "date must be a calendar date YYYY-MM-DD, got %q", in.Date)
	case day.After(today):
		return models.E(models.CodeInvalid, "a make-up is asked for a day that has begun; %s is after today (%s)", in.Date, today)
	case len(in.Photos) == 0 || len(in.Photos) > MaxPhotos:
		return models.E(models.CodeInvalid, "a make-up needs 1–%d photos of the work that day", MaxPhotos)
	}
	for _, err := range []error{text("reason", in.Reason, 1000), text("witnessName", in.WitnessName, 50), text("witnessTitle", in.WitnessTitle, 100)} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Request records cadre p's make-up request. It fails with INVALID for
// malformed input, a photo that is not an image, or a region the cadre is
// not assigned to that day; DEVICE_NOT_BOUND without a bound device;
// CONFLICT when clientId was used for another request, the day counts
// already, another request for it is open or approved, or the quarter's
// approved make-ups reach the policy's cap; FORBIDDEN for roles that do
// not request; UNAVAILABLE when the database fails — the outcome is then
// unknown, and resending the same request with the same clientId is
// always safe: it answers with the stored request (Replayed) or stores it
// once.
func (s *Service) Request(ctx context.Context, p *authz.Principal, in Input) (*Result, error) {
	if _, err := authz.Check(p, authz.RequestMakeUp); err != nil {
		return nil, err
	}
	in.Reason, in.WitnessName, in.WitnessTitle = strings.TrimSpace(in.Reason), strings.TrimSpace(in.WitnessName), strings.TrimSpace(in.WitnessTitle)
	if err := s.validate(&in); err != nil {
		return nil, err
	}
	photos, err := s.keepPhotos(ctx, in.Photos)
	if err != nil {
		return nil, err
	}
	hashes := make([]string, len(photos))
	for i, ph := range photos {
		hashes[i] = ph.SHA256
	}
	raw, _ := json.Marshal(hashes) // strings: cannot fail
	m := &models.MakeUp{UserID: p.UserID, ClientID: in.ClientID, PayloadHash: payloadHash(&in, hashes), Date: in.Date, RegionID: in.RegionID,
		Reason: in.Reason, WitnessName: in.WitnessName, WitnessTitle: in.WitnessTitle, PhotoHashes: string(raw), DeviceID: p.DeviceID,
		CreatedAt: s.Now().UTC().Truncate(time.Millisecond)}
	limit, err := s.capOn(ctx, p.OrgUnitID, m.Date)
	if err != nil {
		return nil, err
	}
	res, twin, err := s.record(ctx, p, m, photos, limit)
	if twin { // a twin committed first: answer from it
		res, _, err = s.record(ctx, p, m, photos, limit)
	}
	return res, err
}

// record is step 3: the transaction that answers a resend or stores the
// new request m with its photos. twin reports a duplicate key at commit:
// a request under the same clientId committed first.
func (s *Service) record(ctx context.Context, p *authz.Principal, m *models.MakeUp, photos []*models.MakeUpPhoto, limit int) (*Result, bool, error) {
	tx, prior, err := s.Store.BeginMakeUp(ctx, p, m.ClientID, m.Date, m.RegionID)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	if st := prior.Stored; st != nil {
		if st.PayloadHash != m.PayloadHash {
			return nil, false, models.E(models.CodeConflict, "clientId %q was already used for a different make-up request", m.ClientID)
		}
		return &Result{MakeUp: st, Replayed: true}, false, nil
	}
	if err := s.judge(tx, m, prior, limit); err != nil {
		return nil, false, err
	}
	leaf, err := ledger.LeafOf(m)
	if err != nil {
		return nil, false, models.Wrap(models.CodeInternal, err, "ledger leaf of a make-up request")
	}
	if err := tx.Commit(store.RecordWrites{MakeUp: m, MakeUpPhotos: photos, Leaves: []models.Leaf{leaf}}); err != nil {
		return nil, models.CodeOf(err) == models.CodeConflict, err
	}
	return &Result{MakeUp: m}, false, nil
}

// judge refuses a new request that its prior rules out.
func (s *Service) judge(tx *store.RecordTx, m *models.MakeUp, prior *store.MakeUpPrior, limit int) error {
	if prior.BoundDevice == "" {
		return models.E(models.CodeDeviceNotBound, "no bound device; sign in on your phone first")
	}
	assigned := false
	for _, a := range prior.Assignments {
		assigned = assigned || a.RegionID == m.RegionID && a.ActiveOn(m.Date)
	}
	if !assigned {
		return models.E(models.CodeInvalid, "region %d is not a county or campus you are assigned to on %s: a make-up counts a day there only", m.RegionID, m.Date)
	}
	if len(prior.Open) > 0 {
		return models.E(models.CodeConflict, "make-up request %d already asks for %s there", prior.Open[0].ID, m.Date)
	}
	if presence.StatOf(prior.Day).Counted(s.Policy) {
		return models.E(models.CodeConflict, "%s already counts there: there is nothing to make up", m.Date)
	}
	return underCap(tx, m, limit)
}

// capOn returns the make-up cap in force on date for the cadres of org
// unit unitID: its policy's, read before the request's transaction.
func (s *Service) capOn(ctx context.Context, unitID int64, date string) (int, error) {
	if s.Policies == nil {
		return s.Rules.MakeUpsPerQuarter, nil
	}
	day, err := presence.ParseDate(date)
	if err != nil {
		return 0, models.E(models.CodeInvalid, "date must be YYYY-MM-DD")
	}
	eff, err := s.Policies.InForce(ctx, authz.System("makeup cap"), unitID, day)
	if err != nil {
		return 0, err
	}
	return eff.Policy.MakeUpsPerQuarter, nil
}

// underCap refuses when the cadre's approved make-ups in m's quarter
// reach the cap (CONFLICT).
func underCap(tx *store.RecordTx, m *models.MakeUp, limit int) error {
	day, _ := presence.ParseDate(m.Date) // validated or stored: a date
	q := compliance.QuarterOfDate(day)
	n, err := tx.ApprovedMakeUps(m.UserID, q.FirstDate().String(), q.LastDate().String())
	if err != nil {
		return err
	}
	if n >= limit {
		return models.E(models.CodeConflict, "at most %d make-ups are approved a quarter (policy); %s has %d", limit, q, n)
	}
	return nil
}

// keepPhotos reads each photo (at most MaxPhotoBytes), checks it by its
// content (JPEG, PNG, HEIC/HEIF), reads its EXIF and stores it
// content-addressed. A photo kept for a request that then fails stays in
// the store under its hash, harmless.
func (s *Service) keepPhotos(ctx context.Context, photos []Photo) ([]*models.MakeUpPhoto, error) {
	limit := s.MaxPhotoBytes
	if limit == 0 {
		limit = 8 << 20
	}
	out := make([]*models.MakeUpPhoto, 0, len(photos))
	for i, ph := range photos {
		r, err := ph.Open()
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "a photo could not be read")
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "a photo could not be read")
		}
		if int64(len(data)) > limit {
			return nil, models.E(models.CodeInvalid, "photo %d is larger than %d MiB", i+1, limit>>20)
		}
		meta, err := photo.Inspect(data, s.Policy.Location)
		if err != nil {
			return nil, models.E(models.CodeInvalid, "photo %d is not a JPEG, PNG or HEIC image", i+1)
		}
		sha, size, err := s.Blobs.Put(ctx, bytes.NewReader(data), limit)
		if err != nil {
			return nil, err
		}
		row := &models.MakeUpPhoto{Position: i, SHA256: sha, Size: size, ContentType: string(meta.Format)}
		if !meta.Taken.IsZero() {
			t := meta.Taken.UTC()
			row.TakenAt = &t
		}
		if meta.HasGPS {
			row.GPSLat, row.GPSLon = &meta.Lat, &meta.Lon
		}
		out = append(out, row)
	}
	return out, nil
}

// payloadHash fingerprints what the phone sent, photos by their SHA-256,
// so a resend under the same clientId can be told from another request.
func payloadHash(in *Input, photoHashes []string) string {
	h := sha256.New()
	for _, v := range append([]string{in.ClientID, in.Date, fmt.Sprint(in.RegionID), in.Reason, in.WitnessName, in.WitnessTitle}, photoHashes...) {
		fmt.Fprintf(h, "%s\x1f", v)
	}
	return hex.EncodeToString(h.Sum(nil))
}
