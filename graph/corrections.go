package graph

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/makeup"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// correctionLoaders batch the lookups of the corrections' fields within a
// request.
type correctionLoaders struct {
	rulings     lazyLoader[[]*models.Review]         // by check-in id, oldest first
	actRulings  lazyLoader[[]*models.ActivityReview] // by activity id, oldest first
	makeUpParts lazyLoader[makeUpParts]              // by request id
	makeUps     lazyLoader[*models.MakeUp]
	withdrawals lazyLoader[*models.AbsenceWithdrawal] // by absence id
}

// makeUpParts are a request's photos and decision.
type makeUpParts struct {
	photos   []*models.MakeUpPhoto
	decision *models.MakeUpDecision
}

func (l *loaders) checkInRulings() *dataloadgen.Loader[int64, []*models.Review] {
	return l.corr.rulings.get(func(ctx context.Context, ids []int64) (map[int64][]*models.Review, error) {
		return l.s.RulingsByCheckIn(ctx, caller(ctx), ids)
	})
}

func (l *loaders) activityRulings() *dataloadgen.Loader[int64, []*models.ActivityReview] {
	return l.corr.actRulings.get(func(ctx context.Context, ids []int64) (map[int64][]*models.ActivityReview, error) {
		return l.s.ActivityRulings(ctx, caller(ctx), ids)
	})
}

func (l *loaders) makeUp() *dataloadgen.Loader[int64, *models.MakeUp] {
	return l.corr.makeUps.get(func(ctx context.Context, ids []int64) (map[int64]*models.MakeUp, error) {
		return l.s.MakeUpsByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) makeUpParts() *dataloadgen.Loader[int64, makeUpParts] {
	return l.corr.makeUpParts.get(func(ctx context.Context, ids []int64) (map[int64]makeUpParts, error) {
		p, err := l.s.MakeUpParts(ctx, caller(ctx), ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]makeUpParts, len(ids))
		for _, id := range ids {
			out[id] = makeUpParts{photos: p.Photos[id], decision: p.Decisions[id]}
		}
		return out, nil
	})
}

func (l *loaders) withdrawal() *dataloadgen.Loader[int64, *models.AbsenceWithdrawal] {
	return l.corr.withdrawals.get(func(ctx context.Context, ids []int64) (map[int64]*models.AbsenceWithdrawal, error) {
		return l.s.AbsenceWithdrawals(ctx, caller(ctx), ids)
	})
}

// userOf is the display name of a user a record the caller read names
// (a ruler, a decider): everyone who may read the record may see it.
func userOf(ctx context.Context, id int64) (*models.User, error) {
	u, err := load(ctx, loadersFrom(ctx).person(), id)
	if err == nil && u == nil {
		u = &models.User{ID: id}
	}
	return u, err
}

// makeUpStatus is a request's status, from its decision.
func makeUpStatus(ctx context.Context, m *models.MakeUp) (makeUpParts, models.MakeUpStatus, error) {
	parts, err := load(ctx, loadersFrom(ctx).makeUpParts(), m.ID)
	return parts, makeup.Status(parts.decision), err
}

func makeUpConn(rows []*models.MakeUp, pi store.PageInfo) *model.MakeUpRequestConnection {
	return &model.MakeUpRequestConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.MakeUp) int64 { return r.ID },
		func(c string, r *models.MakeUp) *model.MakeUpRequestEdge {
			return &model.MakeUpRequestEdge{Cursor: c, Node: r}
		})}
}

func absenceConn(rows []*models.Absence, pi store.PageInfo) *model.AbsenceConnection {
	return &model.AbsenceConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Absence) int64 { return r.ID },
		func(c string, r *models.Absence) *model.AbsenceEdge { return &model.AbsenceEdge{Cursor: c, Node: r} })}
}

func makeUpInput(in model.MakeUpInput) makeup.Input {
	out := makeup.Input{ClientID: in.ClientID, Date: in.Date, RegionID: in.RegionID, Reason: in.Reason,
		WitnessName: in.WitnessName, WitnessTitle: in.WitnessTitle}
	for _, u := range in.Photos {
		out.Photos = append(out.Photos, makeup.Photo{Filename: u.Filename, Open: opener(u)})
	}
	return out
}
