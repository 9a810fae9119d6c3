// Package secret encrypts personal data in database fields (PIPL): a phone
// number or another direct contact is stored only as an AES-256-GCM
// ciphertext that names the key it was sealed with and is bound to its
// table, column and row.
//
// A stored value reads "v1:<kid>:<base64url of nonce ‖ ciphertext ‖ tag>".
// The associated data is the value's Field and key id, so a ciphertext
// copied into another row, column or table, or relabelled with another key
// id, does not open. Keys live in a key file (see
// LoadOrCreateKeyFile); rotating adds a key that seals from then on while the
// older keys keep opening what they sealed, until Reencrypt has moved every
// value to the current key.
//
// No function of this package puts a plaintext into an error or a log.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"iter"
	"strings"

	"github.com/henan-youth/onsite/models"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// version is the prefix of the one ciphertext format.
const version = "v1"

// Field is where a ciphertext is stored: its table, column and the key of its
// row (the row's id). All three are bound to the ciphertext.
type Field struct {
	Table, Column, Row string
}

// String names the field for error messages ("interviewees.phone row 42").
func (f Field) String() string { return f.Table + "." + f.Column + " row " + f.Row }

// ad returns the associated data of a value of f sealed under key kid: a
// label, the key id and the three parts of f, each length-prefixed so that
// no two fields encode alike.
func (f Field) ad(kid string) []byte {
	out := []byte("onsite-field-" + version)
	for _, s := range []string{kid, f.Table, f.Column, f.Row} {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return out
}

// check returns an INTERNAL error when a part of f is missing: a ciphertext
// bound to nothing could be moved anywhere, and the caller must name its row.
func (f Field) check() error {
	if f.Table == "" || f.Column == "" || f.Row == "" {
		return models.E(models.CodeInternal, "secret: field %q has no table, column or row to bind to", f.String())
	}
	return nil
}

// Key is one AES-256 key and its key id.
type Key struct {
	KID    string
	Secret []byte // KeySize bytes
}

// GenerateKey returns a fresh random key with a random key id (16 base64url
// characters). It cannot fail.
func GenerateKey() Key {
	id := make([]byte, 12)
	secret := make([]byte, KeySize)
	rand.Read(id) // crypto/rand does not fail since Go 1.24
	rand.Read(secret)
	return Key{KID: base64.RawURLEncoding.EncodeToString(id), Secret: secret}
}

// Keyring seals with its current key and opens with any of its keys. It is
// immutable and safe for concurrent use; build a new one to rotate.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
	order   []Key // current first, then the others as given
}

// NewKeyring returns a keyring that seals with current and opens with current
// and every key in older. It returns an INVALID error when a key id is empty,
// longer than 64 bytes or has characters other than ASCII letters, digits,
// '-' and '_'; when a key is not KeySize bytes; or when two keys share an id.
func NewKeyring(current Key, older ...Key) (*Keyring, error) {
	k := &Keyring{current: current.KID, keys: map[string]cipher.AEAD{}}
	for _, key := range append([]Key{current}, older...) {
		if msg := kidProblem(key.KID); msg != "" {
			return nil, models.E(models.CodeInvalid, "secret key: %s", msg)
		}
		if len(key.Secret) != KeySize {
			return nil, models.E(models.CodeInvalid, "secret key %s: %d bytes, want %d", key.KID, len(key.Secret), KeySize)
		}
		if _, dup := k.keys[key.KID]; dup {
			return nil, models.E(models.CodeInvalid, "secret key %s: duplicate kid", key.KID)
		}
		block, err := aes.NewCipher(key.Secret)
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "secret key "+key.KID)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, models.Wrap(models.CodeInvalid, err, "secret key "+key.KID)
		}
		k.keys[key.KID] = aead
		k.order = append(k.order, Key{KID: key.KID, Secret: append([]byte(nil), key.Secret...)})
	}
	return k, nil
}

