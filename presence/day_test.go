package presence

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestDayStatAddCounted(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		name        string
		times       []string
		first, last string
		counted     bool
	}{
		{"none", nil, "", "", false},
		{"one", []string{"2026-11-27 08:00"}, "2026-11-27 08:00", "2026-11-27 08:00", false},
		{"two 4h apart", []string{"2026-11-27 08:00", "2026-11-27 12:00"}, "2026-11-27 08:00", "2026-11-27 12:00", true},
		{"two 3h59m apart", []string{"2026-11-27 08:01", "2026-11-27 12:00"}, "2026-11-27 08:01", "2026-11-27 12:00", false},
		{"out of order", []string{"2026-11-27 15:00", "2026-11-27 09:00", "2026-11-27 11:00"},
			"2026-11-27 09:00", "2026-11-27 15:00", true},
		{"same instant twice", []string{"2026-11-27 09:00", "2026-11-27 09:00"}, "2026-11-27 09:00", "2026-11-27 09:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DayStat{RegionID: 7, Date: Date{2026, 11, 27}}
			for _, s := range tt.times {
				d = d.Add(at(t, s))
			}
			if got, want := d.Accepted, len(tt.times); got != want {
				t.Errorf("Accepted: got %d, want %d", got, want)
			}
			if tt.first != "" && (!d.First.Equal(at(t, tt.first)) || !d.Last.Equal(at(t, tt.last))) {
				t.Errorf("First, Last: got %v, %v; want %s, %s", d.First, d.Last, tt.first, tt.last)
			}
			if got := d.Counted(p); got != tt.counted {
				t.Errorf("Counted: got %v, want %v", got, tt.counted)
			}
		})
	}
}

// TestMadeUpDays: a made-up day counts with no check-in or too few, keeps
// being made up as check-ins are added, says whether its check-ins alone
// count it, and round-trips through its stored row; a day without its
// make-up and check-ins is empty. A made-up day with no check-in is stored
// at its first instant in the policy's zone.
func TestMadeUpDays(t *testing.T) {
	p := DefaultPolicy()
	date := Date{2026, 11, 27}
	for _, c := range []struct {
		name                string
		madeUp              bool
		times               []string
		counted, byCheckIns bool
		empty               bool
	}{
		{"nothing", false, nil, false, false, true},
		{"made up, no check-in", true, nil, true, false, false},
		{"made up, one check-in", true, []string{"2026-11-27 09:00"}, true, false, false},
		{"made up and counted by check-ins too", true, []string{"2026-11-27 09:00", "2026-11-27 14:00"}, true, true, false},
		{"one check-in, not made up", false, []string{"2026-11-27 09:00"}, false, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := DayStat{RegionID: 7, Date: date, MadeUp: c.madeUp}
			for _, s := range c.times {
				d = d.Add(at(t, s))
			}
			if got := d.Counted(p); got != c.counted {
				t.Errorf("Counted: got %v, want %v", got, c.counted)
			}
			if got := d.CountedByCheckIns(p); got != c.byCheckIns {
				t.Errorf("CountedByCheckIns: got %v, want %v", got, c.byCheckIns)
			}
			if got := d.Empty(); got != c.empty {
				t.Errorf("Empty: got %v, want %v", got, c.empty)
			}
			row := d.Row(9, p)
			if row.UserID != 9 || row.Date != "2026-11-27" || row.Counted != c.counted || row.MadeUp != c.madeUp || row.Accepted != len(c.times) {
				t.Errorf("Row: got %+v", row)
			}
			if len(c.times) == 0 && (!row.FirstAt.Equal(date.In(p.Location)) || !row.LastAt.Equal(row.FirstAt)) {
				t.Errorf("Row of a day without check-ins: times %v, %v; want the day's start %v", row.FirstAt, row.LastAt, date.In(p.Location))
			}
			back := StatOf(row)
			if back.MadeUp != d.MadeUp || back.Accepted != d.Accepted || back.Date != d.Date || back.Counted(p) != c.counted {
				t.Errorf("StatOf(Row): got %+v, want %+v", back, d)
			}
			if len(c.times) > 0 && (!back.First.Equal(d.First) || !back.Last.Equal(d.Last)) {
				t.Errorf("StatOf(Row) times: got %v, %v; want %v, %v", back.First, back.Last, d.First, d.Last)
			}
		})
	}
}

