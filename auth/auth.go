// Package auth authenticates the users of onsite: it hashes and checks
// passwords, issues and verifies short-lived Ed25519-signed access tokens,
// mints opaque refresh tokens, limits login attempts and carries the
// authenticated Principal in a context.Context.
//
// The package holds no global state: keys, clocks and limits are passed in.
// Every failure is a *models.Error whose message is safe to show to a client;
// tokens and passwords never appear in messages.
//
// Refresh-token rotation and reuse detection (revoking a whole family) live in
// the session layer that persists refresh tokens; this package only mints them
// and computes the hash to store and look up.
package auth

import (
	"context"

	"github.com/henan-youth/onsite/models"
)

// Principal is the authenticated caller of a request, as read from a verified
// access token.
type Principal struct {
	UserID    int64       // the user's id; always positive
	Username  string      // the user's login name
	Role      models.Role // what the user may do
	OrgUnitID int64       // the org unit the user belongs to; zero when none
	DeviceID  string      // the bound device the session was opened on; empty when none
	SessionID string      // the refresh-token family id of the session
}

// principalKey is the context key of the Principal. Being unexported, no
// other package can set or overwrite the value except through WithPrincipal.
type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p. A nil p yields a context in
// which PrincipalFrom reports no principal.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx. It returns nil and false
// when ctx carries none.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	if !ok || p == nil {
		return nil, false
	}
	return p, true
}

// Require returns the principal carried by ctx. It returns an UNAUTHENTICATED
// error when ctx carries none.
func Require(ctx context.Context) (*Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return nil, models.E(models.CodeUnauthenticated, "authentication required")
	}
	return p, nil
}
