package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/henan-youth/onsite/absence"
	"github.com/henan-youth/onsite/makeup"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/seminar"
)

var (
	makeUpReasons = []string{"手机没电，当天未能签到", "所在村信号弱，签到多次失败", "手机系统更新后定位权限被关闭，当天未能签到"}
	witnessTitles = []string{"团县委书记", "团县委副书记", "乡镇团委书记", "团县委组织部部长"}
)

// makeUps has a few cadres a quarter (one in forty, at least three) ask for
// the day after one of their trips to count — a date with no check-in
// inside their assignment — with a reason, a countersignature and a photo,
// the day after. Their supervisor decides a day or so later: in the
// previous quarter two in three are approved and the rest refused; in the
// current quarter one is approved, one refused and one left waiting in the
// review queue, in turn. One request per cadre and quarter stays under the
// policy's cap of approved make-ups.
func (s *seeder) makeUps(ctx context.Context) error {
	for qi, q := range s.quarters() {
		made := 0
		for _, c := range s.dispatched() {
			if made == max(3, len(s.cadres)/40) {
				break
			}
			if c.rotated != nil {
				continue // its county changes in the quarter: keep its requests simple
			}
			date, err := s.freeDay(ctx, c, q)
			if err != nil {
				return err
			}
			if date.IsZero() {
				continue
			}
			decision := [][]models.MakeUpDecisionKind{{models.MakeUpApprove, models.MakeUpRefuse, models.MakeUpApprove},
				{models.MakeUpApprove, models.MakeUpRefuse, ""}}[qi][made%3]
			made++
			at := date.AddDate(0, 0, 1).Add(time.Duration(9*60+s.rng.IntN(180)) * time.Minute)
			if !s.setClock(at) {
				continue
			}
			jpg := s.photo()
			day := date.Format(time.DateOnly)
			res, err := s.d.MakeUps.Request(ctx, c.p, makeup.Input{ClientID: fmt.Sprintf("demo-%d-makeup-%s", c.user.ID, day), Date: day,
				RegionID: c.county.id, Reason: makeUpReasons[s.rng.IntN(len(makeUpReasons))], WitnessName: name(s.rng),
				WitnessTitle: witnessTitles[s.rng.IntN(len(witnessTitles))],
				Photos:       []makeup.Photo{{Filename: "IMG_" + date.Format("0102") + ".jpg", Open: func() (io.Reader, error) { return bytes.NewReader(jpg), nil }}}})
			if err != nil {
				return err
			}
			s.out.MakeUps++
			if decision == "" || !s.setClock(at.Add(time.Duration(20+s.rng.IntN(24))*time.Hour)) {
				continue
			}
			reason := map[models.MakeUpDecisionKind]string{models.MakeUpApprove: "县团委书面证明当天在岗，照片可核",
				models.MakeUpRefuse: "证明材料不足，照片与当天工作无法对应"}[decision]
			if _, err := s.d.MakeUps.Decide(ctx, s.supervisor(c).p, res.MakeUp.ID, decision, reason); err != nil {
				return err
			}
		}
	}
	return nil
}

// dayDates returns c's days in q and the set of their dates.
func (s *seeder) dayDates(ctx context.Context, c *cadre, q period) ([]*models.PresenceDay, map[string]bool, error) {
	rows, err := s.d.Store.Days(ctx, s.sys, c.user.ID, q.start, q.last().Format(time.DateOnly))
	if err != nil {
		return nil, nil, err
	}
	taken := map[string]bool{}
	for _, r := range rows {
		taken[r.Date] = true
	}
	return rows, taken, nil
}

// freeDay returns a date of q with no check-in of c that follows one of
// its counted days at its county, early enough that its request and the
// decision on it have happened by the demo's last day; the zero time when
// there is none.
func (s *seeder) freeDay(ctx context.Context, c *cadre, q period) (time.Time, error) {
	rows, taken, err := s.dayDates(ctx, c, q)
	if err != nil {
		return time.Time{}, err
	}
	limit := time.Date(s.o.Today.In(s.loc).Year(), s.o.Today.In(s.loc).Month(), s.o.Today.In(s.loc).Day()-3, 0, 0, 0, 0, s.loc)
	var free []time.Time
	for _, r := range rows {
		d, err := time.ParseInLocation(time.DateOnly, r.Date, s.loc)
		if err != nil {
			return time.Time{}, err
		}
		next := d.AddDate(0, 0, 1)
		if r.Counted && r.RegionID == c.county.id && !taken[next.Format(time.DateOnly)] && !next.After(limit) && !next.After(q.last()) {
			free = append(free, next)
		}
	}
	if len(free) == 0 {
		return time.Time{}, nil
	}
	return free[s.rng.IntN(len(free))], nil
}

