package auth

import (
	_ "embed"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/henan-youth/onsite/models"
)

// PasswordPolicy is what a new password must satisfy (GB/T 22239 identity
// controls): a minimum length, characters of several classes (lowercase,
// uppercase, digits, others), not the username, not a common password;
// and, optionally, a maximum age after which the account must change it.
type PasswordPolicy struct {
	MinChars   int           // shortest password, in characters
	MinClasses int           // of lowercase, uppercase, digit and other
	MaxAge     time.Duration // a password older than this must be changed; zero: never
}

// DefaultPasswordPolicy is 8 characters of 3 classes, without expiry.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinChars: MinPasswordChars, MinClasses: 3}
}

// Check returns nil when pw may become username's password, and otherwise
// an INVALID error naming the rule it breaks: too short or too long, too
// few character classes, the username (or it reversed, in any case), or a
// common password (in any case; auth/common_passwords.txt).
func (p PasswordPolicy) Check(pw, username string) error {
	if n := utf8.RuneCountInString(pw); n < p.MinChars {
		return models.E(models.CodeInvalid, "the password must have at least %d characters", p.MinChars)
	}
	if len(pw) > MaxPasswordBytes {
		return models.E(models.CodeInvalid, "the password must have at most %d bytes", MaxPasswordBytes)
	}
	if c := classes(pw); c < p.MinClasses {
		return models.E(models.CodeInvalid,
			"the password must mix at least %d of: lowercase letters, uppercase letters, digits, other characters", p.MinClasses)
	}
	lower := strings.ToLower(pw)
	if name := strings.ToLower(strings.TrimSpace(username)); name != "" && (lower == name || lower == reverse(name)) {
		return models.E(models.CodeInvalid, "the password must not be the username")
	}
	if _, common := commonPasswords()[lower]; common {
		return models.E(models.CodeInvalid, "this password is among the most common ones; choose another")
	}
	return nil
}

// Expired reports whether a password changed at changed is past MaxAge at
// now. An unknown change time counts from never, so it is not expired.
func (p PasswordPolicy) Expired(changed *time.Time, now time.Time) bool {
	return p.MaxAge > 0 && changed != nil && now.Sub(*changed) > p.MaxAge
}

// classes counts the character classes in s: lowercase, uppercase, digit,
// and anything else (punctuation, spaces, letters without case such as
// Chinese characters).
func classes(s string) int {
	var lower, upper, digit, other int
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

//go:embed common_passwords.txt
var commonPasswordsFile string

// commonPasswords is the embedded list as a set, built on first use; it is
// never written.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 512)
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})
