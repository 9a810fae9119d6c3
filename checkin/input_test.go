package checkin

import (
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/geofence"
	"github.com/henan-youth/onsite/models"
)

func TestValidateClientID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"0b6f0c1e-3c4f-4b7e-9a57-2f1d2c3b4a59", true},
		{"01HZX3K9Q8W7V6T5S4R3P2N1M0", true},
		{"off-1.retry_2:x", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"a b", false},
		{" a", false},
		{"a\x00b", false},
		{"a\nb", false},
		{"a\u202eb", false}, // right-to-left override
		{"编号1", false},
		{"a/b", false},
	} {
		in := Input{ClientID: tc.id, Lat: 34.8, Lon: 114.8, AccuracyM: 10, CoordSystem: geofence.GCJ02,
			DeviceTime: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
		err := in.Validate()
		if tc.ok && err != nil {
			t.Errorf("clientId %q: %v, want valid", tc.id, err)
		}
		if !tc.ok && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("clientId %q: %v, want INVALID", tc.id, err)
		}
	}
}
