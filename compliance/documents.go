package compliance

import "fmt"

// r8Summary is R8's quarterly work summary (每季度提交工作小结) of q, due
// SummaryDueDays after the quarter's last day.
func (c *cadre) r8Summary(q Quarter) Result {
	p := quarterPeriod(q)
	eff, _ := c.policyFor(p)
	return c.document(p, eff, "SUMMARY", c.Documents.Summary, eff.Policy.SummaryDueDays, p.zh+"工作小结", "work summary of "+p.name)
}

// r8Report is R8's annual written report to the secretaries' team
// (每年度向书记班子书面报告工作情况) of year, due ReportDueDays after 31 December.
func (c *cadre) r8Report(year int) Result {
	p := yearPeriod(year)
	eff, _ := c.policyFor(p)
	return c.document(p, eff, "ANNUAL_REPORT", c.Documents.AnnualReport, eff.Policy.ReportDueDays,
		fmt.Sprintf("%d年度书面报告", year), fmt.Sprintf("annual report of %d", year))
}

// document judges one R8 document. It is MET once accepted; a submission
// waiting for review, or a document not yet due, is ON_TRACK; a document
// neither accepted nor waiting once its due date has passed is MISSED. A
// document can be written on any day up to its due date, so it is never
// AT_RISK. DaysLeft counts to the due date. A period with no dispatch is
// exempt, as is one with absences under FULL; a document is not reduced
// pro rata.
func (c *cadre) document(p period, eff Effective, item string, doc Document, dueDays int, name, nameEN string) Result {
	r := newResult("R8", p, eff, c.Today)
	r.Item = item
	if p.last.Before(PlanStart) {
		return r.exempt("行动方案自 2022 年 3 月起施行，该期不考核", "the action plan applies from March 2022")
	}
	s := c.dispatchScope(p, eff.Policy.Exceptions)
	r.CoveredDays = s.covered
	if why, whyEN, ok := s.exemption(p.zh, p.en); ok {
		return r.exempt(why, whyEN)
	}
	due := p.last.AddDays(dueDays)
	r.Due, r.DaysLeft = due, daysLeft(p.first, due, c.Today)
	accepted := 0
	if doc.Status == DocAccepted {
		accepted = 1
	}
	r.Numbers = []Number{count("accepted", "已通过的"+name, "accepted "+nameEN, "份", accepted, 1, 1,
		func(int) string { return "提交" + name }, func(int) string { return "the " + nameEN })}
	late, lateEN := "", ""
	if !doc.FirstSubmitted.IsZero() && doc.FirstSubmitted.After(due) {
		n := doc.FirstSubmitted.Sub(due)
		late, lateEN = fmt.Sprintf("（逾期 %d 天提交）", n), fmt.Sprintf(" (submitted %s late)", plural(n, "day", "days"))
	}
	open := !c.Today.After(due)
	switch {
	case doc.Status == DocAccepted:
		r.Status = StatusMet
		r.Message, r.MessageEN = name+"已通过"+late, fmt.Sprintf("R8 met: the %s was accepted%s", nameEN, lateEN)
	case doc.Status == DocSubmitted:
		r.Status = StatusOnTrack
		r.Message, r.MessageEN = name+"已提交，待审核"+late, fmt.Sprintf("R8: the %s waits for review%s", nameEN, lateEN)
	case doc.Status == DocReturned && open:
		r.Status = StatusOnTrack
		r.Message = fmt.Sprintf("%s已退回，须于 %s 前修改后重新提交，剩余 %d 天", name, due, r.DaysLeft)
		r.MessageEN = fmt.Sprintf("R8: the %s was returned; resubmit it by %s, %s left", nameEN, due, plural(r.DaysLeft, "day", "days"))
	case doc.Status == DocReturned:
		r.Status = StatusMissed
		r.Message, r.MessageEN = fmt.Sprintf("%s退回后逾期未重新提交（截止 %s）", name, due), fmt.Sprintf("R8 missed: the %s was returned and not resubmitted by %s", nameEN, due)
	case open:
		r.Status = StatusOnTrack
		r.Message = fmt.Sprintf("%s须于 %s 前提交，剩余 %d 天", name, due, r.DaysLeft)
		r.MessageEN = fmt.Sprintf("R8: the %s is due by %s, %s left", nameEN, due, plural(r.DaysLeft, "day", "days"))
	default:
		r.Status = StatusMissed
		r.Message, r.MessageEN = fmt.Sprintf("%s逾期未提交（截止 %s）", name, due), fmt.Sprintf("R8 missed: the %s was not submitted by %s", nameEN, due)
	}
	if r.Status != StatusMet {
		r.Gaps = []string{r.MessageEN}
	}
	return r
}
