package checkin

import (
	"slices"
	"testing"

	"github.com/henan-youth/onsite/models"
)

// TestCountingRegions: a check-in adds to the days of its regions while
// its latest ruling lets it count; a confirmation of one outside every
// region counts at the region it names, or nowhere; a region named for a
// check-in that has one changes nothing.
func TestCountingRegions(t *testing.T) {
	county, campus, named := int64(7), int64(9), int64(11)
	inside := &models.CheckIn{RegionID: &campus, Status: models.CheckInAccepted,
		Located: models.Located{{RegionID: campus, Verdict: "INSIDE"}, {RegionID: county, Verdict: "INSIDE"}}}
	edge := &models.CheckIn{RegionID: &county, Status: models.CheckInPending, Located: models.Located{{RegionID: county, Verdict: "BOUNDARY"}}}
	outside := &models.CheckIn{Status: models.CheckInPending}
	confirm := &models.Review{Seq: 1, Decision: models.ReviewConfirm}
	reject := &models.Review{Seq: 2, Decision: models.ReviewReject}
	confirmAt := &models.Review{Seq: 1, Decision: models.ReviewConfirm, RegionID: &named}
	for _, c := range []struct {
		name   string
		c      *models.CheckIn
		latest *models.Review
		want   []int64
	}{
		{"accepted: its region and the county around it", inside, nil, []int64{campus, county}},
		{"accepted, then struck", inside, reject, nil},
		{"accepted, struck, restored", inside, &models.Review{Seq: 3, Decision: models.ReviewConfirm}, []int64{campus, county}},
		{"pending on the edge", edge, nil, nil},
		{"confirmed on the edge", edge, confirm, []int64{county}},
		{"outside, pending", outside, nil, nil},
		{"outside, confirmed naming no region: nowhere", outside, confirm, nil},
		{"outside, confirmed at a named region", outside, confirmAt, []int64{named}},
		{"outside, rejected", outside, reject, nil},
		{"a region named for a check-in that has one", edge, confirmAt, []int64{county}},
	} {
		if got := CountingRegions(c.c, c.latest); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
