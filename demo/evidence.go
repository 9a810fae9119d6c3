package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// period is a quarter the demo fills, up to the demo's last day.
type period struct {
	start string // first date
	first time.Time
	days  int // days filled
}

func (q period) day(i int) string { return q.first.AddDate(0, 0, i).Format(time.DateOnly) }

// quarters returns the quarter before Today's and Today's, up to Today.
func (s *seeder) quarters() []period {
	t := s.o.Today.In(s.loc)
	qStart := func(y int, m time.Month) time.Time {
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, s.loc)
	}
	cur := qStart(t.Year(), t.Month())
	prev := cur.AddDate(0, -3, 0)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	return []period{
		{start: prev.Format(time.DateOnly), first: prev, days: int(cur.Sub(prev).Hours()/24 + 0.5)},
		{start: cur.Format(time.DateOnly), first: cur, days: int(today.Sub(cur).Hours()/24+0.5) + 1},
	}
}

// trips returns the day offsets of a cadre's on-site days in a quarter
// of n days: trips of the profile's lengths, apart from each other.
func (s *seeder) trips(p profile, n int) [][]int {
	lengths := map[profile][]int{diligent: {4, 4, 3}, borderline: {3, 2, 2, 2, 2}, lax: {3, 2}, suspicious: {4, 4, 3}}[p]
	var out [][]int
	at := 1 + s.rng.IntN(6)
	for _, l := range lengths {
		if at+l >= n {
			break
		}
		trip := make([]int, l)
		for i := range trip {
			trip[i] = at + i
		}
		out = append(out, trip)
		at += l + 2 + s.rng.IntN(max(1, (n-at)/len(lengths)))
	}
	return out
}

// event is one check-in or activity at a time.
type event struct {
	at       time.Time
	c        *cadre
	checkIn  *checkin.Input
	offline  []checkin.Input
	activity *activity.Input
}

