package compliance

import (
	"fmt"
	"strings"

	"github.com/henan-youth/onsite/presence"
)

// Status is a rule's verdict for a period.
type Status string

// The statuses. AT_RISK is computed, not guessed: no schedule of the days
// left in the period can meet the rule any more.
const (
	StatusMet     Status = "MET"      // the numbers are reached
	StatusOnTrack Status = "ON_TRACK" // not yet, and the days left can still do it
	StatusAtRisk  Status = "AT_RISK"  // not yet, and no schedule of the days left can do it
	StatusMissed  Status = "MISSED"   // the period ended short
	StatusExempt  Status = "EXEMPT"   // the rule does not apply, or asks for nothing, in the period
)

// Number is one count a rule measures, with what the period requires.
type Number struct {
	Name     string // e.g. "days", "trips", "interviewsYouth"
	Label    string // what it counts, in Chinese: 下沉天数
	LabelEN  string // the same in English: on-site days
	Unit     string // the Chinese unit: 天, 次, 名
	Value    int    // counted so far
	Required int    // what the period requires, after exceptions
	Full     int    // the policy's number before exceptions

	needZH func(n int) string // "下沉 4 天": n more of it, for a sentence
	needEN func(n int) string // "4 more on-site days"
}

// Short returns how many more the period requires; 0 when reached.
func (n Number) Short() int { return max(n.Required-n.Value, 0) }

// Result is one rule's verdict for one cadre and period.
type Result struct {
	Rule     string // the rule id of docs/rules.md: R2, R3, R4, R6, R7, R8, R9
	Item     string // R4: the campus; R8: SUMMARY or ANNUAL_REPORT; "" otherwise
	RegionID int64  // R2: the county of the period's latest dispatch; R4: the campus; 0 otherwise

	Period      string        // 2026Q4, 2026H2 or 2026
	First, Last presence.Date // the period's first and last day

	Status  Status
	Numbers []Number

	// CoveredDays are the days of the period the rule applied on (an
	// assignment in force, no approved absence, the plan begun), of
	// PeriodDays; pro rata reduces the numbers by their ratio.
	CoveredDays, PeriodDays int
	// DaysLeft counts today to the period's last day inclusive (the whole
	// period before it begins, 0 once it ended).
	DaysLeft int
	// MadeUpDays are the counted days that only an approved make-up
	// request (补卡) counts; they are in the numbers, and never
	// indistinguishable from GPS evidence.
	MadeUpDays int
	// Due is an R8 document's due date; zero for other rules.
	Due presence.Date

	PolicyVersion string // the policy version the verdict used (Effective.Version)

	Message   string // the verdict as a supervisor reads it, in Chinese
	MessageEN string // the same in English

	// Gaps lists, in English and citing the rule, each number still short
	// and then the outlook; nil when the rule is met or exempt.
	Gaps []string
}

// Met reports whether the status is MET.
func (r Result) Met() bool { return r.Status == StatusMet }

// Achievable reports whether the rule is met or can still be met: neither
// AT_RISK nor MISSED.
func (r Result) Achievable() bool { return r.Status != StatusAtRisk && r.Status != StatusMissed }

// Days returns the "days" number's value (R2, R3, R4), 0 for other rules.
func (r Result) Days() int { return r.value("days") }

// QualifyingTrips returns R2's "trips" value, 0 for other rules.
func (r Result) QualifyingTrips() int { return r.value("trips") }

func (r Result) value(name string) int {
	for _, n := range r.Numbers {
		if n.Name == name {
			return n.Value
		}
	}
	return 0
}

// newResult starts a result for rule over p under eff.
func newResult(rule string, p period, eff Effective, today presence.Date) Result {
	return Result{Rule: rule, Period: p.name, First: p.first, Last: p.last, PeriodDays: p.days(),
		DaysLeft: p.left(today), PolicyVersion: eff.Version}
}

