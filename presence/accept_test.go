package presence

import (
	"testing"
	"time"
)

func TestAccepted(t *testing.T) {
	p := DefaultPolicy()
	late := []RaisedFlag{{Code: FlagLateSync}}
	mock := []RaisedFlag{{Code: FlagLateSync}, {Code: FlagMockLocation}}
	tests := []struct {
		pl    Placement
		flags []RaisedFlag
		want  bool
	}{
		{Inside, nil, true},
		{Inside, late, true}, // LATE_SYNC does not block by default
		{Inside, mock, false},
		{Boundary, nil, false},
		{Outside, nil, false},
		{"inside", nil, false}, // unknown placement
		{"", nil, false},
	}
	for _, tt := range tests {
		if got := Accepted(tt.pl, tt.flags, p); got != tt.want {
			t.Errorf("Accepted(%q, %v): got %v, want %v", tt.pl, tt.flags, got, tt.want)
		}
	}
	strict := DefaultPolicy()
	strict.BlockingFlags = AllFlags()
	if got, want := Accepted(Inside, late, strict), false; got != want {
		t.Errorf("Accepted with LATE_SYNC blocking: got %v, want %v", got, want)
	}
}

func TestWhenOccurred(t *testing.T) {
	server := at(t, "2026-11-29 09:00")
	tests := []struct {
		name    string
		offline bool
		device  time.Time
		want    time.Time
	}{
		{"live is server time", false, at(t, "2026-11-29 08:58"), server},
		{"live ahead is server time", false, at(t, "2026-11-29 09:30"), server},
		{"offline two days late keeps its day", true, at(t, "2026-11-27 15:10"), at(t, "2026-11-27 15:10")},
		{"offline ahead within tolerance", true, at(t, "2026-11-29 09:01"), server},
		{"offline in the future", true, at(t, "2026-11-30 09:00"), server},
		{"offline without device time", true, time.Time{}, server},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{Offline: tt.offline, DeviceTime: tt.device, ServerTime: server}
			if got := WhenOccurred(f); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// The late batch lands on 2026-11-27 in Asia/Shanghai, not on the sync day.
	f := Facts{Offline: true, DeviceTime: at(t, "2026-11-27 23:50"), ServerTime: server}
	if got, want := DateOf(WhenOccurred(f), cst), (Date{2026, 11, 27}); got != want {
		t.Errorf("late batch date: got %v, want %v", got, want)
	}
}
