package absence

import (
	"testing"

	"github.com/henan-youth/onsite/models"
)

// TestValidate: an absence has a known kind, inclusive dates in order and
// at most a year long, and a reason when its kind is OTHER.
func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Input
		ok   bool
	}{
		{"leave of one day", Input{ClientID: "a", Kind: models.AbsenceLeave, From: "2026-11-02", To: "2026-11-02"}, true},
		{"training for a week", Input{ClientID: "a", Kind: models.AbsenceTraining, From: "2026-11-02", To: "2026-11-08"}, true},
		{"366 days", Input{ClientID: "a", Kind: models.AbsenceIllness, From: "2028-01-01", To: "2028-12-31"}, true},
		{"367 days", Input{ClientID: "a", Kind: models.AbsenceIllness, From: "2028-01-01", To: "2029-01-01"}, false},
		{"ends before it starts", Input{ClientID: "a", Kind: models.AbsenceLeave, From: "2026-11-02", To: "2026-11-01"}, false},
		{"OTHER without a reason", Input{ClientID: "a", Kind: models.AbsenceOther, From: "2026-11-02", To: "2026-11-02"}, false},
		{"OTHER with one", Input{ClientID: "a", Kind: models.AbsenceOther, From: "2026-11-02", To: "2026-11-02", Reason: "家中急事"}, true},
		{"an unknown kind", Input{ClientID: "a", Kind: "HOLIDAY", From: "2026-11-02", To: "2026-11-02"}, false},
		{"no client id", Input{Kind: models.AbsenceLeave, From: "2026-11-02", To: "2026-11-02"}, false},
		{"a bad date", Input{ClientID: "a", Kind: models.AbsenceLeave, From: "2026-2-1", To: "2026-11-02"}, false},
	} {
		err := validate(&c.in)
		if got := err == nil; got != c.ok {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		} else if err != nil && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", c.name, err)
		}
	}
}
