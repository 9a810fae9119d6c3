package auth

import (
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// Access-token defaults and limits.
const (
	DefaultAccessTTL = 15 * time.Minute // lifetime of an access token when Tokens.AccessTTL is zero
	DefaultLeeway    = 30 * time.Second // clock skew tolerated when Tokens.Leeway is zero
	MaxTokenBytes    = 4096             // longer tokens are refused before parsing
)

// tokenTypeAccess is the typ claim of an access token; it keeps any other
// token signed with the same keys from being accepted as an access token.
const tokenTypeAccess = "access"

// Tokens issues and verifies access tokens: JWTs signed with Ed25519 (EdDSA)
// by the signing key of Keys, carrying the Principal. Fields must not change
// while the Tokens is in use; it is then safe for concurrent use.
type Tokens struct {
	Keys      *KeySet
	Issuer    string           // iss claim issued and required; must not be empty
	Audience  string           // aud claim issued and required; must not be empty
	AccessTTL time.Duration    // zero means DefaultAccessTTL
	Leeway    time.Duration    // tolerated clock skew; zero means DefaultLeeway, negative means none
	Now       func() time.Time // clock; nil means time.Now

	verified verifiedCache // tokens already verified; see VerifyAccess
}

// accessClaims is the payload of an access token.
type accessClaims struct {
	jwt.RegisteredClaims
	Username string      `json:"preferred_username,omitempty"`
	Role     models.Role `json:"role"`
	Org      int64       `json:"org,omitempty"`
	Dev      string      `json:"dev,omitempty"`
	SID      string      `json:"sid,omitempty"`
	Ver      int64       `json:"ver,omitempty"` // the account's auth version at issue
	Typ      string      `json:"typ"`
}

func (t *Tokens) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

func (t *Tokens) ttl() time.Duration {
	if t.AccessTTL <= 0 {
		return DefaultAccessTTL
	}
	return t.AccessTTL
}

func (t *Tokens) leeway() time.Duration {
	switch {
	case t.Leeway == 0:
		return DefaultLeeway
	case t.Leeway < 0:
		return 0
	}
	return t.Leeway
}

// configError returns an INTERNAL error when t cannot issue or verify tokens.
func (t *Tokens) configError() error {
	if t.Keys == nil || t.Issuer == "" || t.Audience == "" {
		return models.E(models.CodeInternal, "auth.Tokens needs Keys, Issuer and Audience")
	}
	return nil
}

// IssueAccess returns a signed access token for p and the time it expires.
// The token carries iss, aud, sub (the user id), iat, nbf, exp and a random
// jti, plus role, org, dev, sid, ver (p.AuthVersion), preferred_username
// and typ "access"; its
// header names the signing key's kid. It returns an INVALID error when p has
// no positive UserID or an invalid Role, and an INTERNAL error when t lacks
// Keys, Issuer or Audience.
func (t *Tokens) IssueAccess(p authz.Principal) (token string, expires time.Time, err error) {
	if err := t.configError(); err != nil {
		return "", time.Time{}, err
	}
	if p.UserID <= 0 {
		return "", time.Time{}, models.E(models.CodeInvalid, "principal without user id")
	}
	if !p.Role.Valid() {
		return "", time.Time{}, models.E(models.CodeInvalid, "principal with invalid role")
	}
	now := t.now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.Issuer,
			Subject:   strconv.FormatInt(p.UserID, 10),
			Audience:  jwt.ClaimStrings{t.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl())),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.NewString(),
		},
		Username: p.Username,
		Role:     p.Role,
		Org:      p.OrgUnitID,
		Dev:      p.DeviceID,
		SID:      p.SessionID,
		Ver:      p.AuthVersion,
		Typ:      tokenTypeAccess,
	}
	jt := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	jt.Header["kid"] = t.Keys.signKID
	token, err = jt.SignedString(t.Keys.signer)
	if err != nil {
		return "", time.Time{}, models.Wrap(models.CodeInternal, err, "signing access token")
	}
	return token, claims.ExpiresAt.Time, nil
}

