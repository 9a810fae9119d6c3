package graph

import (
	"context"
	"errors"

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

// effectiveStatus is a check-in's status with its review applied.
func effectiveStatus(c *models.CheckIn, rev *models.Review) models.CheckInStatus {
	switch {
	case rev == nil:
		return c.Status
	case rev.Decision == models.ReviewConfirm:
		return models.CheckInConfirmed
	}
	return models.CheckInRejected
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
	c := &model.CheckInConnection{PageInfo: pageInfo(pi), Edges: make([]*model.CheckInEdge, len(rows))}
	for i, r := range rows {
		c.Edges[i] = &model.CheckInEdge{Cursor: store.Cursor(r.ID), Node: r}
	}
	return c
}

func workGroupConn(rows []*models.WorkGroup, pi store.PageInfo) *model.WorkGroupConnection {
	c := &model.WorkGroupConnection{PageInfo: pageInfo(pi), Edges: make([]*model.WorkGroupEdge, len(rows))}
	for i, r := range rows {
		c.Edges[i] = &model.WorkGroupEdge{Cursor: store.Cursor(r.ID), Node: r}
	}
	return c
}

func assignmentConn(rows []*models.Assignment, pi store.PageInfo) *model.AssignmentConnection {
	c := &model.AssignmentConnection{PageInfo: pageInfo(pi), Edges: make([]*model.AssignmentEdge, len(rows))}
	for i, r := range rows {
		c.Edges[i] = &model.AssignmentEdge{Cursor: store.Cursor(r.ID), Node: r}
	}
	return c
}