// absences records a few approved absences in the current quarter (one
// cadre in sixty, at least three), approved by the cadre's supervisor a
// few days ahead: training (调训) of five days and leave of three, in
// turn, on dates without check-ins. The last is withdrawn a day later.
func (s *seeder) absences(ctx context.Context) error {
	cur := s.quarters()[1]
	n := max(3, len(s.cadres)/60)
	list := s.dispatched()
	for i, c := range list[:min(n, len(list))] {
		kind, days, reason := models.AbsenceTraining, 5, "参加团中央举办的基层团干部调训"
		if i%2 == 1 {
			kind, days, reason = models.AbsenceLeave, 3, "家中老人住院，请事假"
		}
		from, err := s.freeSpan(ctx, c, cur, days)
		if err != nil {
			return err
		}
		if from.IsZero() {
			continue
		}
		at := from.AddDate(0, 0, -3).Add(10 * time.Hour)
		if at.After(s.o.Today) {
			at = s.o.Today
		}
		s.d.Clock.Set(at)
		sup := s.supervisor(c)
		res, err := s.d.Absences.Record(ctx, sup.p, absence.Input{ClientID: fmt.Sprintf("demo-%d-absence-%s", c.user.ID, from.Format(time.DateOnly)),
			UserID: c.user.ID, Kind: kind, From: from.Format(time.DateOnly), To: from.AddDate(0, 0, days-1).Format(time.DateOnly), Reason: reason})
		if err != nil {
			return err
		}
		s.out.Absences++
		if i == n-1 {
			if !s.setClock(at.Add(26 * time.Hour)) {
				s.d.Clock.Set(s.o.Today) // at is not after it
			}
			if _, _, err := s.d.Absences.Withdraw(ctx, sup.p, res.Absence.ID, "计划取消，该干部照常在岗，撤回该记录"); err != nil {
				return err
			}
			s.out.Withdrawn++
		}
	}
	return nil
}

// freeSpan returns the first date of n consecutive dates of quarter q, from
// a date the seed picks in its first weeks, on which c has no day; the
// zero time when there are none.
func (s *seeder) freeSpan(ctx context.Context, c *cadre, q period, n int) (time.Time, error) {
	_, taken, err := s.dayDates(ctx, c, q)
	if err != nil {
		return time.Time{}, err
	}
	for from := q.first.AddDate(0, 0, s.rng.IntN(15)); !from.AddDate(0, 0, n-1).After(q.last()); from = from.AddDate(0, 0, 1) {
		free := true
		for i := range n {
			free = free && !taken[from.AddDate(0, 0, i).Format(time.DateOnly)]
		}
		if free {
			return from, nil
		}
	}
	return time.Time{}, nil
}

// seminar has a supervisor open the seminar of its unit's round of the
// previous quarter on the quarter's last day — the first city committee
// with three dispatched cadres, else the first department with three —
// drawing two speakers (three from six cadres), and record each drawn
// speaker's talk with a score that afternoon: R9 is met for the speakers
// and not yet for the others.
func (s *seeder) seminar(ctx context.Context) error {
	count := map[int64]int{}
	var firsts []*cadre // the first dispatched cadre of each unit
	for _, c := range s.cadres {
		if c.county.id == 0 {
			continue
		}
		if count[c.unit.ID] == 0 {
			firsts = append(firsts, c)
		}
		count[c.unit.ID]++
	}
	var pick *cadre
	for _, c := range firsts {
		if count[c.unit.ID] >= 3 && (pick == nil || pick.home == "" && c.home != "") {
			pick = c
		}
	}
	if pick == nil {
		return nil
	}
	prev := s.quarters()[0]
	y, q := prev.yq()
	last, sup := prev.last(), s.supervisor(pick)
	speakers := 2
	if count[pick.unit.ID] >= 6 {
		speakers = 3
	}
	s.d.Clock.Set(last.Add(14*time.Hour + 30*time.Minute))
	op, err := s.d.Seminars.Open(ctx, sup.p, seminar.OpenInput{ClientID: fmt.Sprintf("demo-seminar-%d-%dQ%d", pick.unit.ID, y, q),
		Title: fmt.Sprintf("%s%d年第%d季度下沉工作研讨会", pick.unit.Name, y, q), OrgUnitID: pick.unit.ID,
		From: prev.start, To: last.Format(time.DateOnly), Speakers: speakers})
	if err != nil {
		return err
	}
	s.out.Seminars++
	for i, id := range op.Draw.Speakers {
		s.d.Clock.Set(last.Add(17*time.Hour + time.Duration(i)*time.Minute))
		topic := topics[s.rng.IntN(len(topics))]
		if _, _, err := s.d.Seminars.RecordTalk(ctx, sup.p, seminar.TalkInput{ClientID: fmt.Sprintf("demo-talk-%d-%d", op.Seminar.ID, id),
			SeminarID: op.Seminar.ID, SpeakerID: id, Title: "关于" + topic + "的研讨发言", Notes: "结合下沉所在县的走访情况交流体会，提出了改进建议。",
			Score: 75 + s.rng.IntN(21), GivenOn: last.Format(time.DateOnly)}); err != nil {
			return err
		}
		s.out.Talks++
	}
	return nil
}
