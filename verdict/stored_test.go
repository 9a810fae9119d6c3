package verdict

import (
	"reflect"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/presence"
)

func TestBriefRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Brief
	}{
		{"none", []Brief{}},
		{"one", []Brief{{Rule: "R2", Status: compliance.StatusMet, PolicyVersion: "410000:v1"}}},
		{"items and versions", []Brief{
			{Rule: "R2", Status: compliance.StatusAtRisk, PolicyVersion: "410200:v3"},
			{Rule: "R4", Item: "郑州大学", Status: compliance.StatusOnTrack, PolicyVersion: "410000:v1"},
			{Rule: "R8", Item: "SUMMARY", Status: compliance.StatusMissed},
			{Rule: "R9", Status: compliance.StatusExempt},
		}},
	} {
		got, err := decodeBrief(encodeBrief(tc.in))
		if err != nil || !reflect.DeepEqual(got, tc.in) {
			t.Errorf("%s: decode(encode(%v)) = %v, %v", tc.name, tc.in, got, err)
		}
	}
	if _, err := decodeBrief("R2\x1fMET"); err == nil {
		t.Error("a brief of two fields decoded")
	}
}

// TestVerdictsDoNotDependOnTheReader holds what serving one stored verdict
// to every reader rests on: a role that may read a cadre (its verdicts) or
// a unit's compliance reads every fact the verdicts read at least as far,
// or none of one (and then judging fails: nothing is stored).
func TestVerdictsDoNotDependOnTheReader(t *testing.T) {
	m := authz.Matrix()
	facts := []authz.Op{authz.ReadCheckIns, authz.ReadWork, authz.ReadActivities, authz.ReadSummaries, authz.ReadSeminars, authz.ReadAbsences}
	for role, users := range m[authz.ReadUsers] {
		compliance := m[authz.ReadCompliance][role]
		for _, op := range facts {
			r := m[op][role]
			if r == authz.None {
				if compliance != authz.None {
					t.Errorf("%s reads a unit's compliance but not %s", role, op)
				}
				continue
			}
			if r < users || r < compliance {
				t.Errorf("%s reads %s only as far as %s, users as far as %s, compliance as far as %s", role, op, r, users, compliance)
			}
		}
	}
}

func TestResultsRoundTrip(t *testing.T) {
	d := func(m time.Month, day int) presence.Date { return presence.Date{Year: 2026, Month: m, Day: day} }
	full := compliance.Result{Rule: "R2", RegionID: 7, Period: "2026Q4", First: d(10, 1), Last: d(12, 31), Status: compliance.StatusAtRisk,
		Numbers: []compliance.Number{{Name: "days", Label: "下沉天数", LabelEN: "on-site days", Unit: "天", Value: 4, Required: 10, Full: 10},
			{Name: "trips"}},
		CoveredDays: 92, PeriodDays: 92, DaysLeft: 3, MadeUpDays: 1, PolicyVersion: "410000:v2",
		Message: "本季度还需下沉 6 天", MessageEN: "R2: needs 6 more on-site days", Gaps: []string{"R2: needs 6 more on-site days (4 of 10)"}}
	for _, tc := range []struct {
		name string
		in   []compliance.Result
	}{
		{"none", []compliance.Result{}},
		{"every field", []compliance.Result{full}},
		{"zero and empty", []compliance.Result{{Rule: "R8", Item: "SUMMARY", Due: d(1, 10), Numbers: []compliance.Number{}, Gaps: []string{}}, {Rule: "R9"}}},
	} {
		b, err := encodeResults(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeResults(b)
		if err != nil || !reflect.DeepEqual(got, tc.in) {
			t.Errorf("%s: decode(encode(%+v)) = %+v, %v", tc.name, tc.in, got, err)
		}
	}
	if _, err := decodeResults([]byte(`[{"r":"R2","f":"2026-13-01"}]`)); err == nil {
		t.Error("a stored verdict with a bad date decoded")
	}
}
