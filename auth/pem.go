package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/henan-youth/onsite/models"
)

// PEM block types and the header that names a block's key id.
const (
	pemPrivateKey = "PRIVATE KEY" // PKCS #8
	pemPublicKey  = "PUBLIC KEY"  // PKIX
	pemKIDHeader  = "kid"
)

// EncodePrivateKeyPEM returns priv as a PKCS #8 "PRIVATE KEY" PEM block with a
// "kid" header. It returns an INVALID error when kid is not a valid key id or
// priv is not a well-formed Ed25519 private key.
func EncodePrivateKeyPEM(kid string, priv ed25519.PrivateKey) ([]byte, error) {
	if _, err := NewKeySet(kid, priv); err != nil {
		return nil, err
	}
	return encodePrivate(kid, priv), nil
}

// EncodePublicKeyPEM returns pub as a PKIX "PUBLIC KEY" PEM block with a "kid"
// header. It returns an INVALID error when kid is not a valid key id or pub is
// not an Ed25519 public key.
func EncodePublicKeyPEM(kid string, pub ed25519.PublicKey) ([]byte, error) {
	if err := checkKID(kid); err != nil {
		return nil, err
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, models.E(models.CodeInvalid, "key %s: not an Ed25519 public key", kid)
	}
	return encodePublic(kid, pub), nil
}

// DecodePrivateKeyPEM returns the key id and the Ed25519 private key of the
// first PEM block in data, which must be a "PRIVATE KEY" block with a "kid"
// header. It returns an INVALID error otherwise.
func DecodePrivateKeyPEM(data []byte) (kid string, priv ed25519.PrivateKey, err error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return "", nil, models.E(models.CodeInvalid, "key data: no PEM block")
	}
	if b.Type != pemPrivateKey {
		return "", nil, models.E(models.CodeInvalid, "key block 1: type %q, want %q", b.Type, pemPrivateKey)
	}
	kid, priv, _, err = decodeBlock(b, 1)
	return kid, priv, err
}

// ParseKeySetPEM returns the key set described by data: a sequence of
// "PRIVATE KEY" (PKCS #8) and "PUBLIC KEY" (PKIX) Ed25519 PEM blocks, each
// with a "kid" header. The first private key signs; later private keys and all
// public keys only verify. It returns an INVALID error when data has no
// private key, a block of another type, an encrypted, malformed or non-Ed25519
// key, a block without a valid kid, two keys with one kid, or text after the
// last block (which is how a truncated block shows).
func ParseKeySetPEM(data []byte) (*KeySet, error) {
	var (
		signKID string
		signer  ed25519.PrivateKey
		verify  []VerifyKey
	)
	rest := data
	for n := 1; ; n++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		kid, priv, pub, err := decodeBlock(b, n)
		if err != nil {
			return nil, err
		}
		if priv != nil && signer == nil {
			signKID, signer = kid, priv
			continue
		}
		if priv != nil {
			pub = priv.Public().(ed25519.PublicKey)
		}
		verify = append(verify, VerifyKey{KID: kid, Public: pub})
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, models.E(models.CodeInvalid, "key data: text after the last PEM block (truncated block?)")
	}
	if signer == nil {
		return nil, models.E(models.CodeInvalid, "key data: no %q block", pemPrivateKey)
	}
	return NewKeySet(signKID, signer, verify...)
}

// decodeBlock returns the kid of block number n and its private key (for a
// PRIVATE KEY block) or public key (for a PUBLIC KEY block). It returns an
// INVALID error for any other block or a key that is not Ed25519.
func decodeBlock(b *pem.Block, n int) (kid string, priv ed25519.PrivateKey, pub ed25519.PublicKey, err error) {
	if _, ok := b.Headers["Proc-Type"]; ok {
		return "", nil, nil, models.E(models.CodeInvalid, "key block %d: encrypted keys are not supported", n)
	}
	kid = b.Headers[pemKIDHeader]
	if msg := kidProblem(kid); msg != "" {
		return "", nil, nil, models.E(models.CodeInvalid, "key block %d: %s", n, msg)
	}
	switch b.Type {
	case pemPrivateKey:
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return "", nil, nil, models.Wrap(models.CodeInvalid, err, fmt.Sprintf("key block %d: malformed private key", n))
		}
		priv, ok := k.(ed25519.PrivateKey)
		if !ok {
			return "", nil, nil, models.E(models.CodeInvalid, "key block %d: not an Ed25519 private key", n)
		}
		return kid, priv, nil, nil
	case pemPublicKey:
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return "", nil, nil, models.Wrap(models.CodeInvalid, err, fmt.Sprintf("key block %d: malformed public key", n))
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return "", nil, nil, models.E(models.CodeInvalid, "key block %d: not an Ed25519 public key", n)
		}
		return kid, nil, pub, nil
	default:
		return "", nil, nil, models.E(models.CodeInvalid, "key block %d: type %q, want %q or %q", n, b.Type, pemPrivateKey, pemPublicKey)
	}
}

// encodePrivate returns the PEM block of a private key already checked.
func encodePrivate(kid string, priv ed25519.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		panic("auth: marshaling Ed25519 private key: " + err.Error()) // cannot happen for a checked key
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Headers: map[string]string{pemKIDHeader: kid}, Bytes: der})
}

// encodePublic returns the PEM block of a public key already checked.
func encodePublic(kid string, pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("auth: marshaling Ed25519 public key: " + err.Error()) // cannot happen for a checked key
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Headers: map[string]string{pemKIDHeader: kid}, Bytes: der})
}

// MarshalPEM returns the key set in the form ParseKeySetPEM reads: the signing
// key as a PRIVATE KEY block, then every verify-only key as a PUBLIC KEY block
// sorted by kid. It cannot fail.
func (ks *KeySet) MarshalPEM() []byte {
	out := encodePrivate(ks.signKID, ks.signer)
	for _, v := range ks.VerifyKeys()[1:] {
		out = append(out, encodePublic(v.KID, v.Public)...)
	}
	return out
}

// LoadOrCreateKeyFile returns the key set stored at path, reading it with
// ParseKeySetPEM. When no file exists at path, it generates a key, writes it
// to a new file with mode 0600 and reports created; the directory must exist.
// It returns an INVALID error when the file does not parse and an INTERNAL
// error when it cannot be read or written.
func LoadOrCreateKeyFile(path string) (ks *KeySet, created bool, err error) {
	ks, err = readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return ks, false, err
	}
	kid, priv := GenerateKey()
	err = writeNewFile(path, encodePrivate(kid, priv))
	if errors.Is(err, fs.ErrExist) {
		// Another process created the file first; use its key.
		ks, err = readKeyFile(path)
		return ks, false, err
	}
	if err != nil {
		return nil, false, models.Wrap(models.CodeInternal, err, "writing key file")
	}
	ks, err = NewKeySet(kid, priv)
	return ks, true, err
}

// readKeyFile returns the key set in the file at path. Its INTERNAL error
// wraps the os error, so errors.Is(err, fs.ErrNotExist) tells a missing file.
func readKeyFile(path string) (*KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "reading key file")
	}
	ks, err := ParseKeySetPEM(data)
	var me *models.Error
	if errors.As(err, &me) {
		return nil, &models.Error{Code: me.Code, Message: "key file " + path + ": " + me.Message, Err: me.Err}
	}
	return ks, err
}

// writeNewFile writes data to a file that must not exist yet, with mode 0600,
// and syncs it. On failure it removes what it created.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
