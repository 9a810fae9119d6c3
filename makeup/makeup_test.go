package makeup

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// TestValidate: a request names a day that has begun, in the id alphabet
// of check-ins, with 1–9 photos, a reason and the countersigning person;
// anything else is INVALID before a photo is kept.
func TestValidate(t *testing.T) {
	s := &Service{Policy: presence.DefaultPolicy(), Now: func() time.Time { return time.Date(2026, 11, 6, 1, 0, 0, 0, time.UTC) }}
	photo := Photo{Open: func() (io.Reader, error) { return strings.NewReader(""), nil }}
	good := func() Input {
		return Input{ClientID: "mu-1", Date: "2026-11-05", RegionID: 1, Reason: "手机没电", WitnessName: "李四", WitnessTitle: "团县委副书记",
			Photos: []Photo{photo}}
	}
	for _, c := range []struct {
		name string
		edit func(*Input)
		ok   bool
	}{
		{"a request for yesterday", func(*Input) {}, true},
		{"today (Asia/Shanghai)", func(in *Input) { in.Date = "2026-11-06" }, true},
		{"tomorrow", func(in *Input) { in.Date = "2026-11-07" }, false},
		{"not a date", func(in *Input) { in.Date = "2026-11-31" }, false},
		{"a client id with a space", func(in *Input) { in.ClientID = "mu 1" }, false},
		{"no photo", func(in *Input) { in.Photos = nil }, false},
		{"ten photos", func(in *Input) { in.Photos = make([]Photo, 10) }, false},
		{"no reason", func(in *Input) { in.Reason = " " }, false},
		{"no countersigning person", func(in *Input) { in.WitnessName = "" }, false},
		{"no post", func(in *Input) { in.WitnessTitle = "" }, false},
		{"a name of 51 characters", func(in *Input) { in.WitnessName = strings.Repeat("李", 51) }, false},
	} {
		in := good()
		c.edit(&in)
		err := s.validate(&in)
		if got := err == nil; got != c.ok {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		} else if err != nil && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", c.name, err)
		}
	}
}
