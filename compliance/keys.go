package compliance

import (
	"slices"
	"strconv"
)

// KeyKind is the type of a policy key's value.
type KeyKind string

// Key kinds: a whole number in [Min, Max], or one of Choices.
const (
	KindInt    KeyKind = "INT"
	KindChoice KeyKind = "CHOICE"
)

// Key is one threshold of the policy: its name in policy documents, the
// rule it belongs to, what it means, its range and the province's default.
// Values are text in documents ("10", "STRICT"), so that a document stays
// the same bytes whatever the key's type.
type Key struct {
	Name    string // e.g. "r2.days"
	Rule    string // the rule id of docs/rules.md, e.g. "R2"
	Label   string // what it is, in Chinese, e.g. "每季度到县工作天数"
	LabelEN string // the same in English
	Unit    string // the Chinese unit of an INT: 天, 次, 名; "" for a choice
	Kind    KeyKind
	Min     int      // INT: the smallest value allowed
	Max     int      // INT: the largest value allowed
	Choices []string // CHOICE: the values allowed
	Default string   // the province's default (docs/rules.md)

	get func(*Policy) string
	set func(*Policy, string) error
}

// Check reports whether value is allowed for k: nil, or a models.Error with
// code INVALID naming the key and its range.
func (k Key) Check(value string) error {
	_, err := k.parse(value)
	return err
}

