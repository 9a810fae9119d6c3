package graph

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

func activityInput(in model.ActivityInput) activity.Input {
	out := activity.Input{ClientID: in.ClientID, Kind: in.Kind, Lat: in.Lat, Lon: in.Lon, AccuracyM: in.Accuracy,
		CoordSystem: in.CoordSystem, DeviceTime: in.DeviceTime, MockLocation: in.MockLocation, Topic: in.Topic,
		Notes: deref(in.Notes), HostOrg: deref(in.HostOrganisation), Attendees: in.ParticipantList, Corrects: in.Corrects}
	if in.Participants != nil {
		out.Participants = *in.Participants
	}
	if iv := in.Interviewee; iv != nil {
		out.Interviewee = &activity.IntervieweeInput{Name: iv.Name, AgeBand: deref(iv.AgeBand), Occupation: deref(iv.Occupation),
			Organisation: deref(iv.Organisation), Place: deref(iv.Place), Phone: deref(iv.Phone), Consent: iv.PhoneConsent}
	}
	for _, n := range in.Needs {
		out.Needs = append(out.Needs, activity.NeedInput{Category: n.Category, Text: n.Text})
	}
	for _, u := range in.Photos {
		out.Photos = append(out.Photos, activity.Photo{Filename: u.Filename, Size: u.Size, Open: opener(u)})
	}
	return out
}

// opener reads an upload once: gqlgen hands each file as a reader.
func opener(u *graphql.Upload) func() (io.Reader, error) {
	return func() (io.Reader, error) { return u.File, nil }
}

func activityConn(rows []*models.Activity, pi store.PageInfo) *model.ActivityConnection {
	return &model.ActivityConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Activity) int64 { return r.ID },
		func(c string, r *models.Activity) *model.ActivityEdge { return &model.ActivityEdge{Cursor: c, Node: r} })}
}

func followUpConn(rows []*models.FollowUp, pi store.PageInfo) *model.FollowUpConnection {
	return &model.FollowUpConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.FollowUp) int64 { return r.ID },
		func(c string, r *models.FollowUp) *model.FollowUpEdge { return &model.FollowUpEdge{Cursor: c, Node: r} })}
}

func youthWorkConn(rows []*activity.Summary, pi store.PageInfo) *model.YouthWorkConnection {
	return &model.YouthWorkConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *activity.Summary) int64 { return r.UserID },
		func(c string, r *activity.Summary) *model.YouthWorkEdge {
			return &model.YouthWorkEdge{Cursor: c, Node: r}
		})}
}

// activityLoaders batch the lookups of activity fields within a request.
type activityLoaders struct {
	svc       *activity.Service
	rows      lazyLoader[*models.Activity]
	counts    lazyLoader[activity.Count]
	parts     lazyLoader[activityParts]
	followUps lazyLoader[*models.FollowUp] // by need id
	needs     lazyLoader[*models.Need]
	reveals   lazyLoader[[]*models.ContactReveal] // by interviewee id
}

// activityParts are an activity's interviewee, needs and photos.
type activityParts struct {
	interviewee *models.Interviewee
	needs       []*models.Need
	photos      []*models.ActivityPhoto
}

func (l *loaders) activity() *dataloadgen.Loader[int64, *models.Activity] {
	return l.acts.rows.get(func(ctx context.Context, ids []int64) (map[int64]*models.Activity, error) {
		return l.s.ActivitiesByID(ctx, caller(ctx), ids)
	})
}

// activityCount is whether an activity counts, decided for a batch at once.
func (l *loaders) activityCount() *dataloadgen.Loader[int64, activity.Count] {
	return l.acts.counts.get(func(ctx context.Context, ids []int64) (map[int64]activity.Count, error) {
		rows, err := l.s.ActivitiesByID(ctx, caller(ctx), ids)
		if err != nil {
			return nil, err
		}
		list := make([]*models.Activity, 0, len(rows))
		for _, a := range rows {
			list = append(list, a)
		}
		return l.acts.svc.Counts(ctx, caller(ctx), list)
	})
}

// primeCounts stores counts already computed (a list's), so its fields
// read them without another query.
func (l *loaders) primeCounts(counts map[int64]activity.Count) {
	ld := l.activityCount()
	for id, c := range counts {
		ld.Prime(id, c)
	}
}

func (l *loaders) activityParts() *dataloadgen.Loader[int64, activityParts] {
	return l.acts.parts.get(func(ctx context.Context, ids []int64) (map[int64]activityParts, error) {
		p, err := l.s.ActivityParts(ctx, caller(ctx), ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]activityParts, len(ids))
		for _, id := range ids {
			out[id] = activityParts{interviewee: p.Interviewees[id], needs: p.Needs[id], photos: p.Photos[id]}
		}
		return out, nil
	})
}

func (l *loaders) followUpOfNeed() *dataloadgen.Loader[int64, *models.FollowUp] {
	return l.acts.followUps.get(func(ctx context.Context, ids []int64) (map[int64]*models.FollowUp, error) {
		return l.s.FollowUpsByNeed(ctx, caller(ctx), ids)
	})
}

func (l *loaders) need() *dataloadgen.Loader[int64, *models.Need] {
	return l.acts.needs.get(func(ctx context.Context, ids []int64) (map[int64]*models.Need, error) {
		return l.s.NeedsByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) contactReveals() *dataloadgen.Loader[int64, []*models.ContactReveal] {
	return l.acts.reveals.get(func(ctx context.Context, ids []int64) (map[int64][]*models.ContactReveal, error) {
		return l.s.ContactRevealsOf(ctx, caller(ctx), ids)
	})
}

// countOf returns an activity's count through the loader.
func countOf(ctx context.Context, a *models.Activity) (activity.Count, error) {
	return loadersFrom(ctx).activityCount().Load(ctx, a.ID)
}

// partsOf returns an activity's parts through the loader.
func partsOf(ctx context.Context, a *models.Activity) (activityParts, error) {
	return load(ctx, loadersFrom(ctx).activityParts(), a.ID)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
