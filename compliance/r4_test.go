package compliance

import (
	"slices"
	"testing"

	"github.com/henan-youth/onsite/presence"
)

func TestEvaluateR4(t *testing.T) {
	pp := presence.DefaultPolicy()
	zzu := Campus{RegionID: 10, Name: "郑州大学"}
	local := Campus{RegionID: 11}
	q4 := Quarter{2026, 4}
	tests := []struct {
		name       string
		days       []presence.DayStat
		campuses   []Campus
		today      string
		wantDays   []int
		met        bool
		achievable bool
		gaps       []string
	}{
		{"both visited", slices.Concat(onsite(t, 10, "2026-10-10"), onsite(t, 11, "2026-12-01")),
			[]Campus{zzu, local}, "2026-12-20", []int{1, 1}, true, true, nil},
		{"one missing", slices.Concat(onsite(t, 10, "2026-10-10"), visited(t, 11, "2026-12-01"), onsite(t, 11, "2026-09-30")),
			[]Campus{zzu, local}, "2026-12-20", []int{1, 0}, false, true, []string{
				"R4: needs one more on-site day at campus 11 this quarter (0 of 1)",
				"R4: still achievable; 12 days left in the quarter",
			}},
		{"quarter over", onsite(t, 11, "2026-12-01"), []Campus{zzu, local}, "2027-01-02", []int{0, 1}, false, false, []string{
			"R4: needs one more on-site day at 郑州大学 this quarter (0 of 1)",
			"R4: not met; the quarter has ended",
		}},
		{"last day, already counted today at the other campus", slices.Concat(onsite(t, 11, "2026-12-31")),
			[]Campus{zzu, local}, "2026-12-31", []int{0, 1}, false, true, []string{
				"R4: needs one more on-site day at 郑州大学 this quarter (0 of 1)",
				"R4: still achievable; 1 day left in the quarter",
			}},
		{"no campus linked", onsite(t, 10, "2026-10-10"), nil, "2026-12-20", nil, false, true, []string{
			"R4: no campus linked; link one in the dispatch city and one in the provincial capital",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EvaluateR4(tt.days, tt.campuses, q4, DefaultPolicy(), pp, dates(t, tt.today)[0])
			if got.Rule != "R4" || got.Quarter != q4 || got.Required != 1 {
				t.Errorf("Rule, Quarter, Required: got %s, %v, %d; want R4, %v, 1", got.Rule, got.Quarter, got.Required, q4)
			}
			var gotDays []int
			for i, c := range got.Campuses {
				gotDays = append(gotDays, c.Days)
				if c.Campus != tt.campuses[i] || c.Met != (c.Days >= 1) {
					t.Errorf("campus %d: got %+v, want %+v with Met = Days ≥ 1", i, c, tt.campuses[i])
				}
			}
			if !slices.Equal(gotDays, tt.wantDays) {
				t.Errorf("Days: got %v, want %v", gotDays, tt.wantDays)
			}
			if got.Met != tt.met || got.Achievable != tt.achievable {
				t.Errorf("Met, Achievable: got %v, %v; want %v, %v", got.Met, got.Achievable, tt.met, tt.achievable)
			}
			if !slices.Equal(got.Gaps, tt.gaps) {
				t.Errorf("Gaps:\ngot  %q\nwant %q", got.Gaps, tt.gaps)
			}
		})
	}
}