// VerifyAccess returns the principal of a valid access token. A token is
// valid when it has three segments and at most MaxTokenBytes bytes, is signed
// with EdDSA by the key its kid names in Keys, carries the expected iss and
// aud, an exp not passed (give or take the leeway), an nbf and iat not in the
// future, typ "access", a positive numeric sub and a valid role. Any other
// token is refused with an UNAUTHENTICATED error whose message is "token
// expired" or "invalid token"; the token itself never appears in the error.
// It returns an INTERNAL error when t lacks Keys, Issuer or Audience.
func (t *Tokens) VerifyAccess(token string) (*authz.Principal, error) {
	if err := t.configError(); err != nil {
		return nil, err
	}
	// Cheap shape check first, so oversized or dot-stuffed input costs
	// nothing: the length test runs before any scan of the string.
	if len(token) > MaxTokenBytes || strings.Count(token, ".") != 2 {
		return nil, refuse(errors.New("malformed token"))
	}
	sum := sha256.Sum256([]byte(token))
	if p, ok := t.verified.get(sum, t.now(), t.leeway()); ok {
		return p, nil
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(t.Issuer),
		jwt.WithAudience(t.Audience),
		jwt.WithLeeway(t.leeway()),
		jwt.WithTimeFunc(t.now),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
	)
	var claims accessClaims
	if _, err := parser.ParseWithClaims(token, &claims, t.key); err != nil {
		return nil, refuse(err)
	}
	if claims.Typ != tokenTypeAccess {
		return nil, refuse(errors.New("typ is not access"))
	}
	uid, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || uid <= 0 || strconv.FormatInt(uid, 10) != claims.Subject {
		return nil, refuse(errors.New("sub is not a user id"))
	}
	if !claims.Role.Valid() {
		return nil, refuse(errors.New("invalid role"))
	}
	p := &authz.Principal{
		UserID:      uid,
		Username:    claims.Username,
		Role:        claims.Role,
		OrgUnitID:   claims.Org,
		DeviceID:    claims.Dev,
		SessionID:   claims.SID,
		AuthVersion: claims.Ver,
	}
	t.verified.put(sum, *p, claims)
	return p, nil
}

// verifiedMax bounds the verified-token cache; it is emptied when full.
const verifiedMax = 100_000

// verifiedCache remembers access tokens whose signature and claims were
// checked, keyed by the SHA-256 of the whole token, so a phone's next
// requests with the same token skip the Ed25519 verification (the largest
// CPU cost of a check-in request). An entry is used only within the token's
// own nbf/exp window (with the leeway); outside it the token is verified
// afresh, and refused. The zero value is ready to use.
type verifiedCache struct {
	mu sync.Mutex
	m  map[[32]byte]verifiedEntry
}

type verifiedEntry struct {
	p        authz.Principal
	nbf, exp time.Time
}

func (c *verifiedCache) get(sum [32]byte, now time.Time, leeway time.Duration) (*authz.Principal, bool) {
	c.mu.Lock()
	e, ok := c.m[sum]
	c.mu.Unlock()
	if !ok || now.Before(e.nbf.Add(-leeway)) || now.After(e.exp.Add(leeway)) {
		return nil, false
	}
	p := e.p
	return &p, true
}

func (c *verifiedCache) put(sum [32]byte, p authz.Principal, claims accessClaims) {
	if claims.ExpiresAt == nil {
		return
	}
	e := verifiedEntry{p: p, exp: claims.ExpiresAt.Time}
	if claims.NotBefore != nil {
		e.nbf = claims.NotBefore.Time
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= verifiedMax {
		c.m = make(map[[32]byte]verifiedEntry)
	}
	c.m[sum] = e
}

// key returns the public key named by the token's kid header. It returns an
// error for another algorithm, a missing kid or a kid not in t.Keys.
func (t *Tokens) key(jt *jwt.Token) (any, error) {
	if _, ok := jt.Method.(*jwt.SigningMethodEd25519); !ok {
		return nil, errors.New("unexpected signing method")
	}
	kid, ok := jt.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errors.New("missing kid")
	}
	pub, ok := t.Keys.public[kid]
	if !ok {
		return nil, errors.New("unknown kid")
	}
	return pub, nil
}

// refuse returns the UNAUTHENTICATED error for a token that failed
// verification, keeping cause for the log.
func refuse(cause error) error {
	if errors.Is(cause, jwt.ErrTokenExpired) {
		return models.Wrap(models.CodeUnauthenticated, cause, "token expired")
	}
	return models.Wrap(models.CodeUnauthenticated, cause, "invalid token")
}
