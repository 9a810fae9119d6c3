package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func checkInInput(in model.CheckInInput) checkin.Input {
	return checkin.Input{ClientID: in.ClientID, Lat: in.Lat, Lon: in.Lon, AccuracyM: in.Accuracy, CoordSystem: in.CoordSystem,
		DeviceTime: in.DeviceTime, MockLocation: in.MockLocation, Altitude: in.Altitude, Speed: in.Speed, Provider: deref(in.Provider)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ptrs[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// effectiveStatus is a check-in's status with its latest ruling applied.
func effectiveStatus(c *models.CheckIn, rev *models.Review) models.CheckInStatus {
	return c.EffectiveStatus(rev)
}

// presentable is the client-safe message of a per-item error: a domain
// error's message, or "internal error (request id …)" with the detail
// logged, exactly as the error presenter does for whole fields.
func (r *Resolver) presentable(ctx context.Context, err error) string {
	var me *models.Error
	if errors.As(err, &me) && me.Code != models.CodeInternal {
		return me.Message
	}
	r.deps.Log.ErrorContext(ctx, "internal error", "request_id", RequestID(ctx), "err", err)
	return "internal error (request id " + RequestID(ctx) + ")"
}

func checkInConn(rows []*models.CheckIn, pi store.PageInfo) *model.CheckInConnection {
	return &model.CheckInConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.CheckIn) int64 { return r.ID },
		func(c string, r *models.CheckIn) *model.CheckInEdge { return &model.CheckInEdge{Cursor: c, Node: r} })}
}

func workGroupConn(rows []*models.WorkGroup, pi store.PageInfo) *model.WorkGroupConnection {
	return &model.WorkGroupConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.WorkGroup) int64 { return r.ID },
		func(c string, r *models.WorkGroup) *model.WorkGroupEdge {
			return &model.WorkGroupEdge{Cursor: c, Node: r}
		})}
}

func assignmentConn(rows []*models.Assignment, pi store.PageInfo) *model.AssignmentConnection {
	return &model.AssignmentConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Assignment) int64 { return r.ID },
		func(c string, r *models.Assignment) *model.AssignmentEdge {
			return &model.AssignmentEdge{Cursor: c, Node: r}
		})}
}

// reviewerOf returns who ruled on a review, for its name and role, which
// everyone who may read the review may see; the account itself
// (Review.reviewer) only its readers. Users are never deleted, so a
// missing reviewer is a bug.
func reviewerOf(ctx context.Context, rev *models.Review) (*models.User, error) {
	u, err := load(ctx, loadersFrom(ctx).person(), rev.ReviewerID)
	if err == nil && u == nil {
		err = fmt.Errorf("review %d: reviewer %d not found", rev.ID, rev.ReviewerID)
	}
	return u, err
}
