package regions

import (
	"testing"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

func cand(id int64, kind models.RegionKind, v geofence.Verdict, contains bool, dist float64) geofence.Candidate {
	return geofence.Candidate{Region: &geofence.Region{ID: id, Kind: kind, Code: string(rune('A' + id))},
		Verdict: v, Contains: contains, EdgeDistanceM: dist}
}

// TestChoose: the order a check-in's region is chosen in — assigned first,
// INSIDE before BOUNDARY, campus before county, own region before a
// neighbour — and when the point is ambiguous.
func TestChoose(t *testing.T) {
	const county, campus = models.RegionCounty, models.RegionCampus
	in, edge, out := geofence.Inside, geofence.Boundary, geofence.Outside
	tests := []struct {
		name          string
		cands         []geofence.Candidate
		mine          map[int64]bool
		want          int64 // 0: none
		wantAmbiguous bool
	}{
		{"nothing near", nil, nil, 0, false},
		{"only outside candidates", []geofence.Candidate{cand(1, county, out, false, 30)}, nil, 0, false},
		{"one county", []geofence.Candidate{cand(1, county, in, true, 500)}, nil, 1, false},
		{"campus inside its county", []geofence.Candidate{cand(1, county, in, true, 3000), cand(2, campus, in, true, 400)}, nil, 2, false},
		{"assigned county beats an unassigned campus", []geofence.Candidate{cand(1, county, in, true, 3000), cand(2, campus, in, true, 400)}, map[int64]bool{1: true}, 1, false},
		{"assigned boundary beats unassigned inside", []geofence.Candidate{cand(1, county, in, true, 900), cand(2, county, edge, false, 40)}, map[int64]bool{2: true}, 2, false},
		{"inside beats boundary", []geofence.Candidate{cand(1, county, edge, true, 10), cand(2, county, in, true, 50)}, nil, 2, true},
		{"on the border: own county before neighbour", []geofence.Candidate{cand(1, county, edge, false, 12), cand(2, county, edge, true, 12)}, nil, 2, false},
		{"in a gap between counties: nearest", []geofence.Candidate{cand(1, county, edge, false, 30), cand(2, county, edge, false, 8)}, nil, 2, true},
		{"in an overlap: deepest", []geofence.Candidate{cand(1, county, edge, true, 3), cand(2, county, edge, true, 9)}, nil, 2, true},
	}
	for _, tc := range tests {
		res := geofence.Result{Candidates: tc.cands}
		got := Choose(res, tc.mine)
		var gotID int64
		if got != nil {
			gotID = got.Region.ID
		}
		if gotID != tc.want {
			t.Errorf("%s: chose %d, want %d", tc.name, gotID, tc.want)
		}
		if amb := Ambiguous(res, got); amb != tc.wantAmbiguous {
			t.Errorf("%s: ambiguous = %v, want %v", tc.name, amb, tc.wantAmbiguous)
		}
	}
}
