package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

var activitySeq atomic.Int64

// storeActivity stores a PENDING interview of user (as that user would,
// whatever its role) with one need and an interviewee with a contact.
func storeActivity(s *store.Store, user *models.User) (*store.NewActivity, error) {
	ctx := context.Background()
	as := &authz.Principal{UserID: user.ID, Role: models.RoleCadre, OrgUnitID: user.OrgUnitID}
	id := fmt.Sprintf("a-%d", activitySeq.Add(1))
	tx, _, err := s.BeginActivities(ctx, as, []string{id}, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	at := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	n := store.NewActivity{
		Activity: &models.Activity{UserID: user.ID, ClientID: id, PayloadHash: "h", Kind: models.KindInterviewYouth, CoordSystem: "GCJ02",
			DeviceID: "phone-1", DeviceTime: at, ReceivedAt: at, OccurredAt: at, LocalDate: "2026-11-02", Verdict: "OUTSIDE",
			Flags: "[]", Status: models.ActivityPending, Topic: "t", ParticipantList: "[]", PolicyVersion: "test"},
		Interviewee: &models.Interviewee{Name: "x", Category: models.OrdinaryYouth, PhoneCipher: "sealed", PhoneMasked: "138****0000"},
		Needs:       []*models.Need{{Category: "EMPLOYMENT", Text: "jobs"}},
	}
	return &n, tx.Commit([]store.NewActivity{n})
}

func init() {
	// Activities are recorded only by the signed-in cadre itself, as
	// check-ins are.
	exercisers[authz.RecordActivity] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID != p.UserID {
			return models.E(models.CodeForbidden, "activities are recorded for oneself only")
		}
		tx, _, err := s.BeginActivities(context.Background(), p, []string{"exercise"}, nil)
		if err == nil {
			tx.Rollback()
		}
		return err
	}
	exercisers[authz.ReadActivities] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		n, err := storeActivity(s, target)
		if err != nil {
			return err
		}
		got, err := s.ActivitiesByID(context.Background(), p, []int64{n.Activity.ID})
		if err == nil && got[n.Activity.ID] == nil {
			return models.E(models.CodeNotFound, "not visible")
		}
		return err
	}
	exercisers[authz.ReviewActivity] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		if target.ID == p.UserID {
			return s.CheckUnit(context.Background(), p, authz.ReviewActivity, target.OrgUnitID)
		}
		n, err := storeActivity(s, target)
		if err != nil {
			return err
		}
		return s.ReviewActivity(context.Background(), p, &models.ActivityReview{ActivityID: n.Activity.ID, Decision: models.ReviewReject, Reason: "matrix"})
	}
	exercisers[authz.RevealContact] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		n, err := storeActivity(s, target)
		if err != nil {
			return err
		}
		_, err = s.RecordReveal(context.Background(), p, n.Interviewee.ID, "call-back")
		return err
	}
	exercisers[authz.WriteFollowUps] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		n, err := storeActivity(s, target)
		if err != nil {
			return err
		}
		_, err = s.OpenFollowUp(context.Background(), p, n.Needs[0].ID, target.ID, "called the county")
		return err
	}
}
