package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/summary"
)

// paperwork makes what surrounds the evidence, in the order it would have
// happened to matter: make-up requests, approved absences, a seminar, then
// the work summaries (and, in a demo ending in January–March, annual
// reports), whose snapshots read the days the make-ups counted. A service
// missing from Deps makes none of its records.
func (s *seeder) paperwork(ctx context.Context) error {
	steps := []struct {
		on bool
		do func(context.Context) error
	}{
		{s.d.MakeUps != nil, s.makeUps}, {s.d.Absences != nil, s.absences}, {s.d.Seminars != nil, s.seminar},
		{s.d.Summaries != nil, s.summaries}, {s.d.Summaries != nil, s.reports},
	}
	for _, st := range steps {
		if !st.on {
			continue
		}
		if err := st.do(ctx); err != nil {
			return err
		}
	}
	return nil
}

// yq is the period's year and quarter.
func (q period) yq() (int, int) { return q.first.Year(), int(q.first.Month()-1)/3 + 1 }

// last is the quarter's last date (midnight), whether or not it has come.
func (q period) last() time.Time { return q.first.AddDate(0, 3, -1) }

// dispatched returns the cadres in work groups, in an order the seed
// decides.
func (s *seeder) dispatched() []*cadre {
	var out []*cadre
	for _, c := range s.cadres {
		if c.county.id != 0 {
			out = append(out, c)
		}
	}
	s.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// supervisor is who decides on c's paperwork: its city committee's
// supervisor, the provincial one for the departments' cadres.
func (s *seeder) supervisor(c *cadre) *person {
	if sup := s.sups[c.home]; c.home != "" && sup != nil {
		return sup
	}
	return s.sups["province"]
}

// setClock moves the clock to t and reports true, unless t is after the
// demo's last moment: what would happen then has not happened yet.
func (s *seeder) setClock(t time.Time) bool {
	if t.After(s.o.Today) {
		return false
	}
	s.d.Clock.Set(t)
	return true
}

// fate is what becomes of a cadre's work summary of the previous quarter.
type fate int

const (
	accepted    fate = iota // submitted on time and accepted
	resubmitted             // returned with a comment, revised, accepted
	revising                // returned, revised, waiting for review again
	late                    // submitted after its due date, then accepted
	returned                // returned and never resubmitted: R8 missed once due
	missed                  // never submitted: R8 missed once due
)

// fateOf spreads the fates over the cadres so that a small demo has each:
// seven in twelve on time, one in twelve of each other fate.
func fateOf(k int) fate {
	if f := k % 12; f >= 1 && f <= 5 {
		return []fate{resubmitted, late, missed, returned, revising}[f-1]
	}
	return accepted
}

var returnComments = []string{
	"请补充走访青年的具体情况和青年反映的主要诉求。",
	"请对照到县天数和行程如实填写，并补充下一步工作打算。",
	"内容过于简略，请补充座谈会和理论宣讲的成效。",
}

// summaries writes the work summaries: for the previous quarter each
// cadre's fate (fateOf), submitted from the first day after the quarter
// and reviewed a day or two later by its supervisor; for the current
// quarter one cadre in five has a draft and one in five has submitted and
// waits for review. What would fall after the demo's last moment (a late
// submission, a review) has not happened.
func (s *seeder) summaries(ctx context.Context) error {
	qs := s.quarters()
	prev, cur := qs[0], qs[1]
	dueDays := s.d.Summaries.Policy.DueDays
	due := cur.first.AddDate(0, 0, dueDays-1) // the previous quarter's last day plus DueDays
	for k, c := range s.dispatched() {
		f := fateOf(k)
		if f == missed {
			continue
		}
		day := cur.first.AddDate(0, 0, s.rng.IntN(max(1, dueDays-3)))
		if f == late {
			day = due.AddDate(0, 0, 1+s.rng.IntN(10))
		}
		t := day.Add(time.Duration(8*60+s.rng.IntN(600)) * time.Minute)
		sm, err := s.submit(ctx, c, prev, 1, t)
		if err != nil {
			return err
		}
		if sm == nil {
			continue
		}
		later := func() time.Time { return t.Add(time.Duration(20+s.rng.IntN(48)) * time.Hour) }
		sup := s.supervisor(c)
		if f == accepted || f == late {
			if _, err := s.decide(ctx, sup, sm, 1, models.SummaryAccept, "", later()); err != nil {
				return err
			}
			continue
		}
		t = later()
		ok, err := s.decide(ctx, sup, sm, 1, models.SummaryReturn, returnComments[s.rng.IntN(len(returnComments))], t)
		if err != nil {
			return err
		}
		if !ok || f == returned {
			continue
		}
		t = later()
		if sm, err = s.submit(ctx, c, prev, 2, t); err != nil {
			return err
		}
		if sm != nil && f == resubmitted {
			if _, err := s.decide(ctx, sup, sm, 2, models.SummaryAccept, "修改后内容完整，同意。", later()); err != nil {
				return err
			}
		}
	}
	for k, c := range s.dispatched() {
		if k%5 > 1 {
			continue
		}
		t := s.o.Today.Add(-3*time.Hour + time.Duration(k)*time.Second)
		if t.Before(cur.first) {
			t = cur.first
		}
		if k%5 == 1 {
			if _, err := s.submit(ctx, c, cur, 1, t); err != nil {
				return err
			}
			continue
		}
		s.d.Clock.Set(t)
		y, q := cur.yq()
		if _, err := s.d.Summaries.SaveDraft(ctx, c.p, models.SummaryQuarterly, y, q, models.SummaryContent{Text: s.summaryText(c, cur, false)}); err != nil {
			return err
		}
		s.out.Summaries++
	}
	return nil
}

// submit submits version n of c's work summary of q at t; nil without
// error when t has not come.
func (s *seeder) submit(ctx context.Context, c *cadre, q period, n int, t time.Time) (*models.Summary, error) {
	if !s.setClock(t) {
		return nil, nil
	}
	y, qq := q.yq()
	sm, _, _, err := s.d.Summaries.Submit(ctx, c.p, summary.Submission{ClientID: fmt.Sprintf("demo-%d-summary-%dQ%d-v%d", c.user.ID, y, qq, n),
		Kind: models.SummaryQuarterly, Year: y, Quarter: qq, Content: models.SummaryContent{Text: s.summaryText(c, q, n > 1)}})
	if err == nil && n == 1 {
		s.out.Summaries++
	}
	return sm, err
}

// decide has sup decide on version n of sm at t; false without error when t
// has not come.
func (s *seeder) decide(ctx context.Context, sup *person, sm *models.Summary, n int, d models.SummaryDecision, comment string, t time.Time) (bool, error) {
	if !s.setClock(t) {
		return false, nil
	}
	_, err := s.d.Summaries.Review(ctx, sup.p, sm.ID, n, d, comment)
	if err == nil && d == models.SummaryReturn {
		s.out.Returned++
	}
	return err == nil, err
}

// summaryText is a plausible work summary of c for q; a revision adds
// what the reviewer asked for.
func (s *seeder) summaryText(c *cadre, q period, revised bool) string {
	y, qq := q.yq()
	t := fmt.Sprintf("%d年第%d季度，本人按照团省委部署下沉%s开展工作。围绕“%s”“%s”走访青年、召开座谈会，了解青年在就业、创业和技能提升方面的诉求，"+
		"并与县团委共同推动解决。下一步将继续加强与县团委的沟通，做好青年需求的跟踪回访。",
		y, qq, c.county.name, topics[s.rng.IntN(len(topics))], topics[s.rng.IntN(len(topics))])
	if revised {
		t += "\n\n（修改稿）根据审阅意见，补充了走访对象和座谈会的具体情况，以及青年诉求的办理进展。"
	}
	return t
}

// reports writes annual reports when the demo's current quarter is the
// first of a year: the previous year's report is then due on the tenth
// day of January. One cadre in six submits it; half of those are accepted
// by the provincial supervisor, named a receiver (书记班子). Later in the
// year no report is due yet, and none is written.
func (s *seeder) reports(ctx context.Context) error {
	cur := s.quarters()[1]
	if cur.first.Month() != time.January {
		return nil
	}
	year, receiver := cur.first.Year()-1, s.sups["province"]
	if err := s.d.Store.SetReportReceiver(ctx, s.sys, receiver.user.ID, true); err != nil {
		return err
	}
	for k, c := range s.dispatched() {
		if k%6 != 0 || !s.setClock(cur.first.AddDate(0, 0, 2+s.rng.IntN(7)).Add(time.Duration(9*60+s.rng.IntN(480))*time.Minute)) {
			continue
		}
		at := s.d.Clock.Now()
		sm, _, _, err := s.d.Summaries.Submit(ctx, c.p, summary.Submission{ClientID: fmt.Sprintf("demo-%d-report-%d", c.user.ID, year),
			Kind: models.SummaryAnnual, Year: year, Content: models.SummaryContent{
				WorkDone:   fmt.Sprintf("%d年本人下沉%s，按季度完成到县工作，走访青年、召开座谈会、开展理论宣讲。", year, c.county.name),
				Results:    "推动解决了一批青年就业和技能培训方面的诉求，县乡团组织建设有所加强。",
				Experience: "坚持问需于青年，建立需求台账并跟踪回访，做到件件有回音。",
				Support:    "县委、县政府和团市委在工作场地、交通和协调相关部门方面给予了具体支持。"}})
		if err != nil {
			return err
		}
		s.out.Reports++
		if k%12 == 0 && s.setClock(at.Add(48*time.Hour)) {
			if _, err := s.d.Summaries.Review(ctx, receiver.p, sm.ID, 1, models.SummaryAccept, ""); err != nil {
				return err
			}
		}
	}
	return nil
}
