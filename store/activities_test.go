package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

var activitySeq atomic.Int64

// storeActivity stores a PENDING interview of user (as that user would,
// whatever its role) with one need and an interviewee with a contact.
func storeActivity(s *store.Store, user *models.User) (*store.NewActivity, error) {
	return storeActivityAs(s, user, models.ActivityPending)
}

// storeActivityAs stores an activity recorded with the given status.
func storeActivityAs(s *store.Store, user *models.User, status models.ActivityStatus) (*store.NewActivity, error) {
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
			Flags: "[]", Status: status, Topic: "t", ParticipantList: "[]", PolicyVersion: "test"},
		Interviewee: &models.Interviewee{Name: "x", Category: models.OrdinaryYouth, PhoneCipher: "sealed", PhoneMasked: "138****0000"},
		Needs:       []*models.Need{{Category: "EMPLOYMENT", Text: "jobs"}},
	}
	n.Leaf = mustLeaf(&models.ActivityRecord{Activity: n.Activity})
	return &n, tx.Commit([]store.NewActivity{n})
}

// mustLeaf is record's ledger leaf, which a record is stored with.
func mustLeaf(record any) models.Leaf {
	l, err := ledger.LeafOf(record)
	if err != nil {
		panic(err)
	}
	return l
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
		rev := &models.ActivityReview{ActivityID: n.Activity.ID, ReviewerID: p.UserID, Decision: models.ReviewReject, Reason: "matrix"}
		return s.ReviewActivity(context.Background(), p, rev, mustLeaf(rev))
	}
	exercisers[authz.RevealContact] = func(s *store.Store, p *authz.Principal, target *models.User) error {
		n, err := storeActivity(s, target)
		if err != nil {
			return err
		}
		rev := &models.ContactReveal{IntervieweeID: n.Interviewee.ID, ActorID: p.UserID, Reason: "call-back", Ref: fmt.Sprintf("r-%d", activitySeq.Add(1))}
		_, err = s.RecordReveal(context.Background(), p, rev, mustLeaf(rev))
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
