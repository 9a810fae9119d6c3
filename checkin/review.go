package checkin

import (
	"context"
	"strings"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Ruling is a supervisor's or inspector's decision on a check-in, with its
// reason. RegionID names the region a confirmation counts the check-in at
// when the check-in lies in no region (OUTSIDE); without it such a
// confirmation counts nowhere, and says so. Supersedes, for a ruling that
// supersedes another (Overturn), names the latest ruling the ruler read
// (nil: the check-in's automatic acceptance).
type Ruling struct {
	CheckInID  int64
	Decision   models.ReviewDecision
	Reason     string
	RegionID   *int64
	Supersedes *int64
}

// validate checks r against its check-in c: INVALID without a reason
// (1–1000 characters), for an unknown decision, or for a region named by a
// rejection or for a check-in recorded against a region (it counts
// there); NOT_FOUND for an unknown region.
func (s *Service) validate(r *Ruling, c *models.CheckIn) error {
	r.Reason = strings.TrimSpace(r.Reason)
	if r.Reason == "" || len(r.Reason) > 1000 {
		return models.E(models.CodeInvalid, "a ruling needs a reason of 1–1000 characters")
	}
	if r.Decision != models.ReviewConfirm && r.Decision != models.ReviewReject {
		return models.E(models.CodeInvalid, "unknown decision %q", r.Decision)
	}
	if r.RegionID == nil || c == nil {
		return nil
	}
	switch {
	case r.Decision != models.ReviewConfirm:
		return models.E(models.CodeInvalid, "only a confirmation names the region a check-in counts at")
	case c.RegionID != nil:
		return models.E(models.CodeInvalid, "check-in %d is recorded against region %d and counts there; a region is named only for one outside every region", c.ID, *c.RegionID)
	case s.Regions.Get(*r.RegionID) == nil:
		return models.E(models.CodeNotFound, "region %d not found", *r.RegionID)
	}
	return nil
}

// Review records the first ruling on a PENDING check-in, as a new row
// with its ledger leaf: the check-in is never edited. A confirmation makes
// it count where CountingRegions says — at its regions, or at the region
// the confirmation names for a check-in outside every region, or nowhere —
// adding it to those days in the same transaction. INVALID for a bad
// ruling (see Ruling); the refusals of store.BeginReview otherwise
// (FORBIDDEN, NOT_FOUND, CONFLICT).
func (s *Service) Review(ctx context.Context, p *authz.Principal, r Ruling) (*models.Review, error) {
	if err := s.validate(&r, nil); err != nil {
		return nil, err
	}
	tx, c, err := s.Store.BeginReview(ctx, p, r.CheckInID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.validate(&r, c); err != nil {
		return nil, err
	}
	rev := &models.Review{CheckInID: c.ID, Seq: 1, ReviewerID: p.UserID, Decision: r.Decision, RegionID: r.RegionID, Reason: r.Reason}
	leaf, err := sealReview(rev, s.Now())
	if err != nil {
		return nil, err
	}
	w := store.Writes{Reviews: []*models.Review{rev}, Leaves: []models.Leaf{leaf}}
	if regions := CountingRegions(c, rev); len(regions) > 0 {
		keys := make([]store.DayKey, len(regions))
		for i, region := range regions {
			keys[i] = store.DayKey{UserID: c.UserID, Date: c.LocalDate, RegionID: region}
		}
		stored, err := tx.Days(keys)
		if err != nil {
			return nil, err
		}
		days := newDayTable(stored, s.Policy)
		for _, region := range regions {
			days.add(c.UserID, c.LocalDate, region, c.OccurredAt)
		}
		w.Days = days.changedDays()
	}
	if err := tx.Commit(w); err != nil {
		return nil, err
	}
	return rev, nil
}

// CountingRegions returns the regions whose days check-in c adds to under
// its latest ruling (nil: none): none when its status with the ruling does
// not count; the region the ruling names, for a check-in outside every
// region; else CountsAt. A confirmed check-in outside every region that
// names no region counts nowhere.
func CountingRegions(c *models.CheckIn, latest *models.Review) []int64 {
	if !c.EffectiveStatus(latest).Counts() {
		return nil
	}
	if c.RegionID == nil && latest != nil && latest.RegionID != nil {
		return []int64{*latest.RegionID}
	}
	return CountsAt(c)
}

// recompute rebuilds the cadre's day at region on date from the day's
// check-ins that count there (each under its latest ruling), keeping the
// stored day's make-up: what a day is after a ruling takes a check-in out
// of it, exactly as folding the rest in one by one would have built it.
func recompute(rest []store.Ruled, stored models.PresenceDay) presence.DayStat {
	d := presence.StatOf(stored)
	out := presence.DayStat{RegionID: d.RegionID, Date: d.Date, MadeUp: d.MadeUp}
	for _, r := range rest {
		for _, region := range CountingRegions(r.CheckIn, r.Latest) {
			if region == d.RegionID {
				out = out.Add(r.CheckIn.OccurredAt)
			}
		}
	}
	return out
}
