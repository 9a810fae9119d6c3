package summary

import (
	"reflect"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

func dateOf(t time.Time) presence.Date { return presence.DateOf(t, time.UTC) }

// TestDiff: the numbers that changed are listed by quarter and name; the
// time taken and R2's gap sentences are not compared.
func TestDiff(t *testing.T) {
	yes := true
	base := func() *Numbers {
		return &Numbers{TakenAt: time.Unix(0, 0), Quarters: []QuarterNumbers{{Quarter: "2026Q4", County: "兰考县", OnSiteDays: 6, CountyDays: 6,
			Trips: 2, QualifyingTrips: 1, R2Gaps: []string{"4 more days (6 of 10)"},
			Activities: []KindNumbers{{Kind: models.KindInterviewYouth, Recorded: 3, Counting: 2, Required: 10}}}}}
	}
	for _, tc := range []struct {
		name   string
		change func(n *Numbers)
		want   []Change
	}{
		{"nothing", func(n *Numbers) {}, nil},
		{"the time taken and the gaps", func(n *Numbers) { n.TakenAt = time.Now(); n.Quarters[0].R2Gaps = []string{"other"} }, nil},
		{"a day confirmed", func(n *Numbers) { n.Quarters[0].CountyDays, n.Quarters[0].OnSiteDays = 7, 7 }, []Change{
			{"2026Q4", "onSiteDays", "6", "7"}, {"2026Q4", "countyDays", "6", "7"}}},
		{"an interview that counts now", func(n *Numbers) { n.Quarters[0].Activities[0].Counting = 3 }, []Change{
			{"2026Q4", "activities.INTERVIEW_YOUTH.counting", "2", "3"}}},
		{"R2 met", func(n *Numbers) { n.Quarters[0].R2Met = &yes }, []Change{{"2026Q4", "r2Met", "none", "true"}}},
		{"a quarter begun since", func(n *Numbers) { n.Quarters = append(n.Quarters, QuarterNumbers{Quarter: "2027Q1", OnSiteDays: 1}) },
			[]Change{{"2027Q1", "onSiteDays", "0", "1"}}},
	} {
		now := base()
		tc.change(now)
		if got := Diff(base(), now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
