package presence

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

// cst is the default on-site zone, for tests.
var cst = ShanghaiLocation()

// at parses "2006-01-02 15:04" (or with seconds) in Asia/Shanghai.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04", time.DateTime} {
		if v, err := time.ParseInLocation(layout, s, cst); err == nil {
			return v
		}
	}
	t.Fatalf("bad test time %q", s)
	return time.Time{}
}

func TestShanghaiLocation(t *testing.T) {
	_, off := time.Date(2026, 7, 1, 12, 0, 0, 0, ShanghaiLocation()).Zone()
	if got, want := off, 8*3600; got != want {
		t.Errorf("offset: got %d, want %d", got, want)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatalf("DefaultPolicy().Validate() = %v, want nil", err)
	}
	if got, want := p.MinCheckInsPerDay, 2; got != want {
		t.Errorf("MinCheckInsPerDay: got %d, want %d", got, want)
	}
	if got, want := p.MinDaySpan, 4*time.Hour; got != want {
		t.Errorf("MinDaySpan: got %v, want %v", got, want)
	}
	if got, want := p.MaxAccuracyM, 100.0; got != want {
		t.Errorf("MaxAccuracyM: got %v, want %v", got, want)
	}
	if got, want := p.MaxOfflineAge, 72*time.Hour; got != want {
		t.Errorf("MaxOfflineAge: got %v, want %v", got, want)
	}
	for _, f := range AllFlags() {
		nonBlocking := f == FlagLateSync || f == FlagNotAssigned || f == FlagPhotoLocation || f == FlagPhotoTime
		if got, want := p.Blocks(f), !nonBlocking; got != want {
			t.Errorf("Blocks(%s): got %v, want %v", f, got, want)
		}
	}
	if got, want := p.Blocks("NOPE"), false; got != want {
		t.Errorf("Blocks(unknown): got %v, want %v", got, want)
	}
	// Each call returns its own slice: no shared mutable default.
	p.BlockingFlags[0] = FlagLateSync
	if got := DefaultPolicy().BlockingFlags[0]; got != FlagMockLocation {
		t.Errorf("DefaultPolicy shares BlockingFlags: got %s, want %s", got, FlagMockLocation)
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Policy)
		ok     bool
	}{
		{"default", func(*Policy) {}, true},
		{"no blocking flags", func(p *Policy) { p.BlockingFlags = nil }, true},
		{"one check-in, no span", func(p *Policy) { p.MinCheckInsPerDay, p.MinDaySpan = 1, 0 }, true},
		{"nil location", func(p *Policy) { p.Location = nil }, false},
		{"zero check-ins", func(p *Policy) { p.MinCheckInsPerDay = 0 }, false},
		{"span without second check-in", func(p *Policy) { p.MinCheckInsPerDay = 1 }, false},
		{"negative span", func(p *Policy) { p.MinDaySpan = -time.Hour }, false},
		{"24h span", func(p *Policy) { p.MinDaySpan = 24 * time.Hour }, false},
		{"zero accuracy", func(p *Policy) { p.MaxAccuracyM = 0 }, false},
		{"NaN accuracy", func(p *Policy) { p.MaxAccuracyM = math.NaN() }, false},
		{"infinite speed", func(p *Policy) { p.MaxSpeedKmh = math.Inf(1) }, false},
		{"negative travel", func(p *Policy) { p.MinTravelM = -1 }, false},
		{"NaN travel", func(p *Policy) { p.MinTravelM = math.NaN() }, false},
		{"negative skew", func(p *Policy) { p.MaxClockSkew = -1 }, false},
		{"zero late sync", func(p *Policy) { p.LateSyncAfter = 0 }, false},
		{"offline age below late sync", func(p *Policy) { p.MaxOfflineAge = 23 * time.Hour }, false},
		{"offline age equal to late sync", func(p *Policy) { p.MaxOfflineAge = p.LateSyncAfter }, true},
		{"negative future", func(p *Policy) { p.FutureTolerance = -1 }, false},
		{"unknown flag", func(p *Policy) { p.BlockingFlags = []Flag{"SPOOFED"} }, false},
		{"duplicate flag", func(p *Policy) { p.BlockingFlags = []Flag{FlagLateSync, FlagLateSync} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.mutate(&p)
			err := p.Validate()
			if got := err == nil; got != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, models.ErrInvalid) {
				t.Errorf("Validate() = %v, want code %s", err, models.CodeInvalid)
			}
		})
	}
}
