package graph

import (
	"encoding/json"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/graph/model"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/store"
)

func regionConn(rows []*models.Region, pi store.PageInfo) *model.RegionConnection {
	return &model.RegionConnection{PageInfo: pageInfo(pi), Edges: edges(rows, func(r *models.Region) int64 { return r.ID },
		func(c string, r *models.Region) *model.RegionEdge { return &model.RegionEdge{Cursor: c, Node: r} })}
}

func locateResult(res geofence.Result) *model.LocateResult {
	out := &model.LocateResult{Candidates: make([]*geofence.Candidate, len(res.Candidates)), Message: regions.Message(res)}
	for i := range res.Candidates {
		out.Candidates[i] = &res.Candidates[i]
	}
	out.Best = regions.Choose(res, nil)
	out.Ambiguous = regions.Ambiguous(res, out.Best)
	return out
}

func importResult(sum store.ImportSummary, warns []geofence.Warning) *model.ImportRegionsResult {
	out := &model.ImportRegionsResult{Created: sum.Created, Updated: sum.Updated, Unchanged: sum.Unchanged, Warnings: []string{}}
	for _, w := range warns {
		out.Warnings = append(out.Warnings, w.String())
	}
	return out
}

// metresPerDegree converts a simplification tolerance to degrees of
// latitude; good to a few per cent for a display tolerance.
const metresPerDegree = 111_320.0

// simplifyGeoJSON returns the stored geometry, simplified with
// Douglas–Peucker when toleranceM > 0. Negative tolerances are INVALID.
func simplifyGeoJSON(raw string, toleranceM *float64) (string, error) {
	if toleranceM == nil || *toleranceM == 0 {
		return raw, nil
	}
	if *toleranceM < 0 || *toleranceM > 100_000 {
		return "", models.E(models.CodeInvalid, "toleranceM must be between 0 and 100000")
	}
	g, err := geojson.UnmarshalGeometry([]byte(raw))
	if err != nil {
		return "", models.Wrap(models.CodeInternal, err, "stored geometry does not decode")
	}
	simple := simplify.DouglasPeucker(*toleranceM / metresPerDegree).Simplify(orb.Clone(g.Geometry()))
	b, err := json.Marshal(geojson.NewGeometry(simple))
	return string(b), err
}
