package auth

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

const (
	testIssuer   = "onsite"
	testAudience = "onsite-app"
)

// tokenFixture is a key set and a Tokens with a fixed clock.
type tokenFixture struct {
	kid    string
	priv   ed25519.PrivateKey
	tokens *Tokens
	now    time.Time
}

func newTokenFixture(t *testing.T) *tokenFixture {
	t.Helper()
	kid, priv := GenerateKey()
	ks, err := NewKeySet(kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	f := &tokenFixture{kid: kid, priv: priv, now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	f.tokens = &Tokens{Keys: ks, Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return f.now }}
	return f
}

// claims returns the claims of a valid access token issued at f.now.
func (f *tokenFixture) claims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": testIssuer, "aud": testAudience, "sub": "42",
		"iat": f.now.Unix(), "nbf": f.now.Unix(), "exp": f.now.Add(15 * time.Minute).Unix(),
		"jti": "j-1", "role": "CADRE", "org": 3, "dev": "dev-1", "sid": "fam-1", "typ": "access",
	}
}

// with returns f.claims() changed by edit.
func (f *tokenFixture) with(edit func(jwt.MapClaims)) jwt.MapClaims {
	c := f.claims()
	edit(c)
	return c
}

// sign returns claims signed with method and key; the header names kid unless
// kid is nil.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid any, claims jwt.MapClaims) string {
	t.Helper()
	jt := jwt.NewWithClaims(method, claims)
	if kid != nil {
		jt.Header["kid"] = kid
	}
	s, err := jt.SignedString(key)
	if err != nil {
		t.Fatalf("signing test token: %v", err)
	}
	return s
}

func TestVerifyAccessRefuses(t *testing.T) {
	const invalid, expired = "invalid token", "token expired"
	_, otherPriv := GenerateKey()
	tests := []struct {
		name    string
		token   func(t *testing.T, f *tokenFixture) string
		wantMsg string
	}{
		{"control: valid token is accepted", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.claims())
		}, ""},
		{"alg none", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, f.kid, f.claims())
		}, invalid},
		{"HS256 with the public key as secret", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodHS256, []byte(f.priv.Public().(ed25519.PublicKey)), f.kid, f.claims())
		}, invalid},
		{"another Ed25519 key with the same kid", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, otherPriv, f.kid, f.claims())
		}, invalid},
		{"payload swapped under a valid signature", func(t *testing.T, f *tokenFixture) string {
			good := strings.Split(sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.claims()), ".")
			admin := strings.Split(sign(t, jwt.SigningMethodEdDSA, otherPriv, f.kid, f.with(func(c jwt.MapClaims) { c["role"] = "ADMIN" })), ".")
			return good[0] + "." + admin[1] + "." + good[2]
		}, invalid},
		{"missing exp", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { delete(c, "exp") }))
		}, invalid},
		{"expired beyond leeway", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["exp"] = f.now.Add(-31 * time.Second).Unix() }))
		}, expired},
		{"control: expired within leeway", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["exp"] = f.now.Add(-29 * time.Second).Unix() }))
		}, ""},
		{"nbf in the future beyond leeway", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["nbf"] = f.now.Add(time.Minute).Unix() }))
		}, invalid},
		{"iat in the future beyond leeway", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["iat"] = f.now.Add(time.Minute).Unix() }))
		}, invalid},
		{"wrong aud", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["aud"] = "ledger" }))
		}, invalid},
		{"missing aud", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { delete(c, "aud") }))
		}, invalid},
		{"wrong iss", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["iss"] = "evil" }))
		}, invalid},
		{"missing iss", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { delete(c, "iss") }))
		}, invalid},
		{"refresh token used as access token", func(t *testing.T, f *tokenFixture) string {
			plain, _ := NewRefreshToken()
			return plain
		}, invalid},
		{"unknown kid", func(t *testing.T, f *tokenFixture) string {
			kid, priv := GenerateKey()
			return sign(t, jwt.SigningMethodEdDSA, priv, kid, f.claims())
		}, invalid},
		{"missing kid", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, nil, f.claims())
		}, invalid},
		{"kid not a string", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, 7, f.claims())
		}, invalid},
		{"typ refresh", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["typ"] = "refresh" }))
		}, invalid},
		{"typ missing", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { delete(c, "typ") }))
		}, invalid},
		{"sub not a number", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["sub"] = "admin" }))
		}, invalid},
		{"sub zero", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["sub"] = "0" }))
		}, invalid},
		{"sub with sign", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["sub"] = "+42" }))
		}, invalid},
		{"unknown role", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["role"] = "ROOT" }))
		}, invalid},
		{"validly signed but longer than 4 KiB", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.with(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", MaxTokenBytes) }))
		}, invalid},
		{"four segments", func(t *testing.T, f *tokenFixture) string {
			return sign(t, jwt.SigningMethodEdDSA, f.priv, f.kid, f.claims()) + ".x"
		}, invalid},
		{"a million dots", func(t *testing.T, f *tokenFixture) string {
			return strings.Repeat(".", 1_000_000)
		}, invalid},
		{"two dots only", func(t *testing.T, f *tokenFixture) string { return ".." }, invalid},
		{"empty string", func(t *testing.T, f *tokenFixture) string { return "" }, invalid},
		{"garbage base64", func(t *testing.T, f *tokenFixture) string { return "!!!$.@@@%.^^^&" }, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTokenFixture(t)
			token := tt.token(t, f)
			got, err := f.tokens.VerifyAccess(token)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("VerifyAccess = %v, want success", err)
				}
				return
			}
			if !errors.Is(err, models.ErrUnauthenticated) {
				t.Fatalf("VerifyAccess = %+v, %v; want UNAUTHENTICATED", got, err)
			}
			if got := messageOf(err); got != tt.wantMsg {
				t.Errorf("message = %q, want %q", got, tt.wantMsg)
			}
			if len(token) > 8 && strings.Contains(err.Error(), token) {
				t.Errorf("error echoes the token: %v", err)
			}
		})
	}
}

