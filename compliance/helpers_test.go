package compliance

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// Regions of the tests: two counties (兰考县 and 杞县 in the rotation
// example) and two campuses.
const (
	lankao = 1
	qixian = 2
	zzu    = 10 // 郑州大学
	henu   = 11 // 河南大学
)

// date parses "2026-10-05".
func date(t testing.TB, s string) presence.Date {
	t.Helper()
	d, err := presence.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// dates expands "2026-10-05" and "2026-10-05..2026-10-07" (inclusive).
func dates(t testing.TB, specs ...string) []presence.Date {
	t.Helper()
	var out []presence.Date
	for _, s := range specs {
		from, to, ok := strings.Cut(s, "..")
		if !ok {
			to = from
		}
		for d := date(t, from); !d.After(date(t, to)); d = d.AddDays(1) {
			out = append(out, d)
		}
	}
	return out
}

// onsite returns counted days (check-ins at 08:00 and 13:00 in Shanghai)
// at region.
func onsite(t testing.TB, region int64, specs ...string) []Day {
	t.Helper()
	var out []Day
	for _, d := range dates(t, specs...) {
		out = append(out, countedDay(region, d))
	}
	return out
}

// shanghai is the zone of the tests' check-in times, loaded once.
var shanghai = presence.ShanghaiLocation()

func countedDay(region int64, d presence.Date) Day {
	loc := shanghai
	return Day{DayStat: presence.DayStat{RegionID: region, Date: d}.Add(d.In(loc).Add(8 * time.Hour)).Add(d.In(loc).Add(13 * time.Hour))}
}

// visited returns days with a single check-in at region: not counted.
func visited(t testing.TB, region int64, specs ...string) []Day {
	t.Helper()
	loc := presence.ShanghaiLocation()
	var out []Day
	for _, d := range dates(t, specs...) {
		out = append(out, Day{DayStat: presence.DayStat{RegionID: region, Date: d}.Add(d.In(loc).Add(8 * time.Hour))})
	}
	return out
}

// madeUp returns days at region that only approved make-up requests count.
func madeUp(t testing.TB, region int64, specs ...string) []Day {
	t.Helper()
	var out []Day
	for _, d := range dates(t, specs...) {
		out = append(out, Day{DayStat: presence.DayStat{RegionID: region, Date: d}, MadeUp: true})
	}
	return out
}

// dispatch is a DISPATCH assignment to region from from to to ("" open).
func dispatch(t testing.TB, region int64, from, to string) Assignment {
	return link(t, region, models.PurposeDispatch, from, to)
}

func link(t testing.TB, region int64, purpose models.AssignmentPurpose, from, to string) Assignment {
	t.Helper()
	a := Assignment{RegionID: region, RegionName: map[int64]string{lankao: "兰考县", qixian: "杞县", zzu: "郑州大学", henu: "河南大学"}[region],
		Purpose: purpose, From: date(t, from)}
	if to != "" {
		a.To = date(t, to)
	}
	return a
}

// absence is an approved absence of kind LEAVE.
func absence(t testing.TB, from, to string) Absence {
	return Absence{Kind: AbsenceLeave, From: date(t, from), To: date(t, to)}
}

// facts is a cadre dispatched to 兰考县 since 2026-01-01 with days, on
// the default policy (version "test:v1"), as of today.
func facts(t testing.TB, today string, days ...[]Day) Facts {
	t.Helper()
	f := Facts{Today: date(t, today), DayRule: presence.DefaultPolicy(),
		Assignments: []Assignment{dispatch(t, lankao, "2026-01-01", "")},
		Policies:    FixedTimeline(DefaultPolicy(), "test:v1")}
	for _, d := range days {
		f.Days = append(f.Days, d...)
	}
	return f
}

// with returns the default policy changed by set.
func with(set func(*Policy)) Policy {
	p := DefaultPolicy()
	set(&p)
	return p
}

// find returns the first result of rule (and item, when given).
func find(t testing.TB, results []Result, rule string, item ...string) Result {
	t.Helper()
	for _, r := range results {
		if r.Rule == rule && (len(item) == 0 || r.Item == item[0]) {
			return r
		}
	}
	t.Fatalf("no %s %v among %d results", rule, item, len(results))
	return Result{}
}

// numbers returns each number as "name value/required".
func numbers(r Result) string {
	var s []string
	for _, n := range r.Numbers {
		s = append(s, n.Name+" "+strconv.Itoa(n.Value)+"/"+strconv.Itoa(n.Required))
	}
	return strings.Join(s, ", ")
}
