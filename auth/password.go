package auth

import (
	"crypto/rand"
	"errors"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/henan-youth/onsite/models"
)

// Password limits and the default bcrypt cost.
const (
	DefaultCost      = 12 // bcrypt cost used when Hasher.Cost is zero
	MinPasswordChars = 8  // shortest accepted password, in characters
	MaxPasswordBytes = 72 // longest accepted password, in bytes (bcrypt's limit)
)

// dummyPassword is hashed in place of a stored hash when the user is unknown,
// so that a failed login takes as long for an unknown user as for a known one.
const dummyPassword = "onsite-unknown-user"

// Hasher hashes and checks passwords with bcrypt. The zero value uses
// DefaultCost; tests set Cost to bcrypt.MinCost to run fast. A Hasher is safe
// for concurrent use.
type Hasher struct {
	Cost int // bcrypt cost; zero means DefaultCost
}

func (h Hasher) cost() int {
	if h.Cost == 0 {
		return DefaultCost
	}
	return h.Cost
}

// Hash returns the bcrypt hash of pw. It returns an INVALID error when pw is
// shorter than MinPasswordChars characters or longer than MaxPasswordBytes
// bytes, and an INTERNAL error when the cost is out of bcrypt's range.
func (h Hasher) Hash(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < MinPasswordChars {
		return "", models.E(models.CodeInvalid, "password must have at least %d characters", MinPasswordChars)
	}
	if len(pw) > MaxPasswordBytes {
		return "", models.E(models.CodeInvalid, "password must have at most %d bytes", MaxPasswordBytes)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.cost())
	if err != nil {
		return "", models.Wrap(models.CodeInternal, err, "hashing password")
	}
	return string(b), nil
}

// Check reports whether pw matches hash, returning nil when it does. It
// returns an UNAUTHENTICATED error ("invalid credentials") on a mismatch, for
// a password longer than MaxPasswordBytes, and for an empty hash, which stands
// for an unknown user: then a dummy hash is computed at the Hasher's cost so
// the refusal takes as long as a real check. It returns an INTERNAL error when
// hash is not a bcrypt hash.
func (h Hasher) Check(hash, pw string) error {
	if hash == "" {
		_, _ = bcrypt.GenerateFromPassword([]byte(dummyPassword), h.cost())
		return errInvalidCredentials()
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	switch {
	case err == nil && len(pw) > MaxPasswordBytes:
		// bcrypt reads only the first 72 bytes; a longer password was
		// never accepted by Hash, so it cannot be the right one.
		return errInvalidCredentials()
	case err == nil:
		return nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return errInvalidCredentials()
	default:
		return models.Wrap(models.CodeInternal, err, "checking password")
	}
}

func errInvalidCredentials() error {
	return models.E(models.CodeUnauthenticated, "invalid credentials")
}

// RandomPassword returns a fresh random password of 26 characters from the
// base32 alphabet (A–Z, 2–7), carrying 130 bits from crypto/rand, for the
// bootstrap administrator. It cannot fail.
func RandomPassword() string {
	return rand.Text()
}
