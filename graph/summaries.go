package graph

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// summaryLoaders batch the lookups of summary fields within a request.
type summaryLoaders struct {
	versions lazyLoader[[]*models.SummaryVersion] // by summary id, oldest first
	reviews  lazyLoader[*models.SummaryReview]    // by version id
}

func (l *loaders) summaryVersions() *dataloadgen.Loader[int64, []*models.SummaryVersion] {
	return l.sums.versions.get(func(ctx context.Context, ids []int64) (map[int64][]*models.SummaryVersion, error) {
		return l.s.SummaryVersions(ctx, caller(ctx), ids)
	})
}

func (l *loaders) summaryReview() *dataloadgen.Loader[int64, *models.SummaryReview] {
	return l.sums.reviews.get(func(ctx context.Context, ids []int64) (map[int64]*models.SummaryReview, error) {
		return l.s.SummaryReviews(ctx, caller(ctx), ids)
	})
}

// versionsOf returns a summary's versions, oldest first.
func versionsOf(ctx context.Context, sm *models.Summary) ([]*models.SummaryVersion, error) {
	if sm.Versions == 0 {
		return []*models.SummaryVersion{}, nil
	}
	vs, err := load(ctx, loadersFrom(ctx).summaryVersions(), sm.ID)
	if vs == nil {
		vs = []*models.SummaryVersion{}
	}
	return vs, err
}

func summaryConn(rows []*models.Summary, pi store.PageInfo) *model.SummaryConnection {
	return &model.SummaryConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Summary) int64 { return r.ID },
		func(c string, r *models.Summary) *model.SummaryEdge { return &model.SummaryEdge{Cursor: c, Node: r} })}
}

func notificationConn(rows []*models.Notification, pi store.PageInfo) *model.NotificationConnection {
	return &model.NotificationConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Notification) int64 { return r.ID },
		func(c string, r *models.Notification) *model.NotificationEdge {
			return &model.NotificationEdge{Cursor: c, Node: r}
		})}
}

func submission(sm *models.Summary, v *models.SummaryVersion, replayed bool) *model.SummarySubmission {
	return &model.SummarySubmission{Summary: sm, Version: v, Replayed: replayed}
}

// kindOf reads a list's period: quarterly summaries of a quarter, or
// without one the year's annual reports.
func kindOf(quarter *int) (models.SummaryKind, int) {
	if quarter == nil {
		return models.SummaryAnnual, 0
	}
	return models.SummaryQuarterly, *quarter
}

func reportContent(in model.ReportSectionsInput) models.SummaryContent {
	return models.SummaryContent{WorkDone: in.WorkDone, Results: in.Results, Experience: in.Experience, Support: in.Support}
}
