package inspect

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/spotcheck"
)

// MaxDrawDays bounds the period a draw chooses cadre-days from.
const MaxDrawDays = 366

// DrawInput asks for a spot check.
type DrawInput struct {
	ClientID  string // the inspector's id of the draw: a resend with the same input answers the stored draw
	OrgUnitID *int64 // cadres of this unit's subtree; every cadre when nil
	From, To  string // the period of cadre-days, Asia/Shanghai dates
	Plan      spotcheck.Plan
	Seed      string // hex, 16–64 bytes (e.g. from a public draw); random when ""
	Notes     string
}

// Draw draws a spot check of cadre-days (随机抽查) and records it with its
// candidates, seed and plan, ledgered. It returns the draw and whether it
// is the stored answer to a resend. INVALID for a malformed input;
// FORBIDDEN for anyone but the discipline group; NOT_FOUND for an unknown
// unit; CONFLICT when the client id was used for another draw;
// UNAVAILABLE when the database fails (a resend with the same client id
// is then safe).
func (s *Service) Draw(ctx context.Context, p *authz.Principal, in DrawInput) (*models.SpotCheck, bool, error) {
	if _, err := authz.Check(p, authz.WriteInspections); err != nil {
		return nil, false, err
	}
	if err := in.validate(); err != nil {
		return nil, false, err
	}
	if prior, err := s.Store.SpotCheckByClient(ctx, p, in.ClientID); err != nil || prior != nil {
		return replayDraw(prior, in, err)
	}
	seed, err := s.seed(in.Seed)
	if err != nil {
		return nil, false, err
	}
	cands, err := s.candidates(ctx, p, in)
	if err != nil {
		return nil, false, err
	}
	sample := spotcheck.Draw(seed, in.Plan, cands)
	drawn := map[spotcheck.Entry]bool{}
	for _, e := range sample {
		drawn[e] = true
	}
	sc := &models.SpotCheck{InspectorID: p.UserID, ClientID: in.ClientID, OrgUnitID: in.OrgUnitID, FromDate: in.From, ToDate: in.To,
		Plan: in.Plan.String(), Seed: hex.EncodeToString(seed), Candidates: len(cands), CandidatesHash: spotcheck.CandidatesHash(cands),
		Notes: strings.TrimSpace(in.Notes), CreatedAt: s.now()}
	rows := make([]*models.SpotCheckCandidate, len(cands))
	var items []*models.SpotCheckCandidate
	for i, c := range cands {
		rows[i] = &models.SpotCheckCandidate{UserID: c.UserID, Date: c.Date, Stratum: c.Stratum, Sampled: drawn[c]}
		if rows[i].Sampled {
			items = append(items, rows[i])
		}
	}
	leaf, err := leafOf(&models.SpotCheckRecord{SpotCheck: sc, Sample: items})
	if err != nil {
		return nil, false, err
	}
	if err := s.Store.SaveSpotCheck(ctx, p, sc, rows, leaf); err != nil {
		if models.CodeOf(err) == models.CodeConflict { // a twin committed first
			prior, perr := s.Store.SpotCheckByClient(ctx, p, in.ClientID)
			return replayDraw(prior, in, perr)
		}
		return nil, false, err
	}
	return sc, false, nil
}

func (in *DrawInput) validate() error {
	if !models.ValidClientID(in.ClientID) {
		return models.E(models.CodeInvalid, "clientId: 1–64 letters, digits or -_.:")
	}
	if err := period(in.From, in.To, MaxDrawDays); err != nil {
		return err
	}
	if err := in.Plan.Validate(); err != nil {
		return err
	}
	if len(in.Notes) > 1000 {
		return models.E(models.CodeInvalid, "notes: at most 1000 bytes")
	}
	return nil
}

// replayDraw answers a resend with the stored draw when it asked for the
// same, CONFLICT otherwise.
func replayDraw(prior *models.SpotCheck, in DrawInput, err error) (*models.SpotCheck, bool, error) {
	if err != nil {
		return nil, false, err
	}
	same := prior.FromDate == in.From && prior.ToDate == in.To && prior.Plan == in.Plan.String() &&
		prior.Notes == strings.TrimSpace(in.Notes) && (in.Seed == "" || strings.EqualFold(prior.Seed, in.Seed)) &&
		((prior.OrgUnitID == nil && in.OrgUnitID == nil) || (prior.OrgUnitID != nil && in.OrgUnitID != nil && *prior.OrgUnitID == *in.OrgUnitID))
	if !same {
		return nil, false, models.E(models.CodeConflict, "clientId %q was already used for another spot check", in.ClientID)
	}
	return prior, true, nil
}

// seed returns the given seed, or 32 random bytes.
func (s *Service) seed(given string) ([]byte, error) {
	if given != "" {
		b, err := hex.DecodeString(given)
		if err != nil || len(b) < 16 || len(b) > 64 {
			return nil, models.E(models.CodeInvalid, "seed: 16–64 bytes in hex")
		}
		return b, nil
	}
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 32)
	if _, err := r.Read(b); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "no randomness for a seed")
	}
	return b, nil
}

