package makeup

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/photo"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Decide records supervisor p's decision on make-up request id, with a
// reason, and its ledger leaf. An approval counts the day in the same
// transaction: the cadre's day at the request's region is marked made up
// (and counted) whatever its check-ins. INVALID without a reason (1–1000
// characters) or for an unknown decision; CONFLICT when the request was
// decided otherwise already, or for an approval when the day already
// counts by its check-ins (refuse it instead) or the cadre's approved
// make-ups in the quarter reach the policy's cap; the refusals of
// store.BeginMakeUpDecision otherwise. A resend of the same decision
// returns the stored one, so after UNAVAILABLE — whose outcome is unknown —
// resending is safe.
func (s *Service) Decide(ctx context.Context, p *authz.Principal, id int64, d models.MakeUpDecisionKind, reason string) (*models.MakeUpDecision, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, models.E(models.CodeInvalid, "a decision needs a reason of 1–1000 characters")
	}
	if d != models.MakeUpApprove && d != models.MakeUpRefuse {
		return nil, models.E(models.CodeInvalid, "unknown decision %q", d)
	}
	limit, err := s.approvalCap(ctx, p, id, d)
	if err != nil {
		return nil, err
	}
	tx, m, prior, err := s.Store.BeginMakeUpDecision(ctx, p, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if prior != nil {
		if prior.DeciderID == p.UserID && prior.Decision == d && prior.Reason == reason {
			return prior, nil
		}
		return nil, models.E(models.CodeConflict, "make-up request %d was already decided (%s)", m.ID, prior.Decision)
	}
	dec := &models.MakeUpDecision{MakeUpID: m.ID, DeciderID: p.UserID, Decision: d, Reason: reason,
		CreatedAt: s.Now().UTC().Truncate(time.Millisecond)}
	leaf, err := ledger.LeafOf(dec)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "ledger leaf of a make-up decision")
	}
	w := store.RecordWrites{MakeUpDecision: dec, Leaves: []models.Leaf{leaf}}
	if d == models.MakeUpApprove {
		day, err := s.approve(tx, m, limit)
		if err != nil {
			return nil, err
		}
		w.Days = []models.PresenceDay{day}
	}
	if err := tx.Commit(w); err != nil {
		return nil, err
	}
	return dec, nil
}

// approve returns the day an approval of m counts: the stored day, made
// up. CONFLICT when it counts by its check-ins already or the quarter's
// cap is reached.
func (s *Service) approve(tx *store.RecordTx, m *models.MakeUp, limit int) (models.PresenceDay, error) {
	stored, err := tx.Day(store.DayKey{UserID: m.UserID, Date: m.Date, RegionID: m.RegionID})
	if err != nil {
		return models.PresenceDay{}, err
	}
	day := presence.StatOf(stored)
	if day.CountedByCheckIns(s.Policy) {
		return models.PresenceDay{}, models.E(models.CodeConflict, "%s counts by its check-ins already: refuse the request, there is nothing to make up", m.Date)
	}
	if err := underCap(tx, m, limit); err != nil {
		return models.PresenceDay{}, err
	}
	day.MadeUp = true
	return day.Row(m.UserID, s.Policy), nil
}

// approvalCap returns the cap an approval of request id is held to: the
// policy in force on its date for its cadre's unit, read before the
// decision's transaction; 0 for a refusal, which no cap holds. The
// refusals of the reads (NOT_FOUND for a request out of p's reach).
func (s *Service) approvalCap(ctx context.Context, p *authz.Principal, id int64, d models.MakeUpDecisionKind) (int, error) {
	if d != models.MakeUpApprove || s.Policies == nil {
		return s.Rules.MakeUpsPerQuarter, nil
	}
	reqs, err := s.Store.MakeUpsByID(ctx, p, []int64{id})
	if err != nil {
		return 0, err
	}
	m := reqs[id]
	if m == nil {
		return 0, models.E(models.CodeNotFound, "make-up request %d not found", id)
	}
	cadre, err := s.Store.User(ctx, p, m.UserID)
	if err != nil {
		return 0, err
	}
	return s.capOn(ctx, cadre.OrgUnitID, m.Date)
}

// List pages through the make-up requests p may read.
func (s *Service) List(ctx context.Context, p *authz.Principal, f store.MakeUpFilter, page store.Page) ([]*models.MakeUp, store.PageInfo, error) {
	return s.Store.MakeUps(ctx, p, f, page)
}

// Status is a request's status given its decision (nil: none).
func Status(dec *models.MakeUpDecision) models.MakeUpStatus {
	switch {
	case dec == nil:
		return models.MakeUpPending
	case dec.Decision == models.MakeUpApprove:
		return models.MakeUpApproved
	}
	return models.MakeUpRefused
}

// ServePhoto returns the bytes of photo sha of a request p may read, and
// its content type: in full (GPS included) for those who read other
// cadres' requests (supervisors, the discipline group, admins), without
// the GPS position for the cadre. NOT_FOUND when p may not see it.
func (s *Service) ServePhoto(ctx context.Context, p *authz.Principal, sha string) ([]byte, string, error) {
	_, row, err := s.Store.MakeUpPhotoOwner(ctx, p, sha)
	if err != nil {
		return nil, "", err
	}
	rc, _, err := s.Blobs.Get(ctx, sha)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc) // to the end: the reader reports a corrupt object only there
	if err != nil {
		return nil, "", err
	}
	if r, err := authz.Check(p, authz.ReadMakeUps); err != nil || r == authz.Self {
		if data, err = photo.StripGPS(data); err != nil {
			return nil, "", models.Wrap(models.CodeInternal, err, "stripping GPS from a stored photo")
		}
	}
	return data, row.ContentType, nil
}
