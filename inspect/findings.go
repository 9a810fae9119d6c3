package inspect

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// MaxRefs bounds a finding's evidence references.
const MaxRefs = 50

// FindingInput is a finding on a sampled cadre-day or on any record.
type FindingInput struct {
	ClientID  string // the inspector's id of the finding: a resend with the same input answers the stored finding
	SubjectID *int64 // the cadre; the item's when omitted
	ItemID    *int64 // the sampled cadre-day it is about, if any
	Outcome   models.FindingOutcome
	Notes     string
	Refs      []string // evidence: "checkin:ID", "review:ID", "activity:ID", "activity_review:ID", "contact_reveal:ID", "finding:ID", "photo:SHA256"
}

// RecordFinding records a finding, ledgered and never edited, and returns
// it and whether it is the stored answer to a resend. INVALID for a
// malformed input, an unknown reference or a subject that does not match
// the item; FORBIDDEN for anyone but the discipline group; NOT_FOUND for
// an unknown item or subject; CONFLICT when the client id was used for
// another finding (a finding is never changed: record another);
// UNAVAILABLE when the database fails (a resend is then safe).
func (s *Service) RecordFinding(ctx context.Context, p *authz.Principal, in FindingInput) (*models.Finding, bool, error) {
	if _, err := authz.Check(p, authz.WriteInspections); err != nil {
		return nil, false, err
	}
	if !in.Outcome.Valid() {
		return nil, false, models.E(models.CodeInvalid, "outcome: CONFIRMED, DISCREPANCY or UNVERIFIABLE")
	}
	subject, err := s.subject(ctx, p, in.SubjectID, in.ItemID)
	if err != nil {
		return nil, false, err
	}
	f := &models.Finding{InspectorID: p.UserID, ClientID: in.ClientID, SubjectID: subject, ItemID: in.ItemID, Outcome: in.Outcome,
		Notes: strings.TrimSpace(in.Notes)}
	return s.saveFinding(ctx, p, f, in.Refs)
}

// subject is the cadre a finding is about: the item's, or the one named
// (which must match the item's when both are given).
func (s *Service) subject(ctx context.Context, p *authz.Principal, subjectID, itemID *int64) (int64, error) {
	if itemID != nil {
		item, err := s.Store.SpotCheckItem(ctx, p, *itemID)
		if err != nil {
			return 0, err
		}
		if subjectID != nil && *subjectID != item.UserID {
			return 0, models.E(models.CodeInvalid, "item %d is a day of cadre %d, not of %d", *itemID, item.UserID, *subjectID)
		}
		return item.UserID, nil
	}
	if subjectID == nil {
		return 0, models.E(models.CodeInvalid, "a finding names its cadre (subjectId) or a sampled day (itemId)")
	}
	u, err := s.Store.User(ctx, p, *subjectID)
	if err != nil {
		return 0, err
	}
	if u.Role != models.RoleCadre {
		return 0, models.E(models.CodeInvalid, "user %d is not a cadre", u.ID)
	}
	return u.ID, nil
}

// saveFinding checks f's client id, notes and references, and stores it
// with its leaf, or answers a resend.
func (s *Service) saveFinding(ctx context.Context, p *authz.Principal, f *models.Finding, refs []string) (*models.Finding, bool, error) {
	if !models.ValidClientID(f.ClientID) {
		return nil, false, models.E(models.CodeInvalid, "clientId: 1–64 letters, digits or -_.:")
	}
	if len(f.Notes) > 10000 {
		return nil, false, models.E(models.CodeInvalid, "notes: at most 10000 bytes")
	}
	norm, err := s.checkRefs(ctx, p, refs)
	if err != nil {
		return nil, false, err
	}
	raw, _ := json.Marshal(norm) // strings: cannot fail
	f.Refs = string(raw)
	if prior, err := s.Store.FindingByClient(ctx, p, f.ClientID); err != nil || prior != nil {
		return replayFinding(prior, f, err)
	}
	f.CreatedAt = s.now()
	leaf, err := leafOf(f)
	if err != nil {
		return nil, false, err
	}
	if err := s.Store.SaveFinding(ctx, p, f, leaf); err != nil {
		if models.CodeOf(err) == models.CodeConflict {
			prior, perr := s.Store.FindingByClient(ctx, p, f.ClientID)
			return replayFinding(prior, f, perr)
		}
		return nil, false, err
	}
	return f, false, nil
}

// replayFinding answers a resend with the stored finding when it says the
// same, CONFLICT otherwise: a finding is never edited.
func replayFinding(prior, f *models.Finding, err error) (*models.Finding, bool, error) {
	if err != nil {
		return nil, false, err
	}
	eq := func(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }
	if prior.SubjectID != f.SubjectID || !eq(prior.ItemID, f.ItemID) || prior.Outcome != f.Outcome || prior.Notes != f.Notes ||
		prior.Refs != f.Refs || !eq(prior.IntervieweeID, f.IntervieweeID) || prior.CallOutcome != f.CallOutcome {
		return nil, false, models.E(models.CodeConflict, "finding %q is recorded and is never edited; record another finding", f.ClientID)
	}
	return prior, true, nil
}

