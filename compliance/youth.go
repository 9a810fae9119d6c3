package compliance

import (
	"fmt"

	"github.com/henan-youth/onsite/models"
)

// dispatchScope is the scope of p for the rules of dispatched cadres (R6,
// R7, R8, R9): dates with a DISPATCH assignment in force.
func (c *cadre) dispatchScope(p period, mode ExceptionMode) scope {
	return c.scope(p, mode, func(i int) bool {
		_, ok := c.dispatchOn(p.date(i))
		return ok
	})
}

// freeDates returns the dates of s from today on.
func (c *cadre) freeDates(p period, s scope) int {
	free := 0
	for i, on := range s.on {
		if on && !p.date(i).Before(c.Today) {
			free++
		}
	}
	return free
}

// openOverDispatch starts rule's verdict over p for a rule counted over the
// dispatch scope (R6, R7, R9): with the policy in force and the scope, or,
// done, exempt before the plan began or when the scope exempts the period.
func (c *cadre) openOverDispatch(rule string, p period) (r Result, pol Policy, s scope, done bool) {
	eff, begun := c.policyFor(p)
	r = newResult(rule, p, eff, c.Today)
	if !begun {
		return r.exempt("行动方案自 2022 年 3 月起施行，该期不考核", "the action plan applies from March 2022"), pol, s, true
	}
	pol = eff.Policy
	s = c.dispatchScope(p, pol.Exceptions)
	r.CoveredDays = s.covered
	zh, en := p.label(c.Today)
	if why, whyEN, ok := s.exemption(zh, en); ok {
		return r.exempt(why, whyEN), pol, s, true
	}
	return r, pol, s, false
}

// r6 is R6 for quarter q (每季度分别组织1次普通青年座谈交流会和1次基层团干部座谈交流会，
// 至少一对一访谈10名以上普通青年和10名以上基层团干部), from the counting activities.
// Any number of activities fit in one on-site day, so R6 can still be met
// while one date in scope is left.
func (c *cadre) r6(q Quarter) Result {
	p := quarterPeriod(q)
	r, pol, s, done := c.openOverDispatch("R6", p)
	if done {
		return r
	}
	kind := func(k models.ActivityKind, name, label, unit, verb, one, many string) Number {
		full := pol.Required(k)
		return count(name, label, many, unit, c.Activities.Quarter[k], s.require(full), full,
			func(n int) string { return fmt.Sprintf(verb, n) },
			func(n int) string { return more(n, one, many) })
	}
	r.Numbers = []Number{
		kind(models.KindForumYouth, "forumsYouth", "普通青年座谈交流会", "次", "组织 %d 次普通青年座谈交流会",
			"forum with ordinary youths", "forums with ordinary youths"),
		kind(models.KindForumCadre, "forumsCadre", "基层团干部座谈交流会", "次", "组织 %d 次基层团干部座谈交流会",
			"forum with grassroots League cadres", "forums with grassroots League cadres"),
		kind(models.KindInterviewYouth, "interviewsYouth", "一对一访谈普通青年", "名", "一对一访谈普通青年 %d 名",
			"interview of an ordinary youth", "interviews of ordinary youths"),
		kind(models.KindInterviewCadre, "interviewsCadre", "一对一访谈基层团干部", "名", "一对一访谈基层团干部 %d 名",
			"interview of a grassroots League cadre", "interviews of grassroots League cadres"),
	}
	return c.finish(&r, p, s, c.freeDates(p, s) > 0, "", "")
}

// r7 is R7 for year (每年至少开展2次理论宣讲), from the counting lectures.
// Like R6, it can still be met while one date in scope is left.
func (c *cadre) r7(year int) Result {
	p := yearPeriod(year)
	r, pol, s, done := c.openOverDispatch("R7", p)
	if done {
		return r
	}
	r.Numbers = []Number{count("lectures", "理论宣讲", "theory lectures", "次", c.Activities.YearLectures,
		s.require(pol.LecturesPerYear), pol.LecturesPerYear,
		func(n int) string { return fmt.Sprintf("开展理论宣讲 %d 次", n) },
		func(n int) string { return more(n, "theory lecture", "theory lectures") })}
	return c.finish(&r, p, s, c.freeDates(p, s) > 0, "", "")
}

// r9 is R9 for a half year (每名下沉干部每半年至少做一次研讨交流). A cadre
// speaks at most once on a date, so it can still be met while the dates
// in scope left are at least the talks short.
func (c *cadre) r9(year, half int) Result {
	p := halfPeriod(year, half)
	r, pol, s, done := c.openOverDispatch("R9", p)
	if done {
		return r
	}
	talks := 0
	for _, d := range c.Talks.Dates {
		if p.contains(d) {
			talks++
		}
	}
	req := s.require(pol.TalksPerHalfYear)
	r.Numbers = []Number{count("talks", "研讨发言", "seminar talks", "次", talks, req, pol.TalksPerHalfYear,
		func(n int) string { return fmt.Sprintf("研讨发言 %d 次", n) },
		func(n int) string { return more(n, "seminar talk", "seminar talks") })}
	return c.finish(&r, p, s, talks+c.freeDates(p, s) >= req, "", "")
}