// kidProblem describes what is wrong with a key id, or returns "".
func kidProblem(kid string) string {
	if kid == "" {
		return "key without kid"
	}
	if len(kid) > 64 {
		return "kid longer than 64 bytes"
	}
	for _, c := range []byte(kid) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "kid has characters other than letters, digits, '-', '_'"
		}
	}
	return ""
}

// CurrentKID returns the id of the key that seals. It cannot fail.
func (k *Keyring) CurrentKID() string { return k.current }

// Seal encrypts plaintext under the current key, bound to f. An empty
// plaintext seals to "" (no value is stored as no value). It returns an
// INTERNAL error when f lacks a table, column or row.
func (k *Keyring) Seal(plaintext string, f Field) (string, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	if plaintext == "" {
		return "", nil
	}
	aead := k.keys[k.current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), f.ad(k.current))
	return version + ":" + k.current + ":" + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts ciphertext, which must have been sealed for f. "" opens to
// "". It returns an INTERNAL error when f lacks a part, the ciphertext is
// malformed, its key is not in the keyring, or it does not authenticate
// (altered, or sealed for another field or row); the error names the field
// and the key id, never the value.
func (k *Keyring) Open(ciphertext string, f Field) (string, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	if ciphertext == "" {
		return "", nil
	}
	kid, sealed, err := parse(ciphertext, f)
	if err != nil {
		return "", err
	}
	aead, ok := k.keys[kid]
	if !ok {
		return "", models.E(models.CodeInternal, "secret: %s is sealed with key %s, which the key file does not hold", f, kid)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return "", models.E(models.CodeInternal, "secret: the ciphertext of %s is truncated", f)
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], f.ad(kid))
	if err != nil {
		return "", models.E(models.CodeInternal, "secret: the ciphertext of %s does not authenticate under key %s (altered, or sealed for another field or row)", f, kid)
	}
	return string(plain), nil
}

// KeyID returns the id of the key ciphertext was sealed with, "" for "". It
// returns an INTERNAL error when ciphertext is malformed.
func KeyID(ciphertext string) (string, error) {
	if ciphertext == "" {
		return "", nil
	}
	kid, _, err := parse(ciphertext, Field{Table: "?", Column: "?", Row: "?"})
	return kid, err
}

// parse splits a stored value into its key id and sealed bytes.
func parse(ciphertext string, f Field) (kid string, sealed []byte, err error) {
	v, rest, ok1 := strings.Cut(ciphertext, ":")
	kid, body, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || v != version || kidProblem(kid) != "" {
		return "", nil, models.E(models.CodeInternal, "secret: the value of %s is not a %s ciphertext", f, version)
	}
	sealed, err = base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", nil, models.E(models.CodeInternal, "secret: the ciphertext of %s is not base64url", f)
	}
	return kid, sealed, nil
}

// Reencrypt returns ciphertext sealed again under the current key, and
// whether that changed anything: a value already under the current key (or
// "") is returned as it is. It returns Open's errors.
func (k *Keyring) Reencrypt(ciphertext string, f Field) (string, bool, error) {
	kid, err := KeyID(ciphertext)
	if err != nil || kid == k.current || ciphertext == "" {
		return ciphertext, false, err
	}
	plain, err := k.Open(ciphertext, f)
	if err != nil {
		return "", false, err
	}
	out, err := k.Seal(plain, f)
	return out, err == nil, err
}

// Value is one stored ciphertext and its field.
type Value struct {
	Field      Field
	Ciphertext string
}

// ReencryptAll moves every value of vals that is not under the current key to
// it, handing the value with its new ciphertext to save, and returns how
// many it moved. It is what a key-rotation command runs over the encrypted
// columns after RotateKeyFile; running it again moves nothing. It stops at
// the first error, Reencrypt's or save's, and returns it with the count so
// far; the values already saved stay valid under either key.
func (k *Keyring) ReencryptAll(vals iter.Seq[Value], save func(Value) error) (int, error) {
	n := 0
	for v := range vals {
		out, changed, err := k.Reencrypt(v.Ciphertext, v.Field)
		if err != nil {
			return n, err
		}
		if !changed {
			continue
		}
		if err := save(Value{Field: v.Field, Ciphertext: out}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