// decide sets the status from whether the numbers are met and whether the
// days left can still meet them, and writes the sentences; note is said
// after them (a pro-rata or reading remark), in each language.
func (r *Result) decide(p period, today presence.Date, achievable bool, noteZH, noteEN string) {
	met := true
	for _, n := range r.Numbers {
		met = met && n.Short() == 0
	}
	switch {
	case met:
		r.Status = StatusMet
	case today.After(p.last):
		r.Status = StatusMissed
	case !achievable:
		r.Status = StatusAtRisk
	default:
		r.Status = StatusOnTrack
	}
	zh, en := p.label(today)
	switch r.Status {
	case StatusMet, StatusMissed:
		verdict, verdictEN := "已达标", "met"
		if r.Status == StatusMissed {
			verdict, verdictEN = "未达标", "missed"
		}
		var have, haveEN []string
		for _, n := range r.Numbers {
			have = append(have, fmt.Sprintf("%s %d/%d %s", n.Label, n.Value, n.Required, n.Unit))
			haveEN = append(haveEN, fmt.Sprintf("%d of %d %s", n.Value, n.Required, n.LabelEN))
		}
		r.Message = fmt.Sprintf("%s%s：%s", zh, verdict, strings.Join(have, "，"))
		r.MessageEN = fmt.Sprintf("%s %s %s: %s", r.Rule, verdictEN, en, strings.Join(haveEN, ", "))
	default:
		var need, needEN []string
		for _, n := range r.Numbers {
			if s := n.Short(); s > 0 {
				need, needEN = append(need, n.needZH(s)), append(needEN, n.needEN(s))
			}
		}
		sep := "" // 还需 1 次…, 还需到县工作 4 天: a space before a number
		if need[0][0] >= '0' && need[0][0] <= '9' {
			sep = " "
		}
		r.Message = fmt.Sprintf("%s还需%s%s，剩余 %d 天", zh, sep, strings.Join(need, "、"), r.DaysLeft)
		r.MessageEN = fmt.Sprintf("%s: needs %s %s; %s left", r.Rule, strings.Join(needEN, " and "), en, plural(r.DaysLeft, "day", "days"))
		if r.Status == StatusAtRisk {
			r.Message += "，已无法达标"
			r.MessageEN += "; it can no longer be met"
		}
	}
	r.Message += noteZH
	r.MessageEN += noteEN
	if r.Status == StatusMet {
		return
	}
	for _, n := range r.Numbers {
		if s := n.Short(); s > 0 {
			r.Gaps = append(r.Gaps, fmt.Sprintf("%s: needs %s (%d of %d)", r.Rule, n.needEN(s), n.Value, n.Required))
		}
	}
	r.Gaps = append(r.Gaps, outlook(r.Rule, r.Achievable(), r.DaysLeft, p.kindEN))
}

// exempt marks r EXEMPT for the reason given in each language.
func (r *Result) exempt(zh, en string) Result {
	r.Status, r.Message, r.MessageEN = StatusExempt, zh, r.Rule+" exempt: "+en
	return *r
}

// outlook is the last gap line: whether the rule can still be met, and the
// days left in the period.
func outlook(rule string, achievable bool, left int, period string) string {
	switch {
	case left == 0:
		return fmt.Sprintf("%s: not met; the %s has ended", rule, period)
	case achievable:
		return fmt.Sprintf("%s: still achievable; %s left in the %s", rule, plural(left, "day", "days"), period)
	default:
		return fmt.Sprintf("%s: can no longer be met; %s left in the %s", rule, plural(left, "day", "days"), period)
	}
}

// more returns "one more trip" or "3 more trips".
func more(n int, one, many string) string {
	if n == 1 {
		return "one more " + one
	}
	return fmt.Sprintf("%d more %s", n, many)
}

// plural returns "1 day" or "12 days".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// count returns a Number of a rule; zh and en write "n more of it".
func count(name, label, labelEN, unit string, value, required, full int, zh func(int) string, en func(int) string) Number {
	return Number{Name: name, Label: label, LabelEN: labelEN, Unit: unit, Value: value, Required: required, Full: full, needZH: zh, needEN: en}
}