// candidates are the cadre-days of the scope and period with a check-in,
// each in its stratum: the city of the region most of the day's
// check-ins were recorded against (ties: the smallest region id), the
// worst flag they raised, and whether the day counted on a make-up.
func (s *Service) candidates(ctx context.Context, p *authz.Principal, in DrawInput) ([]spotcheck.Entry, error) {
	rows, err := s.Store.CandidateCheckIns(ctx, p, in.OrgUnitID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	type day struct {
		user    int64
		date    string
		regions map[int64]int
		flags   spotcheck.FlagClass
		madeUp  bool
	}
	var days []*day
	var cur *day
	for _, r := range rows {
		if cur == nil || cur.user != r.UserID || cur.date != r.Date {
			cur = &day{user: r.UserID, date: r.Date, regions: map[int64]int{}, flags: spotcheck.Clean}
			days = append(days, cur)
		}
		if r.RegionID != nil {
			cur.regions[*r.RegionID]++
		}
		cur.flags = worse(cur.flags, s.flagClass(r.Flags))
		cur.madeUp = cur.madeUp || r.MadeUp
	}
	out := make([]spotcheck.Entry, len(days))
	for i, d := range days {
		c := spotcheck.Candidate{UserID: d.user, Date: d.date, City: s.cityOf(d.regions), Flags: d.flags, MadeUp: d.madeUp}
		out[i] = spotcheck.Entry{UserID: d.user, Date: d.date, Stratum: c.Stratum(in.Plan.By)}
	}
	return out, nil
}

// flagClass classes a check-in's stored flags under the policy.
func (s *Service) flagClass(raw string) spotcheck.FlagClass {
	var flags []presence.RaisedFlag
	if json.Unmarshal([]byte(raw), &flags) != nil {
		return spotcheck.Blocking // unreadable flags are the inspector's to see
	}
	class := spotcheck.Clean
	for _, f := range flags {
		if s.Policy.Blocks(f.Code) {
			return spotcheck.Blocking
		}
		class = spotcheck.Flagged
	}
	return class
}

func worse(a, b spotcheck.FlagClass) spotcheck.FlagClass {
	rank := map[spotcheck.FlagClass]int{spotcheck.Clean: 0, spotcheck.Flagged: 1, spotcheck.Blocking: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// cityOf is the city of the region most check-ins of a day were recorded
// against: a county's code (or a campus's parent county) with its last
// two digits 00; "" when none.
func (s *Service) cityOf(regions map[int64]int) string {
	var best int64
	for id, n := range regions {
		if best == 0 || n > regions[best] || n == regions[best] && id < best {
			best = id
		}
	}
	if best == 0 || s.Regions == nil {
		return ""
	}
	r := s.Regions.Get(best)
	if r == nil {
		return ""
	}
	code := r.Code
	if r.Kind != models.RegionCounty {
		code = r.ParentCode
	}
	if len(code) != 6 {
		return code
	}
	return code[:4] + "00"
}

// SpotCheck returns draw id; for the discipline group (FORBIDDEN
// otherwise), NOT_FOUND for an unknown id.
func (s *Service) SpotCheck(ctx context.Context, p *authz.Principal, id int64) (*models.SpotCheck, error) {
	return s.Store.SpotCheck(ctx, p, id)
}

// Document returns draw id as an inspector takes it away to recompute it
// (spotcheck.Document), with its ledger record's canonical bytes as the
// database holds it now; the refusals of SpotCheck.
func (s *Service) Document(ctx context.Context, p *authz.Principal, id int64) (*spotcheck.Document, error) {
	sc, err := s.Store.SpotCheck(ctx, p, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.SpotCheckCandidates(ctx, p, id, false)
	if err != nil {
		return nil, err
	}
	d := &spotcheck.Document{Format: spotcheck.DocumentFormat, Version: 1, SpotCheckID: sc.ID, InspectorID: sc.InspectorID,
		ClientID: sc.ClientID, OrgUnitID: sc.OrgUnitID, From: sc.FromDate, To: sc.ToDate, Plan: sc.Plan, Seed: sc.Seed,
		CandidatesHash: sc.CandidatesHash, Candidates: make([]spotcheck.Entry, 0, len(rows)), Sample: []spotcheck.Entry{}}
	var items []*models.SpotCheckCandidate
	for _, r := range rows {
		e := spotcheck.Entry{UserID: r.UserID, Date: r.Date, Stratum: r.Stratum}
		d.Candidates = append(d.Candidates, e)
		if r.Sampled {
			d.Sample = append(d.Sample, e)
			items = append(items, r)
		}
	}
	if d.Record, err = ledger.Canonical(&models.SpotCheckRecord{SpotCheck: sc, Sample: items}); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "canonical bytes")
	}
	return d, nil
}