// evidence makes both quarters' check-ins and activities, in time order,
// then the rulings on what waits for review.
func (s *seeder) evidence(ctx context.Context) error {
	var events []event
	for qi, q := range s.quarters() {
		for _, c := range s.cadres {
			if c.county.id == 0 {
				continue
			}
			for ti, trip := range s.trips(c.profile, q.days) {
				for di, d := range trip {
					events = append(events, s.day(c, q, qi, ti, di, d)...)
				}
			}
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
	for i := 0; i < len(events); {
		j := i
		for j < len(events) && events[j].at.Equal(events[i].at) {
			j++
		}
		if err := s.slot(ctx, events[i:j]); err != nil {
			return err
		}
		i = j
	}
	return s.review(ctx)
}

// day returns a cadre's events of one on-site day: a morning and an
// afternoon check-in (synced offline that evening one day in ten), and on
// most days an interview; forums and lectures on the first days of trips.
func (s *seeder) day(c *cadre, q period, qi, ti, di, d int) []event {
	date := q.first.AddDate(0, 0, d)
	where := c.county
	if c.rotated != nil && date.Format(time.DateOnly) >= c.rotate {
		where = *c.rotated
	}
	slot := func(h, m int) time.Time {
		return date.Add(time.Duration(h)*time.Hour + time.Duration(m/10*10)*time.Minute)
	}
	morning := slot(8, s.rng.IntN(120))
	afternoon := morning.Add(4*time.Hour + time.Duration(30+s.rng.IntN(150))*time.Minute).Truncate(10 * time.Minute)
	if c.profile == suspicious && di%2 == 0 {
		afternoon = morning.Add(4 * time.Hour) // exactly four hours, again and again
	}
	fixes := []checkin.Input{s.fix(c, where, morning, fmt.Sprintf("q%d-%s-am", qi, date.Format("0102"))),
		s.fix(c, where, afternoon, fmt.Sprintf("q%d-%s-pm", qi, date.Format("0102")))}
	if c.profile == suspicious && ti == 1 && di == 0 {
		fixes[1].MockLocation = true
	}
	var out []event
	if s.rng.IntN(10) == 0 {
		out = append(out, event{at: date.Add(20 * time.Hour), c: c, offline: fixes})
	} else {
		out = append(out, event{at: morning, c: c, checkIn: &fixes[0]}, event{at: afternoon, c: c, checkIn: &fixes[1]})
	}
	if c.profile == lax {
		return out
	}
	kind := models.KindInterviewYouth
	if (d+ti)%2 == 1 {
		kind = models.KindInterviewCadre
	}
	out = append(out, s.work(c, where, morning.Add(2*time.Hour), kind, fmt.Sprintf("q%d-%s-iv", qi, date.Format("0102"))))
	if di == 0 && ti < 2 {
		kind := []models.ActivityKind{models.KindForumYouth, models.KindForumCadre}[ti]
		out = append(out, s.work(c, where, afternoon.Add(-90*time.Minute), kind, fmt.Sprintf("q%d-%s-forum", qi, date.Format("0102"))))
	}
	if di == 1 && ti == 0 && qi == 0 {
		out = append(out, s.work(c, where, afternoon.Add(-90*time.Minute), models.KindLecture, fmt.Sprintf("q%d-%s-lecture", qi, date.Format("0102"))))
	}
	return out
}

// fix is a check-in within 150 m of the county's inside point, sent as
// GCJ-02 with a 10–30 m accuracy.
func (s *seeder) fix(c *cadre, where county, at time.Time, id string) checkin.Input {
	p := jitter(s, where.anchor, 150)
	return checkin.Input{ClientID: fmt.Sprintf("demo-%d-%s", c.user.ID, id), Lat: p[1], Lon: p[0],
		AccuracyM: float64(10 + s.rng.IntN(20)), CoordSystem: geofence.GCJ02, DeviceTime: at.Add(time.Duration(s.rng.IntN(40)) * time.Second)}
}

// jitter moves p by up to m metres.
func jitter(s *seeder, p orb.Point, m float64) orb.Point {
	const perDegree = 111_000.0
	return orb.Point{p[0] + (s.rng.Float64()*2-1)*m/perDegree, p[1] + (s.rng.Float64()*2-1)*m/perDegree}
}

// work is an activity at where: an interview with a need raised, or a
// forum or lecture with a photo.
func (s *seeder) work(c *cadre, where county, at time.Time, kind models.ActivityKind, id string) event {
	p := jitter(s, where.anchor, 150)
	at = at.Truncate(10 * time.Minute) // the slot the server receives it in
	in := activity.Input{ClientID: fmt.Sprintf("demo-%d-%s", c.user.ID, id), Kind: kind, Lat: p[1], Lon: p[0], AccuracyM: 15,
		CoordSystem: geofence.GCJ02, DeviceTime: at.Add(time.Duration(s.rng.IntN(40)) * time.Second), Topic: topics[s.rng.IntN(len(topics))]}
	switch {
	case kind.Interview():
		in.Interviewee = &activity.IntervieweeInput{Name: name(s.rng), AgeBand: []string{"18-24", "25-28", "29-35"}[s.rng.IntN(3)],
			Occupation: occupations[s.rng.IntN(len(occupations))], Place: places[s.rng.IntN(len(places))]}
		if s.rng.IntN(3) == 0 {
			in.Interviewee.Phone, in.Interviewee.Consent = phone(s.rng), true
		}
		cat := []string{"EMPLOYMENT", "EDUCATION", "ENTREPRENEURSHIP", "HEALTH", "CULTURE_SPORTS", "DIGITAL_SKILLS"}[s.rng.IntN(6)]
		texts := needTexts[cat]
		in.Needs = []activity.NeedInput{{Category: cat, Text: texts[s.rng.IntN(len(texts))]}}
	default:
		in.Participants, in.HostOrg = 12+s.rng.IntN(30), "共青团"+where.name+"委员会"
		jpg := s.photo()
		in.Photos = []activity.Photo{{Filename: "photo.jpg", Size: int64(len(jpg)), Open: func() (io.Reader, error) { return bytes.NewReader(jpg), nil }}}
	}
	return event{at: at, c: c, activity: &in}
}

// photo is a small JPEG of its own colour, so every photo is new.
func (s *seeder) photo() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	col := color.RGBA{uint8(s.rng.IntN(256)), uint8(s.rng.IntN(256)), uint8(s.rng.IntN(256)), 255}
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{col.R ^ uint8(x), col.G ^ uint8(y), col.B, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil) // into memory: cannot fail
	return buf.Bytes()
}

// slot runs the events of one time together, as phones would: the
// check-ins share group-commit batches.
func (s *seeder) slot(ctx context.Context, evs []event) error {
	s.d.Clock.Set(evs[0].at)
	var wg sync.WaitGroup
	errs := make([]error, len(evs))
	var mu sync.Mutex
	for i, e := range evs {
		wg.Go(func() {
			var err error
			n, a := 0, 0
			switch {
			case e.checkIn != nil:
				_, err = s.d.CheckIns.CheckIn(ctx, e.c.p, *e.checkIn)
				n = 1
			case e.offline != nil:
				var items []checkin.ItemResult
				if items, err = s.d.CheckIns.Sync(ctx, e.c.p, e.offline); err == nil {
					for _, it := range items {
						err = cmpErr(err, it.Err)
					}
				}
				n = len(e.offline)
			case e.activity != nil:
				_, err = s.d.Activities.Record(ctx, e.c.p, *e.activity)
				a = 1
			}
			errs[i] = err
			mu.Lock()
			s.out.CheckIns, s.out.Activities = s.out.CheckIns+n, s.out.Activities+a
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// review has the supervisors rule on most check-ins waiting for review:
// confirm three in five, reject one, leave one for the review queue.
func (s *seeder) review(ctx context.Context) error {
	s.d.Clock.Set(s.o.Today.Add(-time.Hour))
	pending := models.CheckInPending
	keys := make([]string, 0, len(s.sups))
	for k := range s.sups {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same seed, the same rulings
	for _, k := range keys {
		sup := s.sups[k]
		after := ""
		for {
			rows, pi, err := s.d.Store.ListCheckIns(ctx, sup.p, store.CheckInFilter{Status: &pending}, store.Page{First: 100, After: after})
			if err != nil {
				return err
			}
			for _, c := range rows {
				d := []models.ReviewDecision{models.ReviewConfirm, models.ReviewConfirm, models.ReviewConfirm, models.ReviewReject, ""}[s.rng.IntN(5)]
				if d == "" {
					continue
				}
				reason := map[models.ReviewDecision]string{models.ReviewConfirm: "核实：县团委确认当天在岗", models.ReviewReject: "位置存疑，无法核实"}[d]
				if _, err := s.d.CheckIns.Review(ctx, sup.p, checkin.Ruling{CheckInID: c.ID, Decision: d, Reason: reason}); err != nil && models.CodeOf(err) != models.CodeConflict {
					return err
				}
				s.out.Reviews++
			}
			if !pi.HasNextPage {
				break
			}
			after = pi.EndCursor
		}
	}
	return nil
}
