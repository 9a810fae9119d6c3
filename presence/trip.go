package presence

import (
	"cmp"
	"slices"
)

// Trip is a maximal run of consecutive counted calendar days at one region
// (R2: "每次不少于3天" is measured on trips). Start and End are inclusive;
// Days is End − Start + 1.
type Trip struct {
	RegionID int64
	Start    Date
	End      Date
	Days     int
}

// Trips returns the maximal runs of consecutive counted days (DayStat.Counted
// under p) at the same region, sorted by (Start, RegionID), or nil if no day
// is counted. Days that do not count break a run, as do missing dates; days
// at other regions neither break nor extend it (R2 looks at one county). A
// region-date listed twice counts once. Trips are not clipped to any
// quarter; compliance does that (R2).
func Trips(days []DayStat, p Policy) []Trip {
	type regionDate struct {
		region int64
		date   Date
	}
	var counted []regionDate
	for _, d := range days {
		if d.Counted(p) {
			counted = append(counted, regionDate{d.RegionID, d.Date})
		}
	}
	slices.SortFunc(counted, func(a, b regionDate) int {
		if c := cmp.Compare(a.region, b.region); c != 0 {
			return c
		}
		return a.date.Compare(b.date)
	})
	counted = slices.Compact(counted)

	var trips []Trip
	for i, rd := range counted {
		if i > 0 && counted[i-1].region == rd.region && rd.date.Sub(counted[i-1].date) == 1 {
			t := &trips[len(trips)-1]
			t.End = rd.date
			t.Days++
			continue
		}
		trips = append(trips, Trip{RegionID: rd.region, Start: rd.date, End: rd.date, Days: 1})
	}
	slices.SortFunc(trips, func(a, b Trip) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.RegionID, b.RegionID)
	})
	return trips
}

// CountedDates returns the distinct dates on which at least one day in days
// is counted under p, in ascending order, or nil if none is. A date counted
// at two regions appears once (R3: "one day counted once").
func CountedDates(days []DayStat, p Policy) []Date {
	var dates []Date
	for _, d := range days {
		if d.Counted(p) {
			dates = append(dates, d.Date)
		}
	}
	slices.SortFunc(dates, Date.Compare)
	return slices.Compact(dates)
}
