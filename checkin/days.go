package checkin

import (
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// dayTable is the presence days a transaction read, with the counting
// check-ins it adds folded in by presence (DayStat.Add and Counted), so
// that the day rule lives in one place.
type dayTable struct {
	policy  presence.Policy
	days    map[store.DayKey]models.PresenceDay
	changed map[store.DayKey]bool
}

func newDayTable(stored map[store.DayKey]models.PresenceDay, p presence.Policy) *dayTable {
	return &dayTable{policy: p, days: stored, changed: map[store.DayKey]bool{}}
}

// add counts one more accepted check-in dated at on a cadre's day at a
// region. The day must have been read.
func (t *dayTable) add(userID int64, date string, regionID int64, at time.Time) {
	k := store.DayKey{UserID: userID, Date: date, RegionID: regionID}
	t.days[k] = dayRow(userID, statOf(t.days[k]).Add(at), t.policy)
	t.changed[k] = true
}

// get returns a day; an empty aggregate when it was not read.
func (t *dayTable) get(userID int64, date string, regionID int64) models.PresenceDay {
	k := store.DayKey{UserID: userID, Date: date, RegionID: regionID}
	if d, ok := t.days[k]; ok {
		return d
	}
	return models.PresenceDay{UserID: userID, Date: date, RegionID: regionID}
}

// changedDays returns the days add changed, for the commit.
func (t *dayTable) changedDays() []models.PresenceDay {
	out := make([]models.PresenceDay, 0, len(t.changed))
	for k := range t.changed {
		out = append(out, t.days[k])
	}
	return out
}

// statOf reads a stored day as presence sees it.
func statOf(d models.PresenceDay) presence.DayStat {
	date, _ := presence.ParseDate(d.Date) // written by dayRow: always valid
	return presence.DayStat{RegionID: d.RegionID, Date: date, Accepted: d.Accepted, First: d.FirstAt, Last: d.LastAt}
}

// dayRow is the stored form of a day of userID, with the day rule applied.
func dayRow(userID int64, d presence.DayStat, p presence.Policy) models.PresenceDay {
	return models.PresenceDay{UserID: userID, Date: d.Date.String(), RegionID: d.RegionID, Accepted: d.Accepted,
		FirstAt: d.First.UTC(), LastAt: d.Last.UTC(), Counted: d.Counted(p)}
}

// Day is a cadre's status at one region on one date, for the phone.
type Day struct {
	RegionID  int64
	Date      string
	CheckIns  int
	Counted   bool
	Message   string
	NotBefore *time.Time
}

// DayStatus explains a presence day for the phone.
func (s *Service) DayStatus(d *models.PresenceDay) *Day {
	st := presence.Status(statOf(*d), s.Policy)
	out := &Day{RegionID: d.RegionID, Date: d.Date, CheckIns: d.Accepted, Counted: st.Counted, Message: st.Message(s.Policy.Location)}
	if !st.NotBefore.IsZero() {
		nb := st.NotBefore
		out.NotBefore = &nb
	}
	return out
}
