package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/vikstrous/dataloadgen"

	"github.com/henan-youth/onsite/anomaly"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/inspect"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/spotcheck"
	"github.com/henan-youth/onsite/store"
)

// inspectLoaders batch the lookups of the discipline group's records
// within a request.
type inspectLoaders struct {
	items       lazyLoader[*models.SpotCheckCandidate]
	findings    lazyLoader[[]*models.Finding]  // by item id
	escalations lazyLoader[*models.Escalation] // by finding id
}

func (l *loaders) spotCheckItem() *dataloadgen.Loader[int64, *models.SpotCheckCandidate] {
	return l.inspect.items.get(func(ctx context.Context, ids []int64) (map[int64]*models.SpotCheckCandidate, error) {
		return l.s.SpotCheckItemsByID(ctx, caller(ctx), ids)
	})
}

func (l *loaders) itemFindings() *dataloadgen.Loader[int64, []*models.Finding] {
	return l.inspect.findings.get(func(ctx context.Context, ids []int64) (map[int64][]*models.Finding, error) {
		return l.s.FindingsByItem(ctx, caller(ctx), ids)
	})
}

func (l *loaders) escalation() *dataloadgen.Loader[int64, *models.Escalation] {
	return l.inspect.escalations.get(func(ctx context.Context, ids []int64) (map[int64]*models.Escalation, error) {
		return l.s.EscalationsOf(ctx, caller(ctx), ids)
	})
}

// escalationTargets maps the GraphQL targets to the ledger's kinds.
var escalationTargets = map[model.EscalationTarget]models.LeafKind{
	model.EscalationTargetCheckIn:  models.LeafCheckIn,
	model.EscalationTargetActivity: models.LeafActivity,
}

// drawInput reads a SpotCheckInput; INVALID for a stratum sized twice.
func drawInput(in model.SpotCheckInput) (inspect.DrawInput, error) {
	plan := spotcheck.Plan{By: in.Strata, PerStratum: in.PerStratum}
	for _, s := range in.Sizes {
		if plan.Sizes == nil {
			plan.Sizes = map[string]int{}
		}
		if _, dup := plan.Sizes[s.Stratum]; dup {
			return inspect.DrawInput{}, models.E(models.CodeInvalid, "stratum %q sized twice", s.Stratum)
		}
		plan.Sizes[s.Stratum] = s.Size
	}
	return inspect.DrawInput{ClientID: in.ClientID, OrgUnitID: in.OrgUnitID, From: in.From, To: in.To, Plan: plan,
		Seed: deref(in.Seed), Notes: deref(in.Notes)}, nil
}

func spotCheckConn(rows []*models.SpotCheck, pi store.PageInfo) *model.SpotCheckConnection {
	return &model.SpotCheckConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.SpotCheck) int64 { return r.ID },
		func(c string, r *models.SpotCheck) *model.SpotCheckEdge {
			return &model.SpotCheckEdge{Cursor: c, Node: r}
		})}
}

func spotCheckItemConn(rows []*models.SpotCheckCandidate, pi store.PageInfo) *model.SpotCheckItemConnection {
	return &model.SpotCheckItemConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.SpotCheckCandidate) int64 { return r.ID },
		func(c string, r *models.SpotCheckCandidate) *model.SpotCheckItemEdge {
			return &model.SpotCheckItemEdge{Cursor: c, Node: r}
		})}
}

func findingConn(rows []*models.Finding, pi store.PageInfo) *model.FindingConnection {
	return &model.FindingConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Finding) int64 { return r.ID },
		func(c string, r *models.Finding) *model.FindingEdge { return &model.FindingEdge{Cursor: c, Node: r} })}
}

func accessConn(rows []*models.AccessEntry, pi store.PageInfo) *model.AccessEntryConnection {
	return &model.AccessEntryConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.AccessEntry) int64 { return r.ID },
		func(c string, r *models.AccessEntry) *model.AccessEntryEdge {
			return &model.AccessEntryEdge{Cursor: c, Node: r}
		})}
}

// riskConn pages a ranking computed in memory by position: the cursor is
// the position of the page's last cadre (1-based).
func riskConn(ranked []anomaly.Risk, first *int, after *string) (*model.CadreRiskConnection, error) {
	p := page(first, after)
	n := p.First
	if n == 0 {
		n = store.DefaultPageSize
	}
	if n < 1 || n > store.MaxPageSize {
		return nil, models.E(models.CodeInvalid, "first must be between 1 and %d", store.MaxPageSize)
	}
	start := 0
	if p.After != "" {
		pos, err := store.ParseCursor(p.After)
		if err != nil {
			return nil, err
		}
		start = int(min(pos, int64(len(ranked))))
	}
	end := min(start+n, len(ranked))
	out := &model.CadreRiskConnection{PageInfo: &model.PageInfo{HasNextPage: end < len(ranked)}, Edges: []*model.CadreRiskEdge{}}
	for i := start; i < end; i++ {
		out.Edges = append(out.Edges, &model.CadreRiskEdge{Cursor: store.Cursor(int64(i + 1)), Node: &ranked[i]})
	}
	if end > start {
		c := store.Cursor(int64(end))
		out.PageInfo.EndCursor = &c
	}
	return out, nil
}

// documentPath is where a draw's document is served.
func documentPath(id int64) string {
	return "/inspect/spot-checks/" + strconv.FormatInt(id, 10) + "/document"
}

// SpotCheckDocumentHandler serves GET /inspect/spot-checks/{id}/document:
// a draw's document (spotcheck.Document) as JSON, to the discipline group
// with the same bearer token as /graphql, for verify-spot-check on an
// inspector's own machine. 404 for a draw the caller may not see.
func SpotCheckDocumentHandler(d Deps) http.Handler {
	return withCaller(d, func(w http.ResponseWriter, r *http.Request, p *authz.Principal) {
		ctx := r.Context()
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var doc *spotcheck.Document
		if err == nil {
			doc, err = d.Inspect.Document(ctx, p, id)
		}
		if err != nil {
			code := models.CodeOf(err)
			status := map[models.Code]int{models.CodeNotFound: http.StatusNotFound, models.CodeInvalid: http.StatusNotFound,
				models.CodeForbidden: http.StatusNotFound, models.CodeUnavailable: http.StatusServiceUnavailable}[code]
			if status == 0 {
				d.Log.ErrorContext(ctx, "spot-check document", "request_id", RequestID(ctx), "err", err)
				status, code = http.StatusInternalServerError, models.CodeInternal
			}
			if code == models.CodeInvalid || code == models.CodeForbidden {
				code = models.CodeNotFound
			}
			writeError(w, status, code, http.StatusText(status))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Cache-Control", "private, no-store")
		h.Set("Content-Disposition", "attachment; filename=\"spot-check-"+strconv.FormatInt(id, 10)+".json\"")
		json.NewEncoder(w).Encode(doc)
	})
}
