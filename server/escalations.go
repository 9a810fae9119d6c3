package main

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// escalations is the discipline group's Overturner: an escalation rejects
// the check-in or activity it names with a ruling of the corrections
// (checkin.Service.Overturn, activity.Service.Overturn; Review when the
// record still waits for its first ruling). The ruling's reason names the
// escalation, so a resent escalation finds its ruling as the latest and
// rules nothing twice.
type escalations struct {
	store    *store.Store
	checkins *checkin.Service
	acts     *activity.Service
}

// Overturn rejects e's target unless its latest ruling is e's already.
func (o escalations) Overturn(ctx context.Context, p *authz.Principal, e *models.Escalation) error {
	reason := escalationReason(e)
	switch e.TargetKind {
	case models.LeafCheckIn:
		return o.checkIn(ctx, p, e.TargetID, reason)
	case models.LeafActivity:
		return o.activity(ctx, p, e.TargetID, reason)
	}
	return models.E(models.CodeInvalid, "a check-in or an activity is overturned")
}

func (o escalations) checkIn(ctx context.Context, p *authz.Principal, id int64, reason string) error {
	rulings, err := o.store.RulingsByCheckIn(ctx, p, []int64{id})
	if err != nil {
		return err
	}
	latest := models.Latest(rulings[id])
	r := checkin.Ruling{CheckInID: id, Decision: models.ReviewReject, Reason: reason}
	switch {
	case latest != nil && latest.Reason == reason && latest.Decision == models.ReviewReject:
		return nil // ruled already: a resend
	case latest != nil:
		r.Supersedes = &latest.ID
		_, err = o.checkins.Overturn(ctx, p, r)
		return err
	}
	checkIns, err := o.store.CheckInsByID(ctx, p, []int64{id})
	if err != nil {
		return err
	}
	if c := checkIns[id]; c != nil && c.Status == models.CheckInPending {
		_, err = o.checkins.Review(ctx, p, r)
	} else {
		_, err = o.checkins.Overturn(ctx, p, r)
	}
	return err
}

func (o escalations) activity(ctx context.Context, p *authz.Principal, id int64, reason string) error {
	rulings, err := o.store.ActivityRulings(ctx, p, []int64{id})
	if err != nil {
		return err
	}
	var latest *models.ActivityReview
	for _, r := range rulings[id] {
		if latest == nil || r.Seq > latest.Seq {
			latest = r
		}
	}
	switch {
	case latest != nil && latest.Reason == reason && latest.Decision == models.ReviewReject:
		return nil
	case latest != nil:
		_, err = o.acts.Overturn(ctx, p, id, &latest.ID, models.ReviewReject, reason)
		return err
	}
	acts, err := o.store.ActivitiesByID(ctx, p, []int64{id})
	if err != nil {
		return err
	}
	if a := acts[id]; a != nil && a.Status == models.ActivityPending {
		_, err = o.acts.Review(ctx, p, id, models.ReviewReject, reason)
	} else {
		_, err = o.acts.Overturn(ctx, p, id, nil, models.ReviewReject, reason)
	}
	return err
}

// escalationReason is the ruling's reason: the escalation's id and its
// reason, cut to the 1000 characters a ruling's reason holds.
func escalationReason(e *models.Escalation) string {
	s := fmt.Sprintf("纪检监察组核查（升级 %d）：%s", e.ID, e.Reason)
	for len(s) > 1000 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}
