package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"maps"
	"slices"

	"github.com/henan-youth/onsite/models"
)

// maxKIDLen bounds the length of a key id.
const maxKIDLen = 64

// KeySet is the fixed set of Ed25519 keys that sign and verify access tokens:
// one signing key, whose public half also verifies, plus any number of
// verify-only public keys kept during a rotation so that tokens signed by an
// older key stay valid until they expire. Every key is known by its key id
// (kid), which tokens carry in their header. A KeySet is immutable and safe
// for concurrent use; build a new one to rotate.
type KeySet struct {
	signKID string
	signer  ed25519.PrivateKey
	public  map[string]ed25519.PublicKey // by kid; includes the signing key
}

// VerifyKey is a verify-only public key and its key id.
type VerifyKey struct {
	KID    string
	Public ed25519.PublicKey
}

// GenerateKey returns a fresh Ed25519 private key from crypto/rand and its key
// id, the RFC 7638 JWK thumbprint of the public key (see KeyID). It cannot
// fail.
func GenerateKey() (kid string, priv ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		// crypto/rand does not fail since Go 1.24; reaching here is a bug.
		panic("auth: generating Ed25519 key: " + err.Error())
	}
	return KeyID(pub), priv
}

// KeyID returns the RFC 7638 JWK thumbprint of pub, base64url without padding
// (43 characters). It is the key id GenerateKey assigns; any other id that
// passes NewKeySet's checks works as well. It cannot fail.
func KeyID(pub ed25519.PublicKey) string {
	jwk := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(jwk))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// NewKeySet returns a key set that signs with signer under kid and verifies
// with signer's public key and with every key in verify. It returns an INVALID
// error when a kid is empty, longer than 64 bytes or has characters other than
// ASCII letters, digits, '-', '_' and '.'; when a key has the wrong size or the
// private key's halves disagree; or when two keys share a kid.
func NewKeySet(kid string, signer ed25519.PrivateKey, verify ...VerifyKey) (*KeySet, error) {
	if err := checkKID(kid); err != nil {
		return nil, err
	}
	if len(signer) != ed25519.PrivateKeySize {
		return nil, models.E(models.CodeInvalid, "key %s: not an Ed25519 private key", kid)
	}
	// The last 32 bytes are the public key; they must derive from the seed.
	if !bytes.Equal(ed25519.NewKeyFromSeed(signer.Seed()), signer) {
		return nil, models.E(models.CodeInvalid, "key %s: corrupt Ed25519 private key", kid)
	}
	ks := &KeySet{
		signKID: kid,
		signer:  slices.Clone(signer),
		public:  map[string]ed25519.PublicKey{kid: slices.Clone(signer.Public().(ed25519.PublicKey))},
	}
	for _, v := range verify {
		if err := checkKID(v.KID); err != nil {
			return nil, err
		}
		if len(v.Public) != ed25519.PublicKeySize {
			return nil, models.E(models.CodeInvalid, "key %s: not an Ed25519 public key", v.KID)
		}
		if _, dup := ks.public[v.KID]; dup {
			return nil, models.E(models.CodeInvalid, "key %s: duplicate kid", v.KID)
		}
		ks.public[v.KID] = slices.Clone(v.Public)
	}
	return ks, nil
}

// checkKID returns an INVALID error unless kid is a short, header-safe token.
func checkKID(kid string) error {
	if msg := kidProblem(kid); msg != "" {
		return models.E(models.CodeInvalid, "%s", msg)
	}
	return nil
}

// kidProblem describes what is wrong with kid, or returns "" when nothing is.
func kidProblem(kid string) string {
	if kid == "" {
		return "key without kid"
	}
	if len(kid) > maxKIDLen {
		return "kid longer than 64 bytes"
	}
	for _, c := range []byte(kid) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.'
		if !ok {
			return "kid has characters other than letters, digits, '-', '_', '.'"
		}
	}
	return ""
}

// SigningKID returns the key id of the signing key. It cannot fail.
func (ks *KeySet) SigningKID() string { return ks.signKID }

// PublicKey returns the public key known as kid. It returns nil and false when
// the set has no such key.
func (ks *KeySet) PublicKey(kid string) (ed25519.PublicKey, bool) {
	pub, ok := ks.public[kid]
	return slices.Clone(pub), ok
}

// VerifyKeys returns every public key of the set, the signing key's first and
// the others sorted by kid. Passing them to NewKeySet with a new signing key
// rotates the set. It cannot fail.
func (ks *KeySet) VerifyKeys() []VerifyKey {
	out := []VerifyKey{{KID: ks.signKID, Public: slices.Clone(ks.public[ks.signKID])}}
	for _, kid := range slices.Sorted(maps.Keys(ks.public)) {
		if kid != ks.signKID {
			out = append(out, VerifyKey{KID: kid, Public: slices.Clone(ks.public[kid])})
		}
	}
	return out
}
