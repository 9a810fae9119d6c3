package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/models"
)

// The access log's hook is here, in one place: a field middleware sees
// every value any field resolves, root or nested, and notes each that is a
// cadre's presence evidence or activity (by its type); once the operation
// is answered, the reads noted are recorded (accesslog.Log) before the
// answer leaves, and an answer whose reads could not be recorded is
// replaced by UNAVAILABLE. Reveals of a contact and photos are logged by
// their own use cases (activity.Service), which return no typed record.

// reads collects one request's reads.
type reads struct {
	mu   sync.Mutex
	seen map[models.AccessRead]bool
	list []models.AccessRead
}

func (r *reads) add(cadre int64, what models.AccessWhat, query string) {
	read := models.AccessRead{CadreID: cadre, What: what, Query: query}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen[read] {
		r.seen[read] = true
		r.list = append(r.list, read)
	}
}

func readsFrom(ctx context.Context) *reads {
	r, _ := ctx.Value(keyReads).(*reads)
	return r
}

// noteReads is the field middleware: it resolves the field, then notes
// what cadre data the value holds. A nil pointer in an interface is a
// value too (an item's absent result): it holds none.
func noteReads(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	r := readsFrom(ctx)
	if r == nil {
		return res, err
	}
	note := func(cadre int64, what models.AccessWhat) { r.add(cadre, what, queryName(ctx)) }
	switch v := res.(type) {
	case *models.CheckIn:
		if v != nil {
			note(v.UserID, models.AccessPresence)
		}
	case []*models.CheckIn:
		for _, c := range v {
			if c != nil {
				note(c.UserID, models.AccessPresence)
			}
		}
	case *models.PresenceDay:
		if v != nil {
			note(v.UserID, models.AccessPresence)
		}
	case []*models.PresenceDay:
		for _, d := range v {
			if d != nil {
				note(d.UserID, models.AccessPresence)
			}
		}
	case *checkin.QuarterPresence:
		if v != nil {
			note(v.UserID, models.AccessPresence)
		}
	case *checkin.Result:
		if v != nil && v.CheckIn != nil {
			note(v.CheckIn.UserID, models.AccessPresence)
		}
	case *models.Activity:
		if v != nil {
			note(v.UserID, models.AccessActivities)
		}
	case []*models.Activity:
		for _, a := range v {
			if a != nil {
				note(a.UserID, models.AccessActivities)
			}
		}
	case *activity.Result:
		if v != nil && v.Activity != nil {
			note(v.Activity.UserID, models.AccessActivities)
		}
	case *activity.Summary:
		if v != nil {
			note(v.UserID, models.AccessActivities)
		}
	case *models.FollowUp:
		if v != nil {
			note(v.UserID, models.AccessActivities)
		}
	case *evidencelog.Entry:
		if v == nil {
			break
		}
		switch v.Key.Kind {
		case models.LeafCheckIn:
			note(v.Key.Num, models.AccessPresence)
		case models.LeafActivity:
			note(v.Key.Num, models.AccessActivities)
		}
	}
	return res, err
}

// queryName names the query a field belongs to for the log: its root
// field, and the operation's name when it has one ("presence (Review)").
func queryName(ctx context.Context) string {
	name := ""
	if rc := graphql.GetRootFieldContext(ctx); rc != nil {
		name = rc.Field.Name
	}
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.OperationName != "" {
		name += " (" + oc.OperationName + ")"
	}
	return name
}

// recordReads is the response middleware: after the operation is answered
// it records the reads noted, and withholds the answer when it cannot.
func recordReads(d Deps) graphql.ResponseMiddleware {
	present := presenter(d.Log)
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		r := readsFrom(ctx)
		if resp == nil || r == nil || d.Access == nil {
			return resp
		}
		r.mu.Lock()
		list := r.list
		r.list, r.seen = nil, map[models.AccessRead]bool{}
		r.mu.Unlock()
		if len(list) == 0 {
			return resp
		}
		p, _ := principal(ctx)
		if err := d.Access.Record(ctx, p, list); err != nil {
			return &graphql.Response{Errors: gqlerror.List{present(ctx, err)}}
		}
		return resp
	}
}
