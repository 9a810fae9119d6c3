package scalar

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

func TestUnmarshalFloat(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want float64
		ok   bool
	}{
		{json.Number("34.83"), 34.83, true},
		{json.Number("-1e3"), -1000, true},
		{float64(2.5), 2.5, true}, // a literal
		{int64(7), 7, true},       // an Int literal where a Float is expected
		{"34.83", 0, false},
		{json.Number("1e400"), 0, false},
		{true, 0, false},
		{nil, 0, false},
	} {
		got, err := UnmarshalFloat(context.Background(), tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("UnmarshalFloat(%#v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("UnmarshalFloat(%#v) = %v, %v; want INVALID", tc.in, got, err)
		}
	}
}

func TestUnmarshalInt(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int
		ok   bool
	}{
		{json.Number("100"), 100, true},
		{int64(-3), -3, true},
		{float64(4), 4, true},
		{"100", 0, false},
		{json.Number("1.5"), 0, false},
		{float64(1.5), 0, false},
		{json.Number("2147483648"), 0, false},
		{int64(-2147483649), 0, false},
	} {
		got, err := UnmarshalInt(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("UnmarshalInt(%#v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("UnmarshalInt(%#v) = %v, %v; want INVALID", tc.in, got, err)
		}
	}
}

func TestUnmarshalTime(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want time.Time
		ok   bool
	}{
		{"2026-03-01T08:30:00+08:00", time.Date(2026, 3, 1, 0, 30, 0, 0, time.UTC), true},
		{"2026-03-01T00:30:00.123Z", time.Date(2026, 3, 1, 0, 30, 0, 123e6, time.UTC), true},
		{"garbage", time.Time{}, false},
		{"2026-03-01T08:30:00", time.Time{}, false}, // no zone
		{"2026-03-01", time.Time{}, false},
		{"", time.Time{}, false},
		{json.Number("1767225600"), time.Time{}, false},
	} {
		got, err := UnmarshalTime(tc.in)
		if tc.ok && (err != nil || !got.Equal(tc.want)) {
			t.Errorf("UnmarshalTime(%#v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("UnmarshalTime(%#v) = %v, %v; want INVALID", tc.in, got, err)
		}
	}
}
