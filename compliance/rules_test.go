package compliance

import (
	"slices"
	"testing"

	"github.com/henan-youth/onsite/models"
)

func TestR3(t *testing.T) {
	fifty := onsite(t, lankao, "2026-03-01..2026-04-19")     // 50 days
	fortyNine := onsite(t, lankao, "2026-03-01..2026-04-18") // 49 days
	tests := []struct {
		name     string
		days     []Day
		dept     bool
		absences []Absence
		assign   []Assignment // nil: 兰考县 from 2026-01-01
		today    string
		status   Status
		numbers  string
		left     int
		gaps     []string
	}{
		{name: "met", days: fifty, today: "2026-06-30", status: StatusMet, numbers: "days 50/50", left: 185},
		{name: "one short, plenty of time", days: fortyNine, today: "2026-06-30", status: StatusOnTrack, numbers: "days 49/50", left: 185,
			gaps: []string{"R3: needs one more grassroots day (49 of 50)", "R3: still achievable; 185 days left in the year"}},
		{name: "Grassroots Organization Dept. needs 60", days: fifty, dept: true, today: "2026-06-30", status: StatusOnTrack, numbers: "days 50/60", left: 185},
		{name: "too late in the year", days: fortyNine[:40], today: "2026-12-23", status: StatusAtRisk, numbers: "days 40/50", left: 9},
		{name: "just in time from today", days: fortyNine[:40], today: "2026-12-22", status: StatusOnTrack, numbers: "days 40/50", left: 10},
		{name: "today already counted is not free", days: slices.Concat(fortyNine[:39], onsite(t, lankao, "2026-12-22")),
			today: "2026-12-22", status: StatusAtRisk, numbers: "days 40/50", left: 10},
		{name: "other years and duplicates ignored", days: slices.Concat(onsite(t, lankao, "2025-12-01..2025-12-31", "2027-01-01"),
			fortyNine, fortyNine[:5]), today: "2027-01-05", status: StatusMissed, numbers: "days 49/50", left: 0},
		{name: "year not begun", today: "2025-12-31", status: StatusOnTrack, numbers: "days 0/50", left: 365},
		{name: "a day at a county and a campus is one day; a county not assigned counts", days: slices.Concat(
			onsite(t, lankao, "2026-11-01..2026-11-05"), onsite(t, zzu, "2026-11-05..2026-11-06"), onsite(t, 77, "2026-11-07"),
			visited(t, zzu, "2026-11-08")), today: "2026-11-09", status: StatusOnTrack, numbers: "days 7/50", left: 53},
		{name: "no assignment: R3 still applies", days: fifty, assign: []Assignment{}, today: "2026-06-30", status: StatusMet, numbers: "days 50/50", left: 185},
		{name: "two months of leave: pro rata 306 of 365", days: slices.Concat(fortyNine[:42]),
			absences: []Absence{absence(t, "2026-07-01", "2026-08-29")}, today: "2026-12-31", status: StatusMet, numbers: "days 42/42", left: 1},
		{name: "made-up days count", days: slices.Concat(fortyNine, madeUp(t, lankao, "2026-05-01")), today: "2026-06-30",
			status: StatusMet, numbers: "days 50/50", left: 185},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, tt.today, tt.days)
			f.GrassrootsDept, f.Absences = tt.dept, tt.absences
			if tt.assign != nil {
				f.Assignments = tt.assign
			}
			got := find(t, Evaluate(f, Quarter{2026, 4}), "R3")
			if got.Period != "2026" {
				t.Errorf("period %s, want 2026", got.Period)
			}
			if got.Status != tt.status || numbers(got) != tt.numbers || got.DaysLeft != tt.left {
				t.Errorf("got %s [%s] left %d; want %s [%s] left %d\n%s", got.Status, numbers(got), got.DaysLeft,
					tt.status, tt.numbers, tt.left, got.Message)
			}
			if tt.gaps != nil && !slices.Equal(got.Gaps, tt.gaps) {
				t.Errorf("Gaps:\ngot  %q\nwant %q", got.Gaps, tt.gaps)
			}
		})
	}
}

