package inspect

import (
	"testing"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/spotcheck"
)

func TestFlagClass(t *testing.T) {
	s := &Service{Policy: presence.DefaultPolicy()}
	for _, tc := range []struct {
		flags string
		want  spotcheck.FlagClass
	}{
		{"[]", spotcheck.Clean},
		{"", spotcheck.Blocking}, // unreadable: the inspector's to see
		{`[{"Code":"LATE_SYNC","Value":30,"Limit":24,"Unit":"h"}]`, spotcheck.Flagged},
		{`[{"Code":"LATE_SYNC"},{"Code":"LOW_ACCURACY"}]`, spotcheck.Blocking},
		{`[{"Code":"MOCK_LOCATION"}]`, spotcheck.Blocking},
	} {
		if got := s.flagClass(tc.flags); got != tc.want {
			t.Errorf("flagClass(%s) = %s, want %s", tc.flags, got, tc.want)
		}
	}
	if got := worse(worse(spotcheck.Flagged, spotcheck.Clean), spotcheck.Blocking); got != spotcheck.Blocking {
		t.Errorf("worse: %s", got)
	}
}

func TestDrawInputValidation(t *testing.T) {
	ok := DrawInput{ClientID: "d-1", From: "2026-01-01", To: "2026-12-31", Plan: spotcheck.Plan{PerStratum: 2}}
	if err := ok.validate(); err != nil {
		t.Fatalf("a valid input: %v", err)
	}
	for name, change := range map[string]func(*DrawInput){
		"client id":       func(in *DrawInput) { in.ClientID = "a b" },
		"to before from":  func(in *DrawInput) { in.To = "2025-12-31" },
		"over 366 days":   func(in *DrawInput) { in.From, in.To = "2026-01-01", "2027-01-02" },
		"not a date":      func(in *DrawInput) { in.From = "2026-1-1" },
		"size too large":  func(in *DrawInput) { in.Plan.PerStratum = spotcheck.MaxSize + 1 },
		"unknown stratum": func(in *DrawInput) { in.Plan.By = []spotcheck.Dimension{"COLOR"} },
	} {
		in := ok
		change(&in)
		if err := in.validate(); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", name, err)
		}
	}
}