// refKinds are the record kinds a finding may cite, by their name in a
// reference.
var refKinds = map[string]models.LeafKind{
	"checkin": models.LeafCheckIn, "review": models.LeafReview, "activity": models.LeafActivity,
	"activity_review": models.LeafActivityReview, "contact_reveal": models.LeafContactReveal, "finding": models.LeafFinding,
}

// checkRefs parses references, drops repeats (keeping the first) and
// checks that each names a stored record or photo; INVALID otherwise.
func (s *Service) checkRefs(ctx context.Context, p *authz.Principal, refs []string) ([]string, error) {
	if len(refs) > MaxRefs {
		return nil, models.E(models.CodeInvalid, "at most %d evidence references", MaxRefs)
	}
	out := []string{}
	ids := map[models.LeafKind][]int64{}
	var photos []string
	for _, r := range refs {
		kind, id, ok := strings.Cut(strings.TrimSpace(r), ":")
		if kind == "photo" && ok && len(id) == 64 && strings.Trim(strings.ToLower(id), "0123456789abcdef") == "" {
			id = strings.ToLower(id)
			photos = append(photos, id)
		} else if k, known := refKinds[kind]; known && ok {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil || n <= 0 {
				return nil, models.E(models.CodeInvalid, "reference %q: KIND:ID", r)
			}
			ids[k] = append(ids[k], n)
			id = strconv.FormatInt(n, 10)
		} else {
			return nil, models.E(models.CodeInvalid, "reference %q: one of checkin, review, activity, activity_review, contact_reveal, finding with an id, or photo with a SHA-256", r)
		}
		if ref := kind + ":" + id; !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	for kind, want := range ids {
		found, err := s.Store.RecordOwners(ctx, p, kind, want)
		if err != nil {
			return nil, err
		}
		for _, id := range want {
			if _, ok := found[id]; !ok {
				return nil, models.E(models.CodeInvalid, "reference %s:%d names no record", kindName(kind), id)
			}
		}
	}
	if len(photos) > 0 {
		found, err := s.Store.PhotoOwners(ctx, p, photos)
		if err != nil {
			return nil, err
		}
		for _, sha := range photos {
			if len(found[sha]) == 0 {
				return nil, models.E(models.CodeInvalid, "reference photo:%s names no activity's photo", sha)
			}
		}
	}
	return out, nil
}

func kindName(k models.LeafKind) string {
	for name, kind := range refKinds {
		if kind == k {
			return name
		}
	}
	return string(k)
}

// CallBackInput is the outcome of a call to an interviewee (团员青年评议).
type CallBackInput struct {
	ClientID      string
	IntervieweeID int64
	ItemID        *int64 // the sampled cadre-day of the interview, if the call is part of a spot check
	Outcome       models.CallOutcome
	Notes         string
	Refs          []string // more evidence; the interview and the reveal are cited by themselves
}

// callFindings is the finding a call's outcome makes.
var callFindings = map[models.CallOutcome]models.FindingOutcome{
	models.CallConfirmed: models.FindingConfirmed, models.CallDenied: models.FindingDiscrepancy,
	models.CallReached: models.FindingUnverifiable, models.CallUnreachable: models.FindingUnverifiable,
}

// RecordCallBack records the outcome of a call to an interviewee whose
// contact the inspector revealed (revealContact) as a finding on the
// interview's cadre: CONFIRMED when the interviewee confirmed the
// interview, DISCREPANCY when they denied it, UNVERIFIABLE when they were
// not reached or would say neither. The finding cites the interview and
// the reveal. The refusals of RecordFinding, and CONFLICT when the
// inspector has not revealed this interviewee's contact; INVALID when the
// interview is not on the item's day or the activity is no interview.
func (s *Service) RecordCallBack(ctx context.Context, p *authz.Principal, in CallBackInput) (*models.Finding, bool, error) {
	if _, err := authz.Check(p, authz.WriteInspections); err != nil {
		return nil, false, err
	}
	outcome, ok := callFindings[in.Outcome]
	if !ok {
		return nil, false, models.E(models.CodeInvalid, "outcome: REACHED, CONFIRMED, DENIED or UNREACHABLE")
	}
	iv, act, err := s.Store.Interviewee(ctx, p, in.IntervieweeID)
	if err != nil {
		return nil, false, err
	}
	if !act.Kind.Interview() {
		return nil, false, models.E(models.CodeInvalid, "activity %d is not an interview", act.ID)
	}
	if in.ItemID != nil {
		item, err := s.Store.SpotCheckItem(ctx, p, *in.ItemID)
		if err != nil {
			return nil, false, err
		}
		if item.UserID != act.UserID || item.Date != act.LocalDate {
			return nil, false, models.E(models.CodeInvalid, "the interview (%s) is not on the sampled day (%s) of its cadre", act.LocalDate, item.Date)
		}
	}
	reveals, err := s.Store.ContactRevealsOf(ctx, p, []int64{iv.ID})
	if err != nil {
		return nil, false, err
	}
	var reveal *models.ContactReveal
	for _, r := range reveals[iv.ID] {
		if r.ActorID == p.UserID {
			reveal = r
		}
	}
	if reveal == nil {
		return nil, false, models.E(models.CodeConflict, "reveal the interviewee's contact first (revealContact, with a reason)")
	}
	refs := append([]string{"activity:" + strconv.FormatInt(act.ID, 10), "contact_reveal:" + strconv.FormatInt(reveal.ID, 10)}, in.Refs...)
	ivID := iv.ID
	f := &models.Finding{InspectorID: p.UserID, ClientID: in.ClientID, SubjectID: act.UserID, ItemID: in.ItemID, Outcome: outcome,
		Notes: strings.TrimSpace(in.Notes), IntervieweeID: &ivID, CallOutcome: in.Outcome}
	return s.saveFinding(ctx, p, f, refs)
}

// Escalate escalates a DISCREPANCY finding into a ruling that overturns a
// record of its cadre's evidence (a check-in or an activity): the
// escalation is recorded (ledgered, one per finding), then handed to the
// Overturner. It returns the escalation and whether it is the stored
// answer to a resend. INVALID for a bad target or reason, or a target
// that is not the finding's cadre's; FORBIDDEN for anyone but the
// discipline group; NOT_FOUND for an unknown finding; CONFLICT for a
// finding that is no DISCREPANCY or was escalated otherwise; the
// Overturner's error (the escalation is then recorded, and a resend
// hands it over again).
func (s *Service) Escalate(ctx context.Context, p *authz.Principal, findingID int64, target models.LeafKind, targetID int64, reason string) (*models.Escalation, bool, error) {
	if _, err := authz.Check(p, authz.WriteInspections); err != nil {
		return nil, false, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, false, models.E(models.CodeInvalid, "an escalation needs a reason of 1–1000 characters")
	}
	if target != models.LeafCheckIn && target != models.LeafActivity {
		return nil, false, models.E(models.CodeInvalid, "a check-in or an activity is overturned")
	}
	f, err := s.Store.Finding(ctx, p, findingID)
	if err != nil {
		return nil, false, err
	}
	if f.Outcome != models.FindingDiscrepancy {
		return nil, false, models.E(models.CodeConflict, "finding %d is %s; only a DISCREPANCY is escalated", f.ID, f.Outcome)
	}
	owners, err := s.Store.RecordOwners(ctx, p, target, []int64{targetID})
	if err != nil {
		return nil, false, err
	}
	if owner, ok := owners[targetID]; !ok || owner != f.SubjectID {
		return nil, false, models.E(models.CodeInvalid, "%s %d is not evidence of the finding's cadre", target, targetID)
	}
	e := &models.Escalation{FindingID: f.ID, InspectorID: p.UserID, TargetKind: target, TargetID: targetID, Reason: reason, CreatedAt: s.now()}
	replayed := false
	if prior, err := s.Store.EscalationsOf(ctx, p, []int64{f.ID}); err != nil {
		return nil, false, err
	} else if prior[f.ID] != nil {
		if e, err = sameEscalation(prior[f.ID], e); err != nil {
			return nil, false, err
		}
		replayed = true
	} else {
		leaf, err := leafOf(e)
		if err != nil {
			return nil, false, err
		}
		if err := s.Store.SaveEscalation(ctx, p, e, leaf); models.CodeOf(err) == models.CodeConflict { // a twin committed first
			prior, perr := s.Store.EscalationsOf(ctx, p, []int64{f.ID})
			if perr != nil || prior[f.ID] == nil {
				return nil, false, cmp.Or(perr, err)
			}
			if e, err = sameEscalation(prior[f.ID], e); err != nil {
				return nil, false, err
			}
			replayed = true
		} else if err != nil {
			return nil, false, err
		}
	}
	if s.Overturn != nil {
		if err := s.Overturn.Overturn(ctx, p, e); err != nil {
			return nil, false, err
		}
	}
	return e, replayed, nil
}

// sameEscalation answers a resend with the stored escalation when it asks
// for the same, CONFLICT otherwise.
func sameEscalation(prior, e *models.Escalation) (*models.Escalation, error) {
	if prior.TargetKind != e.TargetKind || prior.TargetID != e.TargetID || prior.Reason != e.Reason || prior.InspectorID != e.InspectorID {
		return nil, models.E(models.CodeConflict, "finding %d was escalated already (escalation %d)", e.FindingID, prior.ID)
	}
	return prior, nil
}
