package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// Count says whether an activity counts toward R6/R7 and, when it does
// not, why — in Chinese for the cadre, with the English beside it.
type Count struct {
	Counts       bool
	Status       models.ActivityStatus // with the ruling applied
	Reason       string                // empty when it counts
	ReasonEN     string
	Review       *models.ActivityReview
	SupersededBy *int64 // the activity correcting this one
}

// Counts decides, when read, whether each activity counts: it counts
// exactly when it is RECORDED or CONFIRMED, not superseded by a
// correction, and its Asia/Shanghai date is a counted on-site day of its
// cadre at a region where it took place (the region it is recorded against
// or any region it lies wholly inside). So an interview at 10:00 counts
// once the afternoon check-in completes the day, and stops counting if the
// check-in that made the day is rejected. It reads the presence-day table,
// never raw check-ins: three statements whatever the number of activities.
func (s *Service) Counts(ctx context.Context, p *authz.Principal, acts []*models.Activity) (map[int64]Count, error) {
	var keys []store.DayKey
	for _, a := range acts {
		for _, r := range regionsOf(a) {
			keys = append(keys, store.DayKey{UserID: a.UserID, Date: a.LocalDate, RegionID: r})
		}
	}
	facts, err := s.Store.ActivityFacts(ctx, p, acts, keys)
	if err != nil {
		return nil, err
	}
	today := presence.DateOf(s.Now(), s.Policy.Location).String()
	out := make(map[int64]Count, len(acts))
	for _, a := range acts {
		out[a.ID] = s.count(a, facts, today)
	}
	return out, nil
}

// regionsOf returns where an activity took place: the region it is
// recorded against, and every other region it lies wholly inside.
func regionsOf(a *models.Activity) []int64 {
	if a.RegionID == nil {
		return nil
	}
	out := []int64{*a.RegionID}
	for _, r := range a.Located {
		if r.Verdict == string(geofence.Inside) && r.RegionID != *a.RegionID {
			out = append(out, r.RegionID)
		}
	}
	return out
}

func (s *Service) count(a *models.Activity, f *store.ActivityFacts, today string) Count {
	c := Count{Status: a.Status, Review: f.Reviews[a.ID]}
	if c.Review != nil {
		c.Status = models.ActivityRejected
		if c.Review.Decision == models.ReviewConfirm {
			c.Status = models.ActivityConfirmed
		}
	}
	if by, ok := f.CorrectedBy[a.ID]; ok {
		c.SupersededBy = &by
		c.Reason, c.ReasonEN = fmt.Sprintf("已被第 %d 条更正，以更正后的记录为准", by), fmt.Sprintf("corrected by activity %d, which counts instead", by)
		return c
	}
	switch c.Status {
	case models.ActivityRejected:
		c.Reason, c.ReasonEN = "审核未通过："+c.Review.Reason, "rejected by a reviewer: "+c.Review.Reason
		return c
	case models.ActivityPending:
		c.Reason, c.ReasonEN = "等待审核（位置或照片需核实）", "waiting for a reviewer (its place or a photo needs checking)"
		return c
	}
	regions := regionsOf(a)
	if len(regions) == 0 {
		c.Reason, c.ReasonEN = "不在任何下沉地区内，不计入", "outside every county and campus: it counts nowhere"
		return c
	}
	for _, r := range regions {
		if d := f.Days[store.DayKey{UserID: a.UserID, Date: a.LocalDate, RegionID: r}]; d.Counted {
			c.Counts = true
			return c
		}
	}
	c.Reason, c.ReasonEN = s.dayReason(f.Days[store.DayKey{UserID: a.UserID, Date: a.LocalDate, RegionID: regions[0]}], today)
	return c
}

// dayReason says why a day is not an on-site day yet, for the cadre.
func (s *Service) dayReason(d models.PresenceDay, today string) (zh, en string) {
	place := fmt.Sprint(d.RegionID)
	if r := s.Regions.Get(d.RegionID); r != nil {
		place = r.Name
	}
	when, whenEN := d.Date, d.Date
	if d.Date == today {
		when, whenEN = "今天", "today"
	}
	date, _ := presence.ParseDate(d.Date)
	st := presence.Status(presence.DayStat{RegionID: d.RegionID, Date: date, Accepted: d.Accepted, First: d.FirstAt, Last: d.LastAt}, s.Policy)
	head := fmt.Sprintf("%s在%s还不是有效下沉日", when, place)
	headEN := fmt.Sprintf("not an on-site day at %s %s yet", place, whenEN)
	if d.Date < today {
		head, headEN = fmt.Sprintf("%s在%s不是有效下沉日", when, place), fmt.Sprintf("%s was not an on-site day at %s", whenEN, place)
	}
	rule := fmt.Sprintf("需至少 %d 次有效签到、首末间隔 %s", s.Policy.MinCheckInsPerDay, hours(s.Policy.MinDaySpan))
	ruleEN := fmt.Sprintf("it needs %d counting check-ins, the first and last %s apart", s.Policy.MinCheckInsPerDay, s.Policy.MinDaySpan)
	switch {
	case d.Accepted == 0:
		return head + "：当天在此没有有效签到", headEN + ": no counting check-in there that day"
	case d.Date >= today && st.Possible && !st.NotBefore.IsZero():
		hhmm := roundUp(st.NotBefore.In(s.Policy.Location))
		return fmt.Sprintf("%s：还需 %s 后再签到一次", head, hhmm), fmt.Sprintf("%s: one more check-in after %s", headEN, hhmm)
	case d.Date >= today && st.Possible:
		return fmt.Sprintf("%s：还需再签到 %d 次", head, st.Needed), fmt.Sprintf("%s: %d more check-ins needed", headEN, st.Needed)
	}
	return head + "：" + rule, headEN + ": " + ruleEN
}

// roundUp formats t as HH:MM, rounded up to the minute, so a check-in at
// the time shown always completes the day.
func roundUp(t time.Time) string {
	if r := t.Truncate(time.Minute); r.Before(t) {
		t = r.Add(time.Minute)
	}
	return t.Format("15:04")
}

// hours writes a span as the plan's readers count it: "4 小时".
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d 分钟", int(d/time.Minute))
}
