package compliance

import (
	"slices"
	"testing"
)

func TestR2(t *testing.T) {
	q4 := Quarter{2026, 4}
	rotated := []Assignment{dispatch(t, lankao, "2026-01-01", "2026-11-15"), dispatch(t, qixian, "2026-11-16", "")}
	strict := with(func(p *Policy) { p.Reading = ReadingStrict })
	tests := []struct {
		name     string
		days     []Day
		assign   []Assignment // nil: 兰考县 from 2026-01-01
		absences []Absence
		policy   *Policy // nil: the defaults
		q        Quarter
		today    string
		status   Status
		numbers  string // "days v/req, trips v/req"
		left     int
		gaps     []string
	}{
		{name: "met", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10..2026-11-12",
			"2026-12-01", "2026-12-03", "2026-12-05", "2026-12-08"),
			q: q4, today: "2026-12-20", status: StatusMet, numbers: "days 10/10, trips 2/2", left: 12},
		{name: "short of days and one trip", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10", "2026-11-20", "2026-12-01"),
			q: q4, today: "2026-12-20", status: StatusOnTrack, numbers: "days 6/10, trips 1/2", left: 12, gaps: []string{
				"R2: needs 4 more on-site days (6 of 10)",
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: still achievable; 12 days left in the quarter",
			}},
		{name: "one day short", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10..2026-11-13", "2026-12-01", "2026-12-03"),
			q: q4, today: "2026-12-20", status: StatusOnTrack, numbers: "days 9/10, trips 2/2", left: 12, gaps: []string{
				"R2: needs one more on-site day (9 of 10)",
				"R2: still achievable; 12 days left in the quarter",
			}},
		{name: "a trip across the quarter's start counts its Q4 days only", days: onsite(t, lankao,
			"2026-09-29..2026-10-02", "2026-11-01..2026-11-03", "2026-11-20", "2026-11-22", "2026-11-24", "2026-11-26", "2026-11-28"),
			q: q4, today: "2026-12-29", status: StatusOnTrack, numbers: "days 10/10, trips 1/2", left: 3},
		{name: "the same trip seen from Q3, ended", days: onsite(t, lankao, "2026-09-29..2026-10-02", "2026-11-01..2026-11-03"),
			q: Quarter{2026, 3}, today: "2026-12-29", status: StatusMissed, numbers: "days 2/10, trips 0/2", left: 0, gaps: []string{
				"R2: needs 8 more on-site days (2 of 10)",
				"R2: needs 2 more trips of ≥ 3 consecutive days (0 of 2)",
				"R2: not met; the quarter has ended",
			}},
		{name: "other counties and uncounted days do not count", days: slices.Concat(
			onsite(t, qixian, "2026-10-01..2026-10-31"), visited(t, lankao, "2026-11-01..2026-11-30"), onsite(t, lankao, "2026-12-01..2026-12-03")),
			q: q4, today: "2026-12-04", status: StatusOnTrack, numbers: "days 3/10, trips 1/2", left: 28},
		{name: "two days left cannot hold a 3-day trip", days: onsite(t, lankao, "2026-10-05..2026-10-07",
			"2026-11-01", "2026-11-03", "2026-11-05", "2026-11-07", "2026-11-09", "2026-11-11", "2026-11-13"),
			q: q4, today: "2026-12-30", status: StatusAtRisk, numbers: "days 10/10, trips 1/2", left: 2, gaps: []string{
				"R2: needs one more trip of ≥ 3 consecutive days (1 of 2)",
				"R2: can no longer be met; 2 days left in the quarter",
			}},
		{name: "today completes the running trip", days: onsite(t, lankao, "2026-12-01..2026-12-03",
			"2026-11-01", "2026-11-03", "2026-11-05", "2026-11-07", "2026-11-09", "2026-12-29..2026-12-30"),
			q: q4, today: "2026-12-31", status: StatusOnTrack, numbers: "days 10/10, trips 1/2", left: 1},
		{name: "three days left would merge into the running trip", days: onsite(t, lankao, "2026-12-24..2026-12-28",
			"2026-10-01", "2026-10-03", "2026-10-05", "2026-10-07", "2026-10-09"),
			q: q4, today: "2026-12-29", status: StatusAtRisk, numbers: "days 10/10, trips 1/2", left: 3},
		{name: "quarter not begun", q: q4, today: "2026-09-01", status: StatusOnTrack, numbers: "days 0/10, trips 0/2", left: 92},
		{name: "duplicates count once; too few days left", days: onsite(t, lankao, "2026-10-05..2026-10-07",
			"2026-11-10..2026-11-11", "2026-11-10..2026-11-12"),
			q: q4, today: "2026-12-29", status: StatusAtRisk, numbers: "days 6/10, trips 2/2", left: 3},
		{name: "rotation: each date counts at the county assigned that date", days: slices.Concat(
			onsite(t, lankao, "2026-11-02..2026-11-06"), onsite(t, qixian, "2026-11-17..2026-11-21")),
			assign: rotated, q: q4, today: "2026-11-22", status: StatusMet, numbers: "days 10/10, trips 2/2", left: 40},
		{name: "rotation: days at the new county before its assignment do not count", days: slices.Concat(
			onsite(t, qixian, "2026-11-02..2026-11-04"), onsite(t, lankao, "2026-11-17..2026-11-19")),
			assign: rotated, q: q4, today: "2026-11-22", status: StatusOnTrack, numbers: "days 0/10, trips 0/2", left: 40},
		{name: "rotation ends a trip", days: onsite(t, lankao, "2026-11-13..2026-11-15"), assign: append(rotated[:1:1],
			dispatch(t, qixian, "2026-11-16", "")), q: q4, today: "2026-11-30",
			status: StatusOnTrack, numbers: "days 3/10, trips 1/2", left: 32},
		{name: "rotation ends a trip: a run across it is two", days: slices.Concat(
			onsite(t, lankao, "2026-11-14..2026-11-15"), onsite(t, qixian, "2026-11-16..2026-11-17")),
			assign: rotated, q: q4, today: "2026-11-30", status: StatusOnTrack, numbers: "days 4/10, trips 0/2", left: 32},
		{name: "no dispatch in the quarter", assign: []Assignment{dispatch(t, lankao, "2027-01-01", "")},
			q: q4, today: "2026-12-01", status: StatusExempt, left: 31},
		{name: "assigned from 11-16: pro rata 46 of 92 days", days: onsite(t, lankao, "2026-11-20..2026-11-24"),
			assign: []Assignment{dispatch(t, lankao, "2026-11-16", "")}, q: q4, today: "2026-12-01",
			status: StatusMet, numbers: "days 5/5, trips 1/1", left: 31},
		{name: "a month of leave: pro rata 61 of 92 days", days: onsite(t, lankao, "2026-11-02..2026-11-08"),
			absences: []Absence{absence(t, "2026-10-01", "2026-10-31")}, q: q4, today: "2026-12-01",
			status: StatusMet, numbers: "days 7/7, trips 1/1", left: 31},
		{name: "a month of leave under NONE", days: onsite(t, lankao, "2026-11-02..2026-11-08"),
			absences: []Absence{absence(t, "2026-10-01", "2026-10-31")}, policy: ptr(with(func(p *Policy) { p.Exceptions = NoReduction })),
			q: q4, today: "2026-12-01", status: StatusOnTrack, numbers: "days 7/10, trips 1/2", left: 31},
		{name: "a day of leave under FULL", absences: []Absence{absence(t, "2026-10-01", "2026-10-01")},
			policy: ptr(with(func(p *Policy) { p.Exceptions = FullExemption })), q: q4, today: "2026-12-01", status: StatusExempt, left: 31},
		{name: "absent all quarter", absences: []Absence{absence(t, "2026-09-20", "2027-01-10")},
			q: q4, today: "2026-12-01", status: StatusExempt, left: 31},
		{name: "a few days of assignment ask for nothing", assign: []Assignment{dispatch(t, lankao, "2026-12-29", "")},
			q: q4, today: "2026-12-01", status: StatusExempt, numbers: "days 0/0, trips 0/0", left: 31},
		{name: "days on leave still count when on site", days: onsite(t, lankao, "2026-10-01..2026-10-03", "2026-11-02..2026-11-08"),
			absences: []Absence{absence(t, "2026-10-01", "2026-10-31")}, q: q4, today: "2026-12-01",
			status: StatusMet, numbers: "days 10/7, trips 2/1", left: 31},
		{name: "strict: days of short visits do not count", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10..2026-11-12",
			"2026-12-01", "2026-12-03", "2026-12-05", "2026-12-08"), policy: &strict,
			q: q4, today: "2026-12-20", status: StatusOnTrack, numbers: "days 6/10, trips 2/2", left: 12},
		{name: "strict: a running visit counts once it qualifies", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10..2026-11-12",
			"2026-12-29..2026-12-30"), policy: &strict,
			q: q4, today: "2026-12-31", status: StatusAtRisk, numbers: "days 6/10, trips 2/2", left: 1},
		{name: "strict: a qualifying visit grows a day at a time", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10..2026-11-12",
			"2026-12-28..2026-12-30"), policy: &strict,
			q: q4, today: "2026-12-31", status: StatusOnTrack, numbers: "days 9/10, trips 3/2", left: 1},
		{name: "strict: two days left cannot make four", days: onsite(t, lankao, "2026-10-05..2026-10-07", "2026-11-10..2026-11-12"),
			policy: &strict, q: q4, today: "2026-12-30", status: StatusAtRisk, numbers: "days 6/10, trips 2/2", left: 2},
		{name: "an approved make-up counts", days: slices.Concat(onsite(t, lankao, "2026-10-05..2026-10-06", "2026-11-10..2026-11-12",
			"2026-12-01..2026-12-04"), madeUp(t, lankao, "2026-10-07")),
			q: q4, today: "2026-12-20", status: StatusMet, numbers: "days 10/10, trips 3/2", left: 12},
		{name: "the plan begins on 2022-03-01: pro rata 31 of 90 days", days: onsite(t, lankao, "2022-03-10..2022-03-12"),
			assign: []Assignment{dispatch(t, lankao, "2021-01-01", "")}, q: Quarter{2022, 1}, today: "2022-04-10",
			status: StatusMet, numbers: "days 3/3, trips 1/1", left: 0},
		{name: "before the plan", assign: []Assignment{dispatch(t, lankao, "2021-01-01", "")}, q: Quarter{2021, 4}, today: "2022-04-10",
			status: StatusExempt, left: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, tt.today, tt.days)
			if tt.assign != nil {
				f.Assignments = tt.assign
			}
			f.Absences = tt.absences
			if tt.policy != nil {
				f.Policies = FixedTimeline(*tt.policy, "test:v2")
			}
			got := EvaluateR2(f, tt.q)
			if got.Rule != "R2" || got.Period != tt.q.String() || got.Status != tt.status || numbers(got) != tt.numbers || got.DaysLeft != tt.left {
				t.Errorf("got %s %s %s [%s] left %d; want R2 %s %s [%s] left %d\n%s\n%s", got.Rule, got.Period, got.Status, numbers(got),
					got.DaysLeft, tt.q, tt.status, tt.numbers, tt.left, got.Message, got.MessageEN)
			}
			if tt.gaps != nil && !slices.Equal(got.Gaps, tt.gaps) {
				t.Errorf("Gaps:\ngot  %q\nwant %q", got.Gaps, tt.gaps)
			}
			if (got.Status == StatusMet || got.Status == StatusExempt) != (got.Gaps == nil) {
				t.Errorf("status %s with gaps %q", got.Status, got.Gaps)
			}
			if got.Message == "" || got.MessageEN == "" || got.PolicyVersion == "" {
				t.Errorf("message %q / %q, version %q: want all three", got.Message, got.MessageEN, got.PolicyVersion)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestR2Sentences: what a supervisor reads, in Chinese and English.
func TestR2Sentences(t *testing.T) {
	q4 := Quarter{2026, 4}
	tests := []struct {
		name   string
		f      Facts
		q      Quarter
		zh, en string
	}{
		{"one trip short", facts(t, "2026-12-20", onsite(t, lankao, "2026-10-05..2026-10-11", "2026-11-10", "2026-11-20", "2026-12-01")), q4,
			"本季度还需 1 次不少于 3 天的下沉，剩余 12 天",
			"R2: needs one more trip of ≥ 3 consecutive days this quarter; 12 days left"},
		{"days and trips short", facts(t, "2026-12-20", onsite(t, lankao, "2026-10-05..2026-10-07")), q4,
			"本季度还需到县工作 7 天、1 次不少于 3 天的下沉，剩余 12 天",
			"R2: needs 7 more on-site days and one more trip of ≥ 3 consecutive days this quarter; 12 days left"},
		{"at risk", facts(t, "2026-12-30", onsite(t, lankao, "2026-10-05..2026-10-07")), q4,
			"本季度还需到县工作 7 天、1 次不少于 3 天的下沉，剩余 2 天，已无法达标",
			"R2: needs 7 more on-site days and one more trip of ≥ 3 consecutive days this quarter; 2 days left; it can no longer be met"},
		{"missed", facts(t, "2027-01-05", onsite(t, lankao, "2026-10-05..2026-10-07")), q4,
			"2026年第4季度未达标：到县工作天数 3/10 天，不少于 3 天的下沉 1/2 次",
			"R2 missed in 2026Q4: 3 of 10 on-site days, 1 of 2 trips of at least 3 days"},
		{"met pro rata", func() Facts {
			f := facts(t, "2026-12-01", onsite(t, lankao, "2026-11-20..2026-11-24"))
			f.Assignments = []Assignment{dispatch(t, lankao, "2026-11-16", "")}
			return f
		}(), q4,
			"本季度已达标：到县工作天数 5/5 天，不少于 3 天的下沉 1/1 次（按适用 46/92 天折算）",
			"R2 met this quarter: 5 of 5 on-site days, 1 of 1 trips of at least 3 days (pro rata: 46 of 92 days)"},
		{"no dispatch", func() Facts { f := facts(t, "2026-12-01"); f.Assignments = nil; return f }(), q4,
			"本季度无相应派驻任务，不适用", "R2 exempt: no assignment for the rule this quarter"},
	}
	for _, tt := range tests {
		got := EvaluateR2(tt.f, tt.q)
		if got.Message != tt.zh || got.MessageEN != tt.en {
			t.Errorf("%s:\ngot  %s\n     %s\nwant %s\n     %s", tt.name, got.Message, got.MessageEN, tt.zh, tt.en)
		}
	}
}

// TestVisitsThatFit: a reduced requirement asks for no more visits than
// the dates in scope can hold.
func TestVisitsThatFit(t *testing.T) {
	tests := []struct {
		on     string // x: in scope
		region []int64
		t      int
		want   int
	}{
		{"xxx", nil, 3, 1},
		{"xx", nil, 3, 0},
		{"xxxxxxx", nil, 3, 2},
		{"xxxxxx", nil, 3, 1},
		{"xxx.xxx", nil, 3, 2},
		{"xxxxxx", []int64{1, 1, 1, 2, 2, 2}, 3, 2},
		{"xxxxxx", []int64{1, 1, 2, 2, 2, 2}, 3, 1},
		{"x.x.x", nil, 1, 3},
	}
	for _, tt := range tests {
		on := make([]bool, len(tt.on))
		region := tt.region
		if region == nil {
			region = make([]int64, len(on))
		}
		for i, c := range tt.on {
			on[i] = c == 'x'
		}
		if got := visitsThatFit(on, region, tt.t); got != tt.want {
			t.Errorf("visitsThatFit(%s, %v, %d) = %d, want %d", tt.on, tt.region, tt.t, got, tt.want)
		}
	}
}

// TestR2ReducedTripsFitTheScope: leave on every third day leaves runs of
// two dates, which hold no 3-day trip, so pro rata asks for none.
func TestR2ReducedTripsFitTheScope(t *testing.T) {
	f := facts(t, "2026-10-01")
	for d := date(t, "2026-10-03"); d.Before(date(t, "2027-01-01")); d = d.AddDays(3) {
		f.Absences = append(f.Absences, Absence{Kind: AbsenceTraining, From: d, To: d})
	}
	got := EvaluateR2(f, Quarter{2026, 4})
	if numbers(got) != "days 0/7, trips 0/0" || got.Status != StatusOnTrack {
		t.Errorf("got %s [%s] %s, want ON_TRACK with days 0/7 and no trip", got.Status, numbers(got), got.Message)
	}
}