func TestVerifyAccessClock(t *testing.T) {
	tests := []struct {
		name    string
		offset  time.Duration // verification time minus issue time
		leeway  time.Duration
		wantErr string // "" means accepted
	}{
		{"at issue", 0, 0, ""},
		{"just before exp", 15*time.Minute - time.Second, 0, ""},
		{"expired within leeway", 15*time.Minute + 29*time.Second, 0, ""},
		{"expired beyond leeway", 15*time.Minute + 31*time.Second, 0, "token expired"},
		{"verifier clock behind within leeway", -29 * time.Second, 0, ""},
		{"verifier clock behind beyond leeway", -31 * time.Second, 0, "invalid token"},
		{"no leeway, at exp", 15 * time.Minute, -1, "token expired"},
		{"long leeway", 16 * time.Minute, 2 * time.Minute, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTokenFixture(t)
			f.tokens.Leeway = tt.leeway
			token, expires, err := f.tokens.IssueAccess(authz.Principal{UserID: 1, Role: models.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if want := f.now.Add(DefaultAccessTTL); !expires.Equal(want) {
				t.Errorf("expires = %v, want %v", expires, want)
			}
			f.now = f.now.Add(tt.offset)
			_, err = f.tokens.VerifyAccess(token)
			if got := messageOf(err); got != tt.wantErr {
				t.Errorf("VerifyAccess error = %v, want message %q", err, tt.wantErr)
			}
		})
	}
}

func TestAccessRoundTrip(t *testing.T) {
	tests := []authz.Principal{
		{UserID: 42, Username: "zhang.wei", Role: models.RoleCadre, OrgUnitID: 1307, DeviceID: "ios-8F2C", SessionID: "2b1e6f0c-family", AuthVersion: 7},
		{UserID: 1, Username: "李娜", Role: models.RoleSupervisor, OrgUnitID: 9_007_199_254_740_993},
		{UserID: 9_223_372_036_854_775_807, Role: models.RoleDiscipline},
		{UserID: 2, Username: "admin", Role: models.RoleAdmin, SessionID: "s"},
		{UserID: 3, Username: "auditadmin", Role: models.RoleAuditAdmin, SessionID: "s", AuthVersion: 1},
	}
	for _, want := range tests {
		t.Run(want.Username, func(t *testing.T) {
			f := newTokenFixture(t)
			token, _, err := f.tokens.IssueAccess(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.tokens.VerifyAccess(token)
			if err != nil {
				t.Fatal(err)
			}
			if *got != want {
				t.Errorf("got %+v, want %+v", *got, want)
			}
		})
	}
}

func TestIssueAccessClaims(t *testing.T) {
	f := newTokenFixture(t)
	f.tokens.AccessTTL = 5 * time.Minute
	p := authz.Principal{UserID: 42, Username: "zhang.wei", Role: models.RoleCadre, OrgUnitID: 3, DeviceID: "dev-1", SessionID: "fam-1", AuthVersion: 5}
	token, expires, err := f.tokens.IssueAccess(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := f.now.Add(5 * time.Minute); !expires.Equal(want) {
		t.Errorf("expires = %v, want %v", expires, want)
	}
	var c jwt.MapClaims
	jt, _, err := jwt.NewParser().ParseUnverified(token, &c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jt.Header["alg"], "EdDSA"; got != want {
		t.Errorf("header alg = %v, want %v", got, want)
	}
	if got, want := jt.Header["kid"], f.kid; got != want {
		t.Errorf("header kid = %v, want %v", got, want)
	}
	wantClaims := map[string]any{
		"iss": testIssuer, "aud": []any{testAudience}, "sub": "42",
		"iat": float64(f.now.Unix()), "nbf": float64(f.now.Unix()), "exp": float64(expires.Unix()),
		"role": "CADRE", "org": float64(3), "dev": "dev-1", "sid": "fam-1", "ver": float64(5), "typ": "access",
		"preferred_username": "zhang.wei",
	}
	for k, want := range wantClaims {
		if got := c[k]; !equalJSON(got, want) {
			t.Errorf("claim %s = %#v, want %#v", k, got, want)
		}
	}
	if jti, _ := c["jti"].(string); jti == "" {
		t.Errorf("claim jti = %#v, want a non-empty string", c["jti"])
	}
	other, _, _ := f.tokens.IssueAccess(p)
	var c2 jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(other, &c2); err != nil || c2["jti"] == c["jti"] {
		t.Errorf("two tokens share jti %v (err %v)", c["jti"], err)
	}
}

// messageOf returns the client-safe message of err, or "" when err is not a
// *models.Error.
func messageOf(err error) string {
	var me *models.Error
	if errors.As(err, &me) {
		return me.Message
	}
	return ""
}

// equalJSON compares decoded JSON values, including arrays.
func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok || bok {
		if !aok || !bok || len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

func TestKeyRotation(t *testing.T) {
	oldKID, oldPriv := GenerateKey()
	newKID, newPriv := GenerateKey()
	oldSet, err := NewKeySet(oldKID, oldPriv)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewKeySet(newKID, newPriv, oldSet.VerifyKeys()...)
	if err != nil {
		t.Fatal(err)
	}
	retired, err := NewKeySet(newKID, newPriv)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	tokensFor := func(ks *KeySet) *Tokens {
		return &Tokens{Keys: ks, Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return now }}
	}
	p := authz.Principal{UserID: 5, Role: models.RoleSupervisor}
	oldToken, _, err := tokensFor(oldSet).IssueAccess(p)
	if err != nil {
		t.Fatal(err)
	}
	newToken, _, err := tokensFor(rotated).IssueAccess(p)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		keys    *KeySet
		token   string
		wantErr bool
	}{
		{"old token, old set", oldSet, oldToken, false},
		{"old token, rotated set keeps old key", rotated, oldToken, false},
		{"new token, rotated set", rotated, newToken, false},
		{"new token, old set does not know new key", oldSet, newToken, true},
		{"old token, old key removed", retired, oldToken, true},
		{"new token, old key removed", retired, newToken, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tokensFor(tt.keys).VerifyAccess(tt.token)
			if tt.wantErr && !errors.Is(err, models.ErrUnauthenticated) {
				t.Errorf("VerifyAccess = %v, want UNAUTHENTICATED", err)
			}
			if !tt.wantErr && err != nil {
				t.Errorf("VerifyAccess = %v, want nil", err)
			}
		})
	}
	if got, want := rotated.SigningKID(), newKID; got != want {
		t.Errorf("rotated.SigningKID() = %s, want %s", got, want)
	}
}

func TestTokensErrors(t *testing.T) {
	f := newTokenFixture(t)
	tests := []struct {
		name     string
		tokens   *Tokens
		p        authz.Principal
		wantCode models.Code
	}{
		{"no user id", f.tokens, authz.Principal{Role: models.RoleCadre}, models.CodeInvalid},
		{"negative user id", f.tokens, authz.Principal{UserID: -1, Role: models.RoleCadre}, models.CodeInvalid},
		{"no role", f.tokens, authz.Principal{UserID: 1}, models.CodeInvalid},
		{"lower-case role", f.tokens, authz.Principal{UserID: 1, Role: "cadre"}, models.CodeInvalid},
		{"no keys", &Tokens{Issuer: testIssuer, Audience: testAudience}, authz.Principal{UserID: 1, Role: models.RoleCadre}, models.CodeInternal},
		{"no issuer", &Tokens{Keys: f.tokens.Keys, Audience: testAudience}, authz.Principal{UserID: 1, Role: models.RoleCadre}, models.CodeInternal},
		{"no audience", &Tokens{Keys: f.tokens.Keys, Issuer: testIssuer}, authz.Principal{UserID: 1, Role: models.RoleCadre}, models.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.tokens.IssueAccess(tt.p)
			if got := models.CodeOf(err); err == nil || got != tt.wantCode {
				t.Errorf("IssueAccess error = %v, want code %s", err, tt.wantCode)
			}
		})
	}
	// A verifier without an issuer would skip the iss check; it must refuse to run.
	good, _, err := f.tokens.IssueAccess(authz.Principal{UserID: 1, Role: models.RoleCadre})
	if err != nil {
		t.Fatal(err)
	}
	noIssuer := &Tokens{Keys: f.tokens.Keys, Audience: testAudience, Now: f.tokens.Now}
	if _, err := noIssuer.VerifyAccess(good); !errors.Is(err, models.ErrInternal) {
		t.Errorf("VerifyAccess without Issuer = %v, want INTERNAL", err)
	}
}
