package compliance

import (
	"fmt"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// r3 is R3 for year (累计每年到基层工作不少于50天；基层组织建设部同志不少于60天):
// distinct counted dates at any region — the dispatch county, campuses,
// and grassroots counties the cadre is not assigned to alike — a date
// counted once however many regions count it. R3 asks it of every organ
// cadre, so it needs no assignment; approved absences reduce it.
func (c *cadre) r3(year int) Result {
	p := yearPeriod(year)
	eff, begun := c.policyFor(p)
	r := newResult("R3", p, eff, c.Today)
	zh, en := p.label(c.Today)
	if !begun {
		return r.exempt("行动方案自 2022 年 3 月起施行，该期不考核", "the action plan applies from March 2022")
	}
	pol := eff.Policy
	s := c.scope(p, pol.Exceptions, func(int) bool { return true })
	r.CoveredDays = s.covered
	if why, whyEN, ok := s.exemption(zh, en); ok {
		return r.exempt(why, whyEN)
	}
	gps, made := map[presence.Date]bool{}, map[presence.Date]bool{}
	for k := range c.gps {
		if p.contains(k.date) {
			gps[k.date] = true
		}
	}
	for k := range c.madeUp {
		if p.contains(k.date) && !gps[k.date] {
			made[k.date] = true
		}
	}
	days := len(gps) + len(made)
	r.MadeUpDays = len(made)
	free := 0
	for i, on := range s.on {
		if d := p.date(i); on && !d.Before(c.Today) && !gps[d] && !made[d] {
			free++
		}
	}
	full, label, extraZH, extraEN := pol.YearDays, "到基层工作天数", "", ""
	if c.GrassrootsDept {
		full, extraZH, extraEN = pol.GrassrootsDeptYearDays, "（基层组织建设部）", " (Grassroots Organization Dept.)"
	}
	req := s.require(full)
	if s.mode == ProRata {
		req = min(req, s.covered)
	}
	r.Numbers = []Number{count("days", label, "grassroots days", "天", days, req, full,
		func(n int) string { return fmt.Sprintf("到基层工作 %d 天", n) },
		func(n int) string { return more(n, "grassroots day", "grassroots days") })}
	return c.finish(&r, p, s, days+free >= req, extraZH, extraEN)
}

// r4 is R4 for quarter q (每季度至少分别到校工作1天): one result per campus
// linked in the quarter, each judged on its own days while its link is in
// force; one result when none is linked — exempt for a cadre outside the
// school-work group, short for a member.
func (c *cadre) r4(q Quarter) []Result {
	p := quarterPeriod(q)
	eff, begun := c.policyFor(p)
	zh, en := p.label(c.Today)
	if !begun {
		r := newResult("R4", p, eff, c.Today)
		return []Result{r.exempt("行动方案自 2022 年 3 月起施行，该期不考核", "the action plan applies from March 2022")}
	}
	var links []Assignment // one per campus, in the order first linked
	seen := map[int64]bool{}
	for _, a := range c.Assignments {
		if a.Purpose == models.PurposeDispatch || seen[a.RegionID] || a.From.After(p.last) || (!a.To.IsZero() && a.To.Before(p.first)) {
			continue
		}
		seen[a.RegionID] = true
		links = append(links, a)
	}
	if len(links) == 0 {
		r := newResult("R4", p, eff, c.Today)
		if !c.SchoolWorkGroup {
			return []Result{r.exempt("不是学校工作领导小组成员，不适用", "not a member of the school-work leading group")}
		}
		r.Status = StatusAtRisk
		if c.Today.After(p.last) {
			r.Status = StatusMissed
		}
		r.Message = zh + "尚未关联联系高校：须直接联系所在地市及省会各一所高校，每季度分别到校工作"
		r.MessageEN = "R4: no campus linked " + en + "; link one in the dispatch city and one in the provincial capital"
		r.Gaps = []string{"R4: no campus linked; link one in the dispatch city and one in the provincial capital"}
		return []Result{r}
	}
	var out []Result
	for _, link := range links {
		out = append(out, c.campus(p, eff, link))
	}
	return out
}

// campus is R4 at one linked campus: its days while the link is in force.
func (c *cadre) campus(p period, eff Effective, link Assignment) Result {
	pol := eff.Policy
	r := newResult("R4", p, eff, c.Today)
	r.Item, r.RegionID = link.RegionName, link.RegionID
	zh, en := p.label(c.Today)
	linked := make([]bool, p.days())
	for i := range linked {
		for _, a := range c.Assignments {
			linked[i] = linked[i] || (a.RegionID == link.RegionID && a.Purpose != models.PurposeDispatch && a.On(p.date(i)))
		}
	}
	s := c.scope(p, pol.Exceptions, func(i int) bool { return linked[i] })
	r.CoveredDays = s.covered
	if why, whyEN, ok := s.exemption(zh, en); ok {
		return r.exempt(why, whyEN)
	}
	days, free := 0, 0
	for i := range s.on {
		d := p.date(i)
		counted, madeUp := c.counts(link.RegionID, d)
		switch {
		case !linked[i]: // a day before or after the link counts toward R3 only
		case counted:
			days++
			if madeUp {
				r.MadeUpDays++
			}
		case s.on[i] && !d.Before(c.Today):
			free++
		}
	}
	req := s.require(pol.CampusDaysPerQuarter)
	if s.mode == ProRata {
		req = min(req, s.covered)
	}
	name := link.RegionName
	if name == "" {
		name = fmt.Sprintf("campus %d", link.RegionID)
	}
	r.Numbers = []Number{count("days", "到"+name+"工作天数", "days at "+name, "天", days, req, pol.CampusDaysPerQuarter,
		func(n int) string { return fmt.Sprintf("到%s工作 %d 天", name, n) },
		func(n int) string { return more(n, "day at "+name, "days at "+name) })}
	return c.finish(&r, p, s, days+free >= req, "", "")
}
