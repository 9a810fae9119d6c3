package presence

import (
	"errors"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

func TestDateOf(t *testing.T) {
	tests := []struct {
		utc  string
		want Date
	}{
		{"2026-11-27T15:59:59Z", Date{2026, 11, 27}}, // 23:59:59 CST
		{"2026-11-27T16:00:00Z", Date{2026, 11, 28}}, // 00:00 CST, still the 27th in UTC
		{"2026-12-31T16:30:00Z", Date{2027, 1, 1}},   // new year in Shanghai first
		{"2026-03-31T16:30:00Z", Date{2026, 4, 1}},
	}
	for _, tt := range tests {
		ts, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := DateOf(ts, cst); got != tt.want {
			t.Errorf("DateOf(%s, Asia/Shanghai): got %v, want %v", tt.utc, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-11-27", Date{2026, 11, 27}, true},
		{"2028-02-29", Date{2028, 2, 29}, true},
		{"2026-02-29", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-1-5", Date{}, false},
		{"2026-11-27T00:00:00Z", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseDate(%q): got %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, models.ErrInvalid) {
			t.Errorf("ParseDate(%q): got error %v, want code %s", tt.in, err, models.CodeInvalid)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("String: got %q, want %q", got.String(), tt.in)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{Date{2026, 11, 27}, 0, Date{2026, 11, 27}},
		{Date{2026, 11, 27}, 4, Date{2026, 12, 1}},
		{Date{2026, 12, 31}, 1, Date{2027, 1, 1}},
		{Date{2028, 2, 28}, 1, Date{2028, 2, 29}},
		{Date{2026, 3, 1}, -1, Date{2026, 2, 28}},
		{Date{2026, 1, 1}, 365, Date{2027, 1, 1}},
		{Date{1, 1, 1}, 3652058, Date{9999, 12, 31}},
	}
	for _, tt := range tests {
		if got := tt.d.AddDays(tt.n); got != tt.want {
			t.Errorf("%v.AddDays(%d): got %v, want %v", tt.d, tt.n, got, tt.want)
		}
		if got := tt.want.Sub(tt.d); got != tt.n {
			t.Errorf("%v.Sub(%v): got %d, want %d", tt.want, tt.d, got, tt.n)
		}
		wantCmp := 0
		if tt.n > 0 {
			wantCmp = -1
		} else if tt.n < 0 {
			wantCmp = 1
		}
		if got := tt.d.Compare(tt.want); got != wantCmp {
			t.Errorf("%v.Compare(%v): got %d, want %d", tt.d, tt.want, got, wantCmp)
		}
		if got, want := tt.d.Before(tt.want), wantCmp < 0; got != want {
			t.Errorf("%v.Before(%v): got %v, want %v", tt.d, tt.want, got, want)
		}
		if got, want := tt.d.After(tt.want), wantCmp > 0; got != want {
			t.Errorf("%v.After(%v): got %v, want %v", tt.d, tt.want, got, want)
		}
	}
}

func TestDateValidAndIn(t *testing.T) {
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2026, 11, 27}, true},
		{Date{2026, 2, 29}, false},
		{Date{2026, 0, 1}, false},
		{Date{}, false},
		{Date{10000, 1, 1}, false},
	}
	for _, tt := range tests {
		if got := tt.d.Valid(); got != tt.want {
			t.Errorf("%v.Valid(): got %v, want %v", tt.d, got, tt.want)
		}
	}
	if got, want := (Date{}).IsZero(), true; got != want {
		t.Errorf("zero IsZero: got %v, want %v", got, want)
	}
	start := Date{2026, 11, 28}.In(cst)
	if got, want := start.UTC().Format(time.RFC3339), "2026-11-27T16:00:00Z"; got != want {
		t.Errorf("In(Asia/Shanghai): got %s, want %s", got, want)
	}
}
