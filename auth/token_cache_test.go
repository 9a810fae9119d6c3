package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// TestVerifiedCacheHonoursExpiry: a token verified once is answered from
// the cache, but only within its own validity; after exp (plus leeway) the
// same Tokens refuses it, and a tampered copy is never a cache hit.
func TestVerifiedCacheHonoursExpiry(t *testing.T) {
	f := newTokenFixture(t)
	tok, exp, err := f.tokens.IssueAccess(authz.Principal{UserID: 7, Username: "li", Role: models.RoleCadre, DeviceID: "d"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the second is a cache hit
		p, err := f.tokens.VerifyAccess(tok)
		if err != nil || p.UserID != 7 || p.DeviceID != "d" {
			t.Fatalf("verify %d: %+v, %v", i, p, err)
		}
	}
	i := len(tok) - 10 // inside the signature, clear of the last character's padding bits
	swap := byte('A')
	if tok[i] == swap {
		swap = 'B'
	}
	tampered := tok[:i] + string(swap) + tok[i+1:]
	if _, err := f.tokens.VerifyAccess(tampered); !errors.Is(err, models.ErrUnauthenticated) {
		t.Errorf("tampered signature after a cached verify: %v, want UNAUTHENTICATED", err)
	}
	f.now = exp.Add(DefaultLeeway - time.Second)
	if _, err := f.tokens.VerifyAccess(tok); err != nil {
		t.Errorf("within leeway: %v", err)
	}
	f.now = exp.Add(DefaultLeeway + time.Second)
	if _, err := f.tokens.VerifyAccess(tok); !errors.Is(err, models.ErrUnauthenticated) {
		t.Errorf("expired beyond leeway but cached: %v, want UNAUTHENTICATED", err)
	}
}
