package seminar

import "testing"

func TestHalf(t *testing.T) {
	for _, c := range []struct {
		date       string
		year, half int
	}{{"2026-01-01", 2026, 1}, {"2026-06-30", 2026, 1}, {"2026-07-01", 2026, 2}, {"2026-12-31", 2026, 2}} {
		if y, h := Half(c.date); y != c.year || h != c.half {
			t.Errorf("Half(%s) = %d, %d; want %d, %d", c.date, y, h, c.year, c.half)
		}
	}
	for _, c := range []struct {
		year, half int
		from, to   string
		ok         bool
	}{{2026, 1, "2026-01-01", "2026-06-30", true}, {2026, 2, "2026-07-01", "2026-12-31", true}, {2026, 3, "", "", false}, {1999, 1, "", "", false}} {
		from, to, err := HalfRange(c.year, c.half)
		if from != c.from || to != c.to || (err == nil) != c.ok {
			t.Errorf("HalfRange(%d, %d) = %s, %s, %v", c.year, c.half, from, to, err)
		}
	}
}
