package contact

import (
	"errors"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/models"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in     string
		e164   string // "" = refused with INVALID
		kind   Kind
		masked string
	}{
		{"13812345678", "+8613812345678", Mobile, "138****5678"},
		{"138 1234 5678", "+8613812345678", Mobile, "138****5678"},
		{"+86 138-1234-5678", "+8613812345678", Mobile, "138****5678"},
		{"0086 13812345678", "+8613812345678", Mobile, "138****5678"},
		{"  19912345678 ", "+8619912345678", Mobile, "199****5678"},
		{"(0371) 6512 3456", "+8637165123456", Landline, "0371-****3456"},
		{"0371-65123456", "+8637165123456", Landline, "0371-****3456"},
		{"+86 371 6512 3456", "+8637165123456", Landline, "0371-****3456"},
		{"010-65123456", "+861065123456", Landline, "010-****3456"},
		{"0391 2345678", "+863912345678", Landline, "0391-***5678"},
		{"1381234567", "", "", ""},            // a digit short
		{"138123456789", "", "", ""},          // a digit long
		{"12345", "", "", ""},                 // too short for anything
		{"+1 650 253 0000", "", "", ""},       // not Chinese
		{"+852 9123 4567", "", "", ""},        // Hong Kong has its own code
		{"400-810-8888", "", "", ""},          // a service number
		{"800-810-8888", "", "", ""},          // a toll-free number
		{"13812345678 ext. 12", "", "", ""},   // an extension
		{"one three eight", "", "", ""},       // words
		{"", "", "", ""},                      // nothing
		{strings.Repeat("1", 41), "", "", ""}, // too long to parse
	}
	for _, tt := range tests {
		p, err := ParsePhone(tt.in)
		if tt.e164 == "" {
			if err == nil || models.CodeOf(err) != models.CodeInvalid {
				t.Errorf("ParsePhone(%q): got %+v, %v; want INVALID", tt.in, p, err)
			}
			checkNoEcho(t, tt.in, err)
			continue
		}
		if err != nil || p.E164 != tt.e164 || p.Kind != tt.kind {
			t.Errorf("ParsePhone(%q): got %+v, %v; want %s %s", tt.in, p, err, tt.e164, tt.kind)
			continue
		}
		if got := p.Masked(); got != tt.masked {
			t.Errorf("Masked(%s): got %q, want %q", p.E164, got, tt.masked)
		}
		if got := Mask(p.E164); got != tt.masked {
			t.Errorf("Mask(%s): got %q, want %q", p.E164, got, tt.masked)
		}
	}
}

// checkNoEcho fails when err, or any error it wraps, repeats the digits of
// the input.
func checkNoEcho(t *testing.T, in string, err error) {
	t.Helper()
	digits := strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, in)
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		if len(digits) >= 4 && (strings.Contains(msg, digits[len(digits)-4:]) || strings.Contains(msg, in)) {
			t.Errorf("the error for %q repeats the number: %q", in, msg)
		}
	}
	var me *models.Error
	if errors.As(err, &me) && me.Err != nil {
		t.Errorf("the error for %q keeps a cause: %v", in, me.Err)
	}
}

func TestMaskUnparsable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+8612", "*****"},
		{"garbage", "*******"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