// parse returns value as an INT key's number (0 for a choice), or INVALID.
func (k Key) parse(value string) (int, error) {
	if k.Kind == KindChoice {
		if !slices.Contains(k.Choices, value) {
			return 0, invalid("%s must be one of %v, got %q", k.Name, k.Choices, value)
		}
		return 0, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < k.Min || n > k.Max || strconv.Itoa(n) != value {
		return 0, invalid("%s must be a whole number in [%d, %d], got %q", k.Name, k.Min, k.Max, value)
	}
	return n, nil
}

// Get returns k's value in p, as a document holds it.
func (k Key) Get(p Policy) string { return k.get(&p) }

func intKey(name, rule, label, labelEN, unit string, lo, hi, def int, field func(*Policy) *int) Key {
	k := Key{Name: name, Rule: rule, Label: label, LabelEN: labelEN, Unit: unit, Kind: KindInt, Min: lo, Max: hi,
		Default: strconv.Itoa(def), get: func(p *Policy) string { return strconv.Itoa(*field(p)) }}
	k.set = func(p *Policy, v string) error {
		n, err := k.parse(v)
		if err == nil {
			*field(p) = n
		}
		return err
	}
	return k
}

func choiceKey[T ~string](name, rule, label, labelEN string, def T, choices []T, field func(*Policy) *T) Key {
	k := Key{Name: name, Rule: rule, Label: label, LabelEN: labelEN, Kind: KindChoice, Default: string(def),
		get: func(p *Policy) string { return string(*field(p)) }}
	for _, c := range choices {
		k.Choices = append(k.Choices, string(c))
	}
	k.set = func(p *Policy, v string) error {
		_, err := k.parse(v)
		if err == nil {
			*field(p) = T(v)
		}
		return err
	}
	return k
}

// Keys returns every key of the policy, in the order documents and answers
// list them. The ranges are wide enough for any city's own numbers and
// narrow enough that every combination can be met in the shortest period:
// four visits of fifteen days, with a day between each, fit in 90 days.
func Keys() []Key { return slices.Clone(keys) }

// keys is the table Keys returns, built once: resolving a policy walks it
// for every verdict. It is never written.
var keys = buildKeys()

func buildKeys() []Key {
	return []Key{
		intKey("r2.days", "R2", "每季度到县工作天数", "on-site days a quarter at the county", "天", 0, 90, 10,
			func(p *Policy) *int { return &p.MinDays }),
		intKey("r2.trips", "R2", "每季度到县次数（每次达到规定天数）", "visits a quarter of the minimum length", "次", 0, 4, 2,
			func(p *Policy) *int { return &p.MinTrips }),
		intKey("r2.tripDays", "R2", "每次到县连续天数", "consecutive days of a qualifying visit", "天", 1, 15, 3,
			func(p *Policy) *int { return &p.MinTripDays }),
		choiceKey("r2.reading", "R2", "“每次不少于3天”的解读：DEFAULT 短期下沉的天数也计入总天数，STRICT 每次下沉均须达到规定天数",
			"reading of “every visit ≥ 3 days”: DEFAULT counts the days of short visits toward the total, STRICT counts only visits of the minimum length",
			ReadingDefault, []Reading{ReadingDefault, ReadingStrict}, func(p *Policy) *Reading { return &p.Reading }),
		intKey("r3.days", "R3", "每年到基层工作天数", "grassroots days a year", "天", 0, 365, 50,
			func(p *Policy) *int { return &p.YearDays }),
		intKey("r3.grassrootsDeptDays", "R3", "基层组织建设部同志每年到基层工作天数", "grassroots days a year, Grassroots Organization Dept.", "天", 0, 365, 60,
			func(p *Policy) *int { return &p.GrassrootsDeptYearDays }),
		intKey("r4.campusDays", "R4", "每季度到每所联系高校工作天数", "days a quarter at each linked campus", "天", 0, 90, 1,
			func(p *Policy) *int { return &p.CampusDaysPerQuarter }),
		intKey("r6.forumsYouth", "R6", "每季度普通青年座谈交流会", "forums with ordinary youths a quarter", "次", 0, 30, 1,
			func(p *Policy) *int { return &p.ForumsYouth }),
		intKey("r6.forumsCadre", "R6", "每季度基层团干部座谈交流会", "forums with grassroots League cadres a quarter", "次", 0, 30, 1,
			func(p *Policy) *int { return &p.ForumsCadre }),
		intKey("r6.interviewsYouth", "R6", "每季度一对一访谈普通青年", "one-on-one interviews of ordinary youths a quarter", "名", 0, 300, 10,
			func(p *Policy) *int { return &p.InterviewsYouth }),
		intKey("r6.interviewsCadre", "R6", "每季度一对一访谈基层团干部", "one-on-one interviews of grassroots League cadres a quarter", "名", 0, 300, 10,
			func(p *Policy) *int { return &p.InterviewsCadre }),
		intKey("r7.lectures", "R7", "每年理论宣讲次数", "theory lectures a year", "次", 0, 50, 2,
			func(p *Policy) *int { return &p.LecturesPerYear }),
		intKey("r8.summaryDueDays", "R8", "季度工作小结提交期限（季度结束后天数）", "days after a quarter's end its work summary is due", "天", 0, 90, 10,
			func(p *Policy) *int { return &p.SummaryDueDays }),
		intKey("r8.reportDueDays", "R8", "年度书面报告提交期限（年度结束后天数）", "days after a year's end its written report is due", "天", 0, 180, 10,
			func(p *Policy) *int { return &p.ReportDueDays }),
		intKey("r9.talks", "R9", "每半年研讨发言次数", "seminar talks a half year", "次", 0, 10, 1,
			func(p *Policy) *int { return &p.TalksPerHalfYear }),
		intKey("makeUps", "R2", "每季度可批准的补卡天数", "make-up days (补卡) a supervisor may approve a quarter", "天", 0, 90, 2,
			func(p *Policy) *int { return &p.MakeUpsPerQuarter }),
		choiceKey("exceptions", "", "请假、调训及派驻不满一期时的要求：PRO_RATA 按在岗天数折算，NONE 不减免，FULL 该期免于考核",
			"requirements of a period with approved absence or a partial assignment: PRO_RATA reduces them by the days the rule applied, NONE keeps them, FULL exempts the period",
			ProRata, []ExceptionMode{ProRata, NoReduction, FullExemption}, func(p *Policy) *ExceptionMode { return &p.Exceptions }),
	}
}

// KeyNamed returns the key called name, and false when there is none.
func KeyNamed(name string) (Key, bool) {
	for _, k := range keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}