func TestBuildDaysMidnight(t *testing.T) {
	p := DefaultPolicy()
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	fixes := []AcceptedFix{
		{2, utc("2026-11-27T16:30:00Z")}, // 00:30 CST on the 28th, same UTC date as the next
		{2, utc("2026-11-27T15:30:00Z")}, // 23:30 CST on the 27th
		{1, utc("2026-11-27T00:00:00Z")}, // 08:00 CST
		{1, utc("2026-11-27T04:00:00Z")}, // 12:00 CST
		{2, utc("2026-11-27T20:30:00Z")}, // 04:30 CST on the 28th
	}
	got := BuildDays(fixes, p)
	want := []DayStat{
		{1, Date{2026, 11, 27}, 2, fixes[2].At, fixes[3].At, false},
		{2, Date{2026, 11, 27}, 1, fixes[1].At, fixes[1].At, false},
		{2, Date{2026, 11, 28}, 2, fixes[0].At, fixes[4].At, false},
	}
	if !equalDays(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, wantCounted := range []bool{true, false, true} {
		if got := got[i].Counted(p); got != wantCounted {
			t.Errorf("day %d Counted: got %v, want %v", i, got, wantCounted)
		}
	}
	if got := BuildDays(nil, p); got != nil {
		t.Errorf("BuildDays(nil): got %v, want nil", got)
	}
}

// TestAddMatchesBuildDays: folding accepted fixes one by one with Add, in
// any order, gives what BuildDays recomputes from scratch.
func TestAddMatchesBuildDays(t *testing.T) {
	p := DefaultPolicy()
	// 21:00 CST on 2026-11-27 is 13:00 UTC: a 9-hour window from here
	// crosses midnight in Shanghai but not in UTC.
	base := at(t, "2026-11-27 21:00")
	utc, fixed := time.UTC, time.FixedZone("X", -5*3600)
	for seed := uint64(1); seed <= 50; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2026))
		n := rng.IntN(40)
		fixes := make([]AcceptedFix, n)
		for i := range fixes {
			ts := base.Add(time.Duration(rng.IntN(9*60)) * time.Minute)
			if rng.IntN(4) == 0 { // some fixes on earlier days
				ts = ts.AddDate(0, 0, -rng.IntN(3))
			}
			switch rng.IntN(3) { // the same instant in various zones
			case 0:
				ts = ts.In(utc)
			case 1:
				ts = ts.In(fixed)
			}
			fixes[i] = AcceptedFix{RegionID: int64(1 + rng.IntN(3)), At: ts}
		}
		want := BuildDays(fixes, p)
		if oracle := oracleDays(fixes, p); !equalDays(want, oracle) {
			t.Fatalf("seed %d: BuildDays: got %v, want %v", seed, want, oracle)
		}
		for perm := 0; perm < 5; perm++ {
			rng.Shuffle(len(fixes), func(i, j int) { fixes[i], fixes[j] = fixes[j], fixes[i] })
			if got := incremental(fixes, p); !equalDays(got, want) {
				t.Fatalf("seed %d perm %d: incremental Add: got %v, want %v", seed, perm, got, want)
			}
			if got := BuildDays(fixes, p); !equalDays(got, want) {
				t.Fatalf("seed %d perm %d: BuildDays after shuffle: got %v, want %v", seed, perm, got, want)
			}
		}
	}
}

// incremental replays fixes the way the store does: one DayStat per
// (region, date), updated with Add as each fix arrives.
func incremental(fixes []AcceptedFix, p Policy) []DayStat {
	type key struct {
		r int64
		d Date
	}
	m := map[key]DayStat{}
	var order []key
	for _, f := range fixes {
		k := key{f.RegionID, DateOf(f.At, p.Location)}
		d, ok := m[k]
		if !ok {
			d = DayStat{RegionID: k.r, Date: k.d}
			order = append(order, k)
		}
		m[k] = d.Add(f.At)
	}
	var out []DayStat
	for _, k := range order {
		out = append(out, m[k])
	}
	slices.SortFunc(out, compareDays)
	return out
}

