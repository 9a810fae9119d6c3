package checkin

import (
	"context"
	"slices"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// Overturn records a ruling that supersedes the latest ruling on a
// check-in — or its automatic acceptance — as a new row with its ledger
// leaf, and moves the check-in's days in the same transaction: a check-in
// that stops counting leaves its days, each recomputed from the day's
// check-ins that still count (read under the cadre's lock), and one that
// starts counting is added to them. So an accepted check-in found false is
// struck, and a wrong ruling corrected; the history keeps every ruling and
// the latest decides. Who may: a supervisor of a unit above the latest
// ruling's author (any supervisor reaching the cadre, over an automatic
// acceptance) or the discipline group (authz.MaySupersede).
//
// r.Supersedes must name the latest ruling (nil: none). A resend of a
// ruling whose answer was lost returns the stored ruling, so after
// UNAVAILABLE — whose outcome is unknown — resending the same ruling is
// safe. INVALID for a bad ruling (see Ruling); the refusals of
// store.BeginRuling otherwise (FORBIDDEN, NOT_FOUND, CONFLICT).
func (s *Service) Overturn(ctx context.Context, p *authz.Principal, r Ruling) (*models.Review, error) {
	if err := s.validate(&r, nil); err != nil {
		return nil, err
	}
	rev := &models.Review{CheckInID: r.CheckInID, Decision: r.Decision, RegionID: r.RegionID, Reason: r.Reason}
	tx, prior, err := s.Store.BeginRuling(ctx, p, rev, r.Supersedes)
	if err != nil {
		return nil, err
	}
	if prior.Replayed != nil {
		return prior.Replayed, nil
	}
	defer tx.Rollback()
	c := prior.CheckIn
	if err := s.validate(&r, c); err != nil {
		return nil, err
	}
	leaf, err := sealReview(rev, s.Now())
	if err != nil {
		return nil, err
	}
	days, err := s.moveDays(tx, c, models.Latest(prior.Rulings), rev)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(store.Writes{Reviews: []*models.Review{rev}, Days: days, Leaves: []models.Leaf{leaf}}); err != nil {
		return nil, err
	}
	return rev, nil
}

// moveDays returns the days of c's cadre that change when c's latest
// ruling goes from was to now: c added to the regions it starts counting
// at, and the regions it stops counting at recomputed without it.
func (s *Service) moveDays(tx *store.EvidenceTx, c *models.CheckIn, was, now *models.Review) ([]models.PresenceDay, error) {
	before, after := CountingRegions(c, was), CountingRegions(c, now)
	var gained, lost []int64
	for _, r := range after {
		if !slices.Contains(before, r) {
			gained = append(gained, r)
		}
	}
	for _, r := range before {
		if !slices.Contains(after, r) {
			lost = append(lost, r)
		}
	}
	if len(gained)+len(lost) == 0 {
		return nil, nil
	}
	keys := make([]store.DayKey, 0, len(gained)+len(lost))
	for _, r := range append(slices.Clone(gained), lost...) {
		keys = append(keys, store.DayKey{UserID: c.UserID, Date: c.LocalDate, RegionID: r})
	}
	stored, err := tx.Days(keys)
	if err != nil {
		return nil, err
	}
	days := newDayTable(stored, s.Policy)
	for _, r := range gained {
		days.add(c.UserID, c.LocalDate, r, c.OccurredAt)
	}
	if len(lost) > 0 {
		all, err := tx.DayCheckIns(c.UserID, c.LocalDate)
		if err != nil {
			return nil, err
		}
		rest := slices.DeleteFunc(all, func(r store.Ruled) bool { return r.CheckIn.ID == c.ID })
		for _, r := range lost {
			days.set(c.UserID, recompute(rest, days.get(c.UserID, c.LocalDate, r)))
		}
	}
	return days.changedDays(), nil
}
