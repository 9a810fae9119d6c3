package compliance

import (
	"fmt"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Evaluate returns the verdicts of the cadre of f for quarter q as of
// f.Today, in this order: R2 (q); R3 (q's year); R4 (each campus linked in
// q, or one result when none is); R6 (q) and R7 (q's year) when
// f.Activities is known; R8's summary of q and report of q's year when
// f.Documents is known; R9 (q's half year) when f.Talks is known. Each
// period is judged under the policy in force on its first day (or on
// PlanStart, for the period the plan began in), so a later policy change
// never reaches back. Evaluate cannot fail.
func Evaluate(f Facts, q Quarter) []Result {
	c := newCadre(f)
	out := []Result{c.r2(q), c.r3(q.Year)}
	out = append(out, c.r4(q)...)
	if f.Activities != nil {
		out = append(out, c.r6(q), c.r7(q.Year))
	}
	if f.Documents != nil {
		out = append(out, c.r8Summary(q), c.r8Report(q.Year))
	}
	if f.Talks != nil {
		out = append(out, c.r9(q.Year, (q.Q+1)/2))
	}
	return out
}

// EvaluateR2 returns R2's verdict alone; see Evaluate.
func EvaluateR2(f Facts, q Quarter) Result { return newCadre(f).r2(q) }

// cadre is Facts indexed for the rules.
type cadre struct {
	Facts
	gps    map[regionDate]bool // a day counted by its check-ins
	madeUp map[regionDate]bool // a day counted by an approved make-up request
}

type regionDate struct {
	region int64
	date   presence.Date
}

func newCadre(f Facts) *cadre {
	c := &cadre{Facts: f, gps: map[regionDate]bool{}, madeUp: map[regionDate]bool{}}
	for _, d := range f.Days {
		k := regionDate{d.RegionID, d.Date}
		if d.Counted(f.DayRule) {
			c.gps[k] = true
		} else if d.MadeUp {
			c.madeUp[k] = true
		}
	}
	return c
}

// counts reports whether the cadre's day at region on d counts, and
// whether only a make-up request counts it.
func (c *cadre) counts(region int64, d presence.Date) (counted, madeUp bool) {
	k := regionDate{region, d}
	return c.gps[k] || c.madeUp[k], !c.gps[k] && c.madeUp[k]
}

// dispatchOn returns the DISPATCH assignment in force on d (R5 allows one).
func (c *cadre) dispatchOn(d presence.Date) (Assignment, bool) {
	for _, a := range c.Assignments {
		if a.Purpose == models.PurposeDispatch && a.On(d) {
			return a, true
		}
	}
	return Assignment{}, false
}

// absent reports whether an approved absence covers d.
func (c *cadre) absent(d presence.Date) bool {
	for _, a := range c.Absences {
		if !d.Before(a.From) && !d.After(a.To) {
			return true
		}
	}
	return false
}

// policyFor returns the policy a period is judged under: the one in force
// on its first day, or on PlanStart when the plan began inside it; false
// for a period that ended before the plan began.
func (c *cadre) policyFor(p period) (Effective, bool) {
	if p.last.Before(PlanStart) {
		return c.Policies.At(PlanStart), false
	}
	return c.Policies.At(latest(p.first, PlanStart)), true
}

// scope is the part of a period a rule applies on: dates the plan has
// begun, the rule's assignment is in force and no approved absence covers.
type scope struct {
	on         []bool // per date of the period
	covered    int
	total      int
	prePlan    int // dates before the plan
	unassigned int // dates without the rule's assignment
	absent     int // dates of approved absence
	mode       ExceptionMode
}

// scope returns the scope of p for a rule whose assignment is in force on
// the i-th date when assigned(i).
func (c *cadre) scope(p period, mode ExceptionMode, assigned func(i int) bool) scope {
	s := scope{on: make([]bool, p.days()), total: p.days(), mode: mode}
	for i := range s.on {
		d := p.date(i)
		switch {
		case d.Before(PlanStart):
			s.prePlan++
		case !assigned(i):
			s.unassigned++
		case c.absent(d):
			s.absent++
		default:
			s.on[i] = true
			s.covered++
		}
	}
	return s
}

// require returns what the period asks of a policy number full: full
// itself, or under PRO_RATA full × covered / total rounded half up.
func (s scope) require(full int) int {
	if s.mode != ProRata || s.covered == s.total {
		return full
	}
	return (2*full*s.covered + s.total) / (2 * s.total)
}

// exemption returns why the rule is exempt in the period, in each
// language, or ok false when it applies: no date in scope, or under FULL
// any date out of it for an absence or the assignment.
func (s scope) exemption(zh, en string) (string, string, bool) {
	switch {
	case s.covered == 0 && s.prePlan == s.total:
		return "行动方案自 2022 年 3 月起施行，该期不考核", "the action plan applies from March 2022", true
	case s.covered == 0 && s.absent == 0:
		return zh + "无相应派驻任务，不适用", "no assignment for the rule " + en, true
	case s.covered == 0:
		return zh + "均为批准的请假、调训或派驻以外时间，免于考核", "approved absence or no assignment on every day " + en, true
	case s.mode == FullExemption && s.absent+s.unassigned > 0:
		return zh + "有批准的请假、调训或派驻不满一期，按政策免于考核", "approved absence or a partial assignment " + en + ", exempt by policy", true
	}
	return "", "", false
}

// note returns the remark a reduced requirement carries, in each language;
// empty when no number is reduced.
func (s scope) note(numbers []Number) (string, string) {
	for _, n := range numbers {
		if n.Required != n.Full {
			return fmt.Sprintf("（按适用 %d/%d 天折算）", s.covered, s.total),
				fmt.Sprintf(" (pro rata: %d of %d days)", s.covered, s.total)
		}
	}
	return "", ""
}

// nothingRequired reports whether every number asks for nothing.
func nothingRequired(numbers []Number) bool {
	for _, n := range numbers {
		if n.Required > 0 {
			return false
		}
	}
	return true
}

// finish decides r from its numbers, or marks it EXEMPT when they ask for
// nothing; achievable says whether the days left can still meet them.
func (c *cadre) finish(r *Result, p period, s scope, achievable bool, extraZH, extraEN string) Result {
	zh, en := p.label(c.Today)
	if nothingRequired(r.Numbers) {
		noteZH, noteEN := s.note(r.Numbers)
		if noteZH == "" {
			return r.exempt(zh+"政策未设要求"+extraZH, "the policy requires nothing "+en)
		}
		return r.exempt(zh+"按适用天数折算后无要求"+noteZH, "nothing required "+en+noteEN)
	}
	noteZH, noteEN := s.note(r.Numbers)
	r.decide(p, c.Today, achievable, noteZH+extraZH, noteEN+extraEN)
	return *r
}

func latest(a, b presence.Date) presence.Date {
	if a.After(b) {
		return a
	}
	return b
}