// TestR3Period: R3 in a quarter's verdicts is its year's, made-up days
// are told apart.
func TestR3Period(t *testing.T) {
	f := facts(t, "2026-11-09", onsite(t, lankao, "2026-02-01..2026-02-03"), madeUp(t, qixian, "2026-11-02"))
	got := find(t, Evaluate(f, Quarter{2026, 1}), "R3")
	if got.Period != "2026" || got.Days() != 4 || got.MadeUpDays != 1 {
		t.Errorf("R3 for 2026Q1 = %s, %d days, %d made up; want 2026, 4 days, 1 made up", got.Period, got.Days(), got.MadeUpDays)
	}
}

func TestR4(t *testing.T) {
	q4 := Quarter{2026, 4}
	links := []Assignment{link(t, zzu, models.PurposeCampusCapital, "2026-01-01", ""), link(t, henu, models.PurposeCampusCity, "2026-01-01", "")}
	tests := []struct {
		name   string
		days   []Day
		links  []Assignment
		member bool
		today  string
		want   []string // item status numbers
	}{
		{"both visited", slices.Concat(onsite(t, zzu, "2026-10-10"), onsite(t, henu, "2026-12-01")), links, true, "2026-12-20",
			[]string{"郑州大学 MET days 1/1", "河南大学 MET days 1/1"}},
		{"one missing; a day before the quarter does not count", slices.Concat(onsite(t, zzu, "2026-10-10"), visited(t, henu, "2026-12-01"),
			onsite(t, henu, "2026-09-30")), links, true, "2026-12-20", []string{"郑州大学 MET days 1/1", "河南大学 ON_TRACK days 0/1"}},
		{"the quarter over", onsite(t, zzu, "2026-10-10"), links, true, "2027-01-02", []string{"郑州大学 MET days 1/1", "河南大学 MISSED days 0/1"}},
		{"a campus day counts toward its campus only", onsite(t, zzu, "2026-10-10..2026-10-11"), links, true, "2026-12-31",
			[]string{"郑州大学 MET days 2/1", "河南大学 ON_TRACK days 0/1"}},
		{"linked for the last 40 days: pro rata rounds 1 × 40/92 to 0", nil,
			[]Assignment{link(t, zzu, models.PurposeCampusCapital, "2026-11-22", "")}, true, "2026-12-20", []string{"郑州大学 EXEMPT days 0/0"}},
		{"linked for the last 46 days: 1 day", nil,
			[]Assignment{link(t, zzu, models.PurposeCampusCapital, "2026-11-16", "")}, true, "2026-12-20", []string{"郑州大学 ON_TRACK days 0/1"}},
		{"a day before the link does not count", onsite(t, zzu, "2026-11-01"),
			[]Assignment{link(t, zzu, models.PurposeCampusCapital, "2026-11-16", "")}, true, "2027-01-01", []string{"郑州大学 MISSED days 0/1"}},
		{"no link, not a member", nil, nil, false, "2026-12-20", []string{" EXEMPT "}},
		{"no link, a member", nil, nil, true, "2026-12-20", []string{" AT_RISK "}},
		{"no link, a member, the quarter over", nil, nil, true, "2027-01-20", []string{" MISSED "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, tt.today, tt.days)
			f.Assignments = append(f.Assignments, tt.links...)
			f.SchoolWorkGroup = tt.member
			var got []string
			for _, r := range Evaluate(f, q4) {
				if r.Rule == "R4" {
					got = append(got, r.Item+" "+string(r.Status)+" "+numbers(r))
					if r.Message == "" || r.MessageEN == "" {
						t.Errorf("%s: no message", r.Item)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestR6R7(t *testing.T) {
	q4 := Quarter{2026, 4}
	all := map[models.ActivityKind]int{models.KindForumYouth: 1, models.KindForumCadre: 1, models.KindInterviewYouth: 10, models.KindInterviewCadre: 10}
	some := map[models.ActivityKind]int{models.KindForumYouth: 1, models.KindInterviewYouth: 4, models.KindInterviewCadre: 12}
	tests := []struct {
		name         string
		quarter      map[models.ActivityKind]int
		lectures     int
		absences     []Absence
		assign       []Assignment
		today        string
		r6, r7       Status
		r6n, r7n, zh string
	}{
		{name: "all done", quarter: all, lectures: 2, today: "2026-12-01", r6: StatusMet, r7: StatusMet,
			r6n: "forumsYouth 1/1, forumsCadre 1/1, interviewsYouth 10/10, interviewsCadre 10/10", r7n: "lectures 2/2"},
		{name: "some short", quarter: some, lectures: 1, today: "2026-12-01", r6: StatusOnTrack, r7: StatusOnTrack,
			r6n: "forumsYouth 1/1, forumsCadre 0/1, interviewsYouth 4/10, interviewsCadre 12/10", r7n: "lectures 1/2",
			zh: "本季度还需组织 1 次基层团干部座谈交流会、一对一访谈普通青年 6 名，剩余 31 天"},
		{name: "the last day still holds any number", quarter: some, lectures: 1, today: "2026-12-31", r6: StatusOnTrack, r7: StatusOnTrack,
			r6n: "forumsYouth 1/1, forumsCadre 0/1, interviewsYouth 4/10, interviewsCadre 12/10", r7n: "lectures 1/2"},
		{name: "every day left is leave", quarter: some, lectures: 1, absences: []Absence{absence(t, "2026-12-20", "2026-12-31")},
			today: "2026-12-20", r6: StatusAtRisk, r7: StatusAtRisk,
			r6n: "forumsYouth 1/1, forumsCadre 0/1, interviewsYouth 4/9, interviewsCadre 12/9", r7n: "lectures 1/2"},
		{name: "over", quarter: some, lectures: 1, today: "2027-01-01", r6: StatusMissed, r7: StatusMissed,
			r6n: "forumsYouth 1/1, forumsCadre 0/1, interviewsYouth 4/10, interviewsCadre 12/10", r7n: "lectures 1/2"},
		{name: "dispatched from 11-16: half of each", quarter: some, lectures: 1, assign: []Assignment{dispatch(t, lankao, "2026-11-16", "")},
			today: "2026-12-01", r6: StatusOnTrack, r7: StatusExempt,
			r6n: "forumsYouth 1/1, forumsCadre 0/1, interviewsYouth 4/5, interviewsCadre 12/5", r7n: "lectures 1/0"},
		{name: "not dispatched", quarter: some, assign: []Assignment{}, today: "2026-12-01", r6: StatusExempt, r7: StatusExempt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, tt.today)
			f.Activities = &ActivityCounts{Quarter: tt.quarter, YearLectures: tt.lectures}
			f.Absences = tt.absences
			if tt.assign != nil {
				f.Assignments = tt.assign
			}
			rs := Evaluate(f, q4)
			r6, r7 := find(t, rs, "R6"), find(t, rs, "R7")
			if r6.Status != tt.r6 || r7.Status != tt.r7 || (tt.r6n != "" && numbers(r6) != tt.r6n) || (tt.r7n != "" && numbers(r7) != tt.r7n) {
				t.Errorf("R6 %s [%s], R7 %s [%s]; want %s [%s], %s [%s]\n%s\n%s", r6.Status, numbers(r6), r7.Status, numbers(r7),
					tt.r6, tt.r6n, tt.r7, tt.r7n, r6.Message, r7.Message)
			}
			if tt.zh != "" && r6.Message != tt.zh {
				t.Errorf("R6 says %q, want %q", r6.Message, tt.zh)
			}
		})
	}
}

func TestR8(t *testing.T) {
	q3 := Quarter{2026, 3}
	sub := func(s DocStatus, first string) Document {
		d := Document{Status: s}
		if first != "" {
			d.FirstSubmitted = date(t, first)
		}
		return d
	}
	tests := []struct {
		name    string
		summary Document
		today   string
		status  Status
		zh      string
	}{
		{"accepted", sub(DocAccepted, "2026-10-05"), "2026-10-20", StatusMet, "2026年第3季度工作小结已通过"},
		{"accepted, late", sub(DocAccepted, "2026-10-15"), "2026-10-20", StatusMet, "2026年第3季度工作小结已通过（逾期 5 天提交）"},
		{"waiting for review after the due date", sub(DocSubmitted, "2026-10-09"), "2026-10-20", StatusOnTrack, "2026年第3季度工作小结已提交，待审核"},
		{"not yet due", sub(DocMissing, ""), "2026-10-01", StatusOnTrack, "2026年第3季度工作小结须于 2026-10-10 前提交，剩余 10 天"},
		{"due today", sub(DocMissing, ""), "2026-10-10", StatusOnTrack, "2026年第3季度工作小结须于 2026-10-10 前提交，剩余 1 天"},
		{"overdue", sub(DocMissing, ""), "2026-10-11", StatusMissed, "2026年第3季度工作小结逾期未提交（截止 2026-10-10）"},
		{"returned, time left", sub(DocReturned, "2026-10-02"), "2026-10-05", StatusOnTrack, "2026年第3季度工作小结已退回，须于 2026-10-10 前修改后重新提交，剩余 6 天"},
		{"returned, overdue", sub(DocReturned, "2026-10-02"), "2026-10-12", StatusMissed, "2026年第3季度工作小结退回后逾期未重新提交（截止 2026-10-10）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, tt.today)
			f.Documents = &Documents{Summary: tt.summary}
			got := find(t, Evaluate(f, q3), "R8", "SUMMARY")
			if got.Status != tt.status || got.Message != tt.zh || got.Due != date(t, "2026-10-10") {
				t.Errorf("got %s %q due %s; want %s %q due 2026-10-10", got.Status, got.Message, got.Due, tt.status, tt.zh)
			}
		})
	}
	f := facts(t, "2026-11-01")
	f.Documents = &Documents{}
	if got := find(t, Evaluate(f, q3), "R8", "ANNUAL_REPORT"); got.Status != StatusOnTrack || got.Due != date(t, "2027-01-10") || got.Period != "2026" {
		t.Errorf("annual report: %s due %s (%s), want ON_TRACK due 2027-01-10 for 2026", got.Status, got.Due, got.Period)
	}
	f.Assignments = nil
	if got := find(t, Evaluate(f, q3), "R8", "SUMMARY"); got.Status != StatusExempt {
		t.Errorf("summary without dispatch: %s, want EXEMPT", got.Status)
	}
}

func TestR9(t *testing.T) {
	tests := []struct {
		name  string
		talks []string
		q     Quarter
		pol   int
		today string
		want  string
	}{
		{"spoke in H2", []string{"2026-10-20"}, Quarter{2026, 4}, 1, "2026-11-01", "2026H2 MET talks 1/1"},
		{"a talk in H1 is not H2's", []string{"2026-05-20"}, Quarter{2026, 4}, 1, "2026-11-01", "2026H2 ON_TRACK talks 0/1"},
		{"H1 from Q2", []string{"2026-05-20"}, Quarter{2026, 2}, 1, "2026-11-01", "2026H1 MET talks 1/1"},
		{"three talks short with two days left", nil, Quarter{2026, 4}, 3, "2026-12-30", "2026H2 AT_RISK talks 0/3"},
		{"two talks short with two days left", nil, Quarter{2026, 4}, 2, "2026-12-30", "2026H2 ON_TRACK talks 0/2"},
		{"over", nil, Quarter{2026, 3}, 1, "2027-01-01", "2026H2 MISSED talks 0/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(t, tt.today)
			f.Talks = &Talks{Dates: dates(t, tt.talks...)}
			f.Policies = FixedTimeline(with(func(p *Policy) { p.TalksPerHalfYear = tt.pol }), "test")
			r := find(t, Evaluate(f, tt.q), "R9")
			if got := r.Period + " " + string(r.Status) + " " + numbers(r); got != tt.want {
				t.Errorf("got %s, want %s (%s)", got, tt.want, r.Message)
			}
		})
	}
}

// TestEvaluateReportsWhatIsKnown: rules whose facts are not known are left
// out rather than reported as missed.
func TestEvaluateReportsWhatIsKnown(t *testing.T) {
	f := facts(t, "2026-11-01")
	rules := func(rs []Result) (out []string) {
		for _, r := range rs {
			out = append(out, r.Rule+r.Item)
		}
		return out
	}
	if got, want := rules(Evaluate(f, Quarter{2026, 4})), []string{"R2", "R3", "R4"}; !slices.Equal(got, want) {
		t.Errorf("without youth work, documents or talks: %v, want %v", got, want)
	}
	f.Activities, f.Documents, f.Talks = &ActivityCounts{}, &Documents{}, &Talks{}
	if got, want := rules(Evaluate(f, Quarter{2026, 4})), []string{"R2", "R3", "R4", "R6", "R7", "R8SUMMARY", "R8ANNUAL_REPORT", "R9"}; !slices.Equal(got, want) {
		t.Errorf("with all facts: %v, want %v", got, want)
	}
}

// TestPeriodsKeepTheirPolicy: a quarter is judged under the version in
// force on its first day, a year under 1 January's, so a change applies
// from its date on and never reaches back.
func TestPeriodsKeepTheirPolicy(t *testing.T) {
	path := []Unit{{ID: 1, Code: "410000", Name: "共青团河南省委"}, {ID: 2, Code: "410200", Name: "开封团市委"}}
	versions := []Version{
		{UnitID: 1, Number: 1, From: PlanStart, Values: map[string]string{"r2.days": "10", "r3.days": "50"}},
		{UnitID: 2, Number: 1, From: date(t, "2026-10-01"), Values: map[string]string{"r2.days": "8"}},
		{UnitID: 2, Number: 2, From: date(t, "2026-11-15"), Values: map[string]string{"r2.days": "6", "r3.days": "40"}},
		{UnitID: 2, Number: 3, From: date(t, "2027-01-01"), Values: map[string]string{"r2.days": "6", "r3.days": "40"}},
	}
	tl, err := BuildTimeline(path, versions)
	if err != nil {
		t.Fatal(err)
	}
	f := facts(t, "2026-11-20", onsite(t, lankao, "2026-07-01..2026-07-08", "2026-10-05..2026-10-12"))
	f.Policies = tl
	tests := []struct {
		q             Quarter
		version, want string
	}{
		{Quarter{2026, 3}, "410000:v1", "days 8/10, trips 1/2"},
		{Quarter{2026, 4}, "410000:v1/410200:v1", "days 8/8, trips 1/2"},
		{Quarter{2027, 1}, "410000:v1/410200:v3", "days 0/6, trips 0/2"},
	}
	for _, tt := range tests {
		r2 := EvaluateR2(f, tt.q)
		if r2.PolicyVersion != tt.version || numbers(r2) != tt.want {
			t.Errorf("%s: %s [%s], want %s [%s]", tt.q, r2.PolicyVersion, numbers(r2), tt.version, tt.want)
		}
	}
	if r3 := find(t, Evaluate(f, Quarter{2026, 4}), "R3"); r3.PolicyVersion != "410000:v1" || numbers(r3) != "days 16/50" {
		t.Errorf("R3 2026: %s [%s], want 410000:v1 [days 16/50]", r3.PolicyVersion, numbers(r3))
	}
}

// TestR6Gaps: the English names each kind short, in the singular for one.
func TestR6Gaps(t *testing.T) {
	f := facts(t, "2026-12-01")
	f.Activities = &ActivityCounts{Quarter: map[models.ActivityKind]int{models.KindForumYouth: 1, models.KindInterviewYouth: 9, models.KindInterviewCadre: 8}}
	got := find(t, Evaluate(f, Quarter{2026, 4}), "R6").Gaps
	want := []string{
		"R6: needs one more forum with grassroots League cadres (0 of 1)",
		"R6: needs one more interview of an ordinary youth (9 of 10)",
		"R6: needs 2 more interviews of grassroots League cadres (8 of 10)",
		"R6: still achievable; 31 days left in the quarter",
	}
	if !slices.Equal(got, want) {
		t.Errorf("gaps:\ngot  %q\nwant %q", got, want)
	}
}
