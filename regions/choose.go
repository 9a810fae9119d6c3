package regions

import (
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

// Choose picks the region a fix is recorded against among the INSIDE and
// BOUNDARY candidates of res: one in mine (the cadre's assignments that
// day; nil for none) first, then INSIDE before BOUNDARY, then a campus
// before the county around it (the more specific place), then the region
// holding the point deepest before a neighbour (nearest). It returns nil
// when every candidate is OUTSIDE. The order of res breaks remaining ties,
// so the answer is deterministic.
func Choose(res geofence.Result, mine map[int64]bool) *geofence.Candidate {
	var best *geofence.Candidate
	for i := range res.Candidates {
		c := &res.Candidates[i]
		if c.Verdict != geofence.Outside && (best == nil || preferred(c, best, mine)) {
			best = c
		}
	}
	return best
}

// Ambiguous reports whether the point lies in no region of the chosen
// region's kind or in more than one — the data's gaps and overlaps at city
// borders — so a reviewer should look rather than trust the choice. A
// campus inside its county is not ambiguous.
func Ambiguous(res geofence.Result, chosen *geofence.Candidate) bool {
	if chosen == nil {
		return false
	}
	n := 0
	for _, c := range res.Candidates {
		if c.Contains && c.Region.Kind == chosen.Region.Kind {
			n++
		}
	}
	return n != 1
}

// preferred reports whether a is a better region to record than b.
func preferred(a, b *geofence.Candidate, mine map[int64]bool) bool {
	if mine[a.Region.ID] != mine[b.Region.ID] {
		return mine[a.Region.ID]
	}
	if (a.Verdict == geofence.Inside) != (b.Verdict == geofence.Inside) {
		return a.Verdict == geofence.Inside
	}
	if a.Region.Kind != b.Region.Kind {
		return a.Region.Kind == models.RegionCampus
	}
	if a.Contains != b.Contains {
		return a.Contains
	}
	if a.Contains {
		return a.EdgeDistanceM > b.EdgeDistanceM
	}
	return a.EdgeDistanceM < b.EdgeDistanceM
}
