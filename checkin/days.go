package checkin

import (
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/store"
)

// dayTable is the presence days a transaction read, with the counting
// check-ins it adds folded in by presence (DayStat.Add, Counted and Row),
// so that the day rule lives in one place.
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
	t.days[k] = presence.StatOf(t.days[k]).Add(at).Row(userID, t.policy)
	t.changed[k] = true
}

// set replaces a cadre's day with d, recomputed elsewhere (a ruling that
// removes a check-in from it). An empty d deletes the row.
func (t *dayTable) set(userID int64, d presence.DayStat) {
	k := store.DayKey{UserID: userID, Date: d.Date.String(), RegionID: d.RegionID}
	row := d.Row(userID, t.policy)
	if d.Empty() {
		row = models.PresenceDay{UserID: userID, Date: k.Date, RegionID: k.RegionID}
	}
	t.days[k] = row
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

// changedDays returns the days add and set changed, for the commit; a day
// with no check-in and no make-up is one to delete (Accepted 0, not made
// up).
func (t *dayTable) changedDays() []models.PresenceDay {
	out := make([]models.PresenceDay, 0, len(t.changed))
	for k := range t.changed {
		out = append(out, t.days[k])
	}
	return out
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
	st := presence.Status(presence.StatOf(*d), s.Policy)
	out := &Day{RegionID: d.RegionID, Date: d.Date, CheckIns: d.Accepted, Counted: st.Counted, Message: st.Message(s.Policy.Location)}
	if !st.NotBefore.IsZero() {
		nb := st.NotBefore
		out.NotBefore = &nb
	}
	return out
}
