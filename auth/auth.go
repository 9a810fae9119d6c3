// Package auth authenticates the users of onsite: it hashes and checks
// passwords, issues and verifies short-lived Ed25519-signed access tokens,
// mints opaque refresh tokens and limits login attempts. The caller it
// authenticates is an authz.Principal.
//
// The package holds no global state: keys, clocks and limits are passed in.
// Every failure is a *models.Error whose message is safe to show to a client;
// tokens and passwords never appear in messages.
//
// Refresh-token rotation and reuse detection (revoking a whole family) live in
// the session layer that persists refresh tokens; this package only mints them
// and computes the hash to store and look up.
package auth