// oracleDays computes the days the slow, obvious way: for every distinct
// (region, date), count and take min and max by Unix nanoseconds.
func oracleDays(fixes []AcceptedFix, p Policy) []DayStat {
	var out []DayStat
	for _, f := range fixes {
		d := DateOf(f.At, p.Location)
		if slices.ContainsFunc(out, func(s DayStat) bool { return s.RegionID == f.RegionID && s.Date == d }) {
			continue
		}
		s := DayStat{RegionID: f.RegionID, Date: d, First: f.At, Last: f.At}
		for _, g := range fixes {
			if g.RegionID != f.RegionID || DateOf(g.At, p.Location) != d {
				continue
			}
			s.Accepted++
			if g.At.UnixNano() < s.First.UnixNano() {
				s.First = g.At
			}
			if g.At.UnixNano() > s.Last.UnixNano() {
				s.Last = g.At
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, compareDays)
	return out
}

func equalDays(a, b []DayStat) bool {
	return slices.EqualFunc(a, b, func(x, y DayStat) bool {
		return x.RegionID == y.RegionID && x.Date == y.Date && x.Accepted == y.Accepted &&
			x.First.Equal(y.First) && x.Last.Equal(y.Last)
	})
}

func TestStatus(t *testing.T) {
	def := DefaultPolicy()
	three := DefaultPolicy()
	three.MinCheckInsPerDay = 3
	tests := []struct {
		name      string
		p         Policy
		times     []string
		needed    int
		notBefore string
		possible  bool
		msg       string
	}{
		{"no check-in yet", def, nil, 2, "", true, "needs 2 more check-ins"},
		{"morning arrival", def, []string{"2026-11-27 10:05"}, 1, "2026-11-27 14:05", true,
			"needs one more check-in after 14:05"},
		{"seconds round up", def, []string{"2026-11-27 10:05:30"}, 1, "2026-11-27 14:05:30", true,
			"needs one more check-in after 14:06"},
		{"two, too close", def, []string{"2026-11-27 12:00", "2026-11-27 10:05"}, 1, "2026-11-27 14:05", true,
			"needs one more check-in after 14:05"},
		{"counted", def, []string{"2026-11-27 10:00", "2026-11-27 14:00"}, 0, "", true, "counted"},
		{"last minute", def, []string{"2026-11-27 19:59"}, 1, "2026-11-27 23:59", true,
			"needs one more check-in after 23:59"},
		{"too late at 20:00", def, []string{"2026-11-27 20:00"}, 1, "2026-11-28 00:00", false,
			"cannot be counted today: the next check-in would have to be after 00:00 tomorrow"},
		{"too late at 21:00", def, []string{"2026-11-27 21:00"}, 1, "2026-11-28 01:00", false,
			"cannot be counted today: the next check-in would have to be after 01:00 tomorrow"},
		{"three needed, one made", three, []string{"2026-11-27 10:00"}, 2, "2026-11-27 14:00", true,
			"needs 2 more check-ins, the last after 14:00"},
		{"three needed, span met", three, []string{"2026-11-27 09:00", "2026-11-27 14:00"}, 1, "", true,
			"needs one more check-in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DayStat{RegionID: 1, Date: Date{2026, 11, 27}}
			for _, s := range tt.times {
				d = d.Add(at(t, s))
			}
			got := Status(d, tt.p)
			var nb time.Time
			if tt.notBefore != "" {
				nb = at(t, tt.notBefore)
			}
			want := DayStatus{Counted: tt.msg == "counted", Needed: tt.needed, NotBefore: nb, Possible: tt.possible}
			if got.Counted != want.Counted || got.Needed != want.Needed || !got.NotBefore.Equal(want.NotBefore) ||
				got.Possible != want.Possible {
				t.Errorf("Status: got %+v, want %+v", got, want)
			}
			if msg := got.Message(cst); msg != tt.msg {
				t.Errorf("Message: got %q, want %q", msg, tt.msg)
			}
		})
	}
}

func TestMessageZone(t *testing.T) {
	// The phone may be in another zone; the message uses the policy's.
	s := DayStatus{Needed: 1, NotBefore: at(t, "2026-11-27 14:05").UTC(), Possible: true}
	if got, want := s.Message(cst), "needs one more check-in after 14:05"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := s.Message(nil), "needs one more check-in after 06:05"; got != want {
		t.Errorf("nil loc: got %q, want %q", got, want)
	}
}
