// Package contact validates and masks the contact details of interviewees:
// Chinese mobile and landline numbers, normalised to E.164 for storage
// (encrypted, see package secret) and masked for display ("138****5678").
//
// A number is personal data: no error of this package repeats it, and none
// wraps a cause that could.
package contact

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/henan-youth/onsite/models"
)

// Kind is the kind of a Chinese phone number.
type Kind string

// The kinds ParsePhone accepts.
const (
	Mobile   Kind = "MOBILE"
	Landline Kind = "LANDLINE" // a fixed line with its area code
)

// maxInput bounds what is handed to the parser: a number with spaces,
// dashes, brackets and a +86 or 0086 prefix fits comfortably.
const maxInput = 40

// Phone is a validated Chinese number.
type Phone struct {
	E164 string // "+8613812345678", "+8637165123456"
	Kind Kind
}

// ParsePhone returns s as a Chinese mobile or landline number in E.164. It
// accepts national forms ("138 1234 5678", "(0371) 6512-3456") and
// international ones ("+86 138…", "0086 138…"). It returns an INVALID error,
// whose message does not repeat s, when s is not a valid number, not a
// Chinese one, not a mobile or fixed line (service numbers such as 400 and
// 800, VoIP), or carries an extension.
func ParsePhone(s string) (Phone, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxInput {
		return Phone{}, invalid("not a Chinese mobile or landline number")
	}
	// The parser's errors are fixed texts, but it is not asked to explain:
	// the message is ours, and no cause is kept.
	n, err := phonenumbers.Parse(s, "CN")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return Phone{}, invalid("not a Chinese mobile or landline number")
	}
	if phonenumbers.GetRegionCodeForNumber(n) != "CN" {
		return Phone{}, invalid("not a Chinese number (+86)")
	}
	if n.GetExtension() != "" {
		return Phone{}, invalid("phone numbers with an extension are not accepted")
	}
	var kind Kind
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE:
		kind = Mobile
	case phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
		kind = Landline
	default:
		return Phone{}, invalid("not a mobile or landline number (service and internet numbers are not accepted)")
	}
	return Phone{E164: phonenumbers.Format(n, phonenumbers.E164), Kind: kind}, nil
}

func invalid(msg string) error { return models.E(models.CodeInvalid, "phone number: %s", msg) }

// Masked returns the number for display to those who may not see it whole:
// a mobile as its first three and last four digits ("138****5678"), a
// landline as its area code and the last four digits of the subscriber
// number ("0371-****3456", "010-****5678"). It cannot fail.
func (p Phone) Masked() string {
	nsn := strings.TrimPrefix(p.E164, "+86")
	if p.Kind == Mobile {
		if len(nsn) < 8 {
			return strings.Repeat("*", len(nsn))
		}
		return nsn[:3] + strings.Repeat("*", len(nsn)-7) + nsn[len(nsn)-4:]
	}
	area := landlineAreaLength(p.E164)
	if area == 0 || len(nsn)-area <= 4 {
		return strings.Repeat("*", len(nsn))
	}
	sub := nsn[area:]
	return "0" + nsn[:area] + "-" + strings.Repeat("*", len(sub)-4) + sub[len(sub)-4:]
}

// landlineAreaLength returns the length of the area code (without the
// trunk 0) of a Chinese landline in E.164, or 0 when it cannot be told.
func landlineAreaLength(e164 string) int {
	n, err := phonenumbers.Parse(e164, "CN")
	if err != nil {
		return 0
	}
	return phonenumbers.GetLengthOfGeographicalAreaCode(n)
}

// Mask returns the masked form of a stored E.164 number (see Phone.Masked).
// A value that does not parse as ParsePhone accepts is masked whole, one
// '*' per character, so that display never shows a stored value in clear.
// It cannot fail.
func Mask(e164 string) string {
	p, err := ParsePhone(e164)
	if err != nil {
		return strings.Repeat("*", len([]rune(e164)))
	}
	return p.Masked()
}
