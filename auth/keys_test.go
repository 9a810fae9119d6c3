package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

func TestGenerateKey(t *testing.T) {
	kid, priv := GenerateKey()
	if got, want := len(priv), ed25519.PrivateKeySize; got != want {
		t.Errorf("len(priv) = %d, want %d", got, want)
	}
	if got, want := kid, KeyID(priv.Public().(ed25519.PublicKey)); got != want {
		t.Errorf("kid = %s, want KeyID(pub) = %s", got, want)
	}
	if msg := kidProblem(kid); msg != "" {
		t.Errorf("generated kid %q: %s", kid, msg)
	}
	if kid2, _ := GenerateKey(); kid2 == kid {
		t.Errorf("two generated keys share kid %s", kid)
	}
}

func TestKeyIDThumbprint(t *testing.T) {
	// RFC 8037 appendix A.3: the JWK thumbprint of the appendix A.2 key.
	pub := ed25519.PublicKey{
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
		0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
	}
	if got, want := KeyID(pub), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"; got != want {
		t.Errorf("KeyID = %s, want %s", got, want)
	}
}

func TestNewKeySetErrors(t *testing.T) {
	kid, priv := GenerateKey()
	otherKID, other := GenerateKey()
	otherPub := other.Public().(ed25519.PublicKey)
	corrupt := slices.Clone(priv)
	corrupt[40] ^= 1 // public half no longer matches the seed
	tests := []struct {
		name   string
		kid    string
		priv   ed25519.PrivateKey
		verify []VerifyKey
	}{
		{"empty kid", "", priv, nil},
		{"kid with space", "a b", priv, nil},
		{"kid with colon", "a:b", priv, nil},
		{"kid with newline", "a\nb", priv, nil},
		{"kid too long", strings.Repeat("k", 65), priv, nil},
		{"nil private key", kid, nil, nil},
		{"short private key", kid, priv[:32], nil},
		{"corrupt private key", kid, corrupt, nil},
		{"verify key without kid", kid, priv, []VerifyKey{{Public: otherPub}}},
		{"verify key of wrong size", kid, priv, []VerifyKey{{KID: otherKID, Public: otherPub[:16]}}},
		{"verify key reuses signing kid", kid, priv, []VerifyKey{{KID: kid, Public: otherPub}}},
		{"two verify keys with one kid", kid, priv, []VerifyKey{{KID: otherKID, Public: otherPub}, {KID: otherKID, Public: otherPub}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := NewKeySet(tt.kid, tt.priv, tt.verify...)
			if !errors.Is(err, models.ErrInvalid) {
				t.Errorf("NewKeySet = %v, %v; want INVALID", ks, err)
			}
		})
	}
	if _, err := NewKeySet("k-1.v2_a", priv, VerifyKey{KID: otherKID, Public: otherPub}); err != nil {
		t.Errorf("NewKeySet(valid) = %v, want nil", err)
	}
}

func TestKeySetCopiesKeys(t *testing.T) {
	kid, priv := GenerateKey()
	pub := slices.Clone(priv.Public().(ed25519.PublicKey))
	ks, err := NewKeySet(kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ks.PublicKey(kid)
	got[0] ^= 1
	ks.VerifyKeys()[0].Public[1] ^= 1
	priv[2] ^= 1
	if again, _ := ks.PublicKey(kid); !bytes.Equal(again, pub) {
		t.Errorf("key set changed through a returned or passed slice")
	}
	if _, ok := ks.PublicKey("nope"); ok {
		t.Errorf("PublicKey(unknown) ok = true, want false")
	}
}

func TestPEMRoundTrip(t *testing.T) {
	kid, priv := GenerateKey()
	data, err := EncodePrivateKeyPEM(kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	gotKID, gotPriv, err := DecodePrivateKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	if gotKID != kid || !gotPriv.Equal(priv) {
		t.Errorf("DecodePrivateKeyPEM = %s, %x; want %s, %x", gotKID, gotPriv, kid, priv)
	}

	// A rotated set survives MarshalPEM and ParseKeySetPEM.
	kid2, priv2 := GenerateKey()
	kid3, priv3 := GenerateKey()
	ks, err := NewKeySet(kid2, priv2,
		VerifyKey{KID: kid, Public: priv.Public().(ed25519.PublicKey)},
		VerifyKey{KID: kid3, Public: priv3.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeySetPEM(ks.MarshalPEM())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.SigningKID(), kid2; got != want {
		t.Errorf("SigningKID = %s, want %s", got, want)
	}
	if got, want := back.VerifyKeys(), ks.VerifyKeys(); !slices.EqualFunc(got, want, func(a, b VerifyKey) bool {
		return a.KID == b.KID && a.Public.Equal(b.Public)
	}) {
		t.Errorf("VerifyKeys = %v, want %v", got, want)
	}
}

func TestParseKeySetPEM(t *testing.T) {
	kid1, priv1 := GenerateKey()
	kid2, priv2 := GenerateKey()
	kid3, priv3 := GenerateKey()
	p1, _ := EncodePrivateKeyPEM(kid1, priv1)
	p2, _ := EncodePrivateKeyPEM(kid2, priv2)
	pub3, _ := EncodePublicKeyPEM(kid3, priv3.Public().(ed25519.PublicKey))
	data := slices.Concat([]byte("# onsite token keys\n"), pub3, p1, p2)
	ks, err := ParseKeySetPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ks.SigningKID(), kid1; got != want {
		t.Errorf("SigningKID = %s, want %s (the first private key)", got, want)
	}
	for kid, priv := range map[string]ed25519.PrivateKey{kid1: priv1, kid2: priv2, kid3: priv3} {
		if got, ok := ks.PublicKey(kid); !ok || !got.Equal(priv.Public()) {
			t.Errorf("PublicKey(%s) = %x, %v; want %x, true", kid, got, ok, priv.Public())
		}
	}
}

func TestParseKeySetPEMErrors(t *testing.T) {
	kid, priv := GenerateKey()
	good, _ := EncodePrivateKeyPEM(kid, priv)
	pub, _ := EncodePublicKeyPEM(kid, priv.Public().(ed25519.PublicKey))
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	block := func(typ string, headers map[string]string, b []byte) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: b})
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPubDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	otherKID, other := GenerateKey()
	otherPub, _ := EncodePublicKeyPEM(otherKID, other.Public().(ed25519.PublicKey))

	tests := []struct {
		name    string
		data    []byte
		wantMsg string // a part of the message
	}{
		{"empty", nil, "no \"PRIVATE KEY\" block"},
		{"not PEM", []byte("hello"), "text after the last PEM block"},
		{"public keys only", otherPub, "no \"PRIVATE KEY\" block"},
		{"missing kid", block("PRIVATE KEY", nil, der), "block 1: key without kid"},
		{"bad kid", block("PRIVATE KEY", map[string]string{"kid": "a b"}, der), "block 1: kid has characters"},
		{"other block type", slices.Concat(good, block("CERTIFICATE", map[string]string{"kid": "c"}, der)), "block 2: type \"CERTIFICATE\""},
		{"legacy RSA block type", block("RSA PRIVATE KEY", map[string]string{"kid": "r"}, der), "type \"RSA PRIVATE KEY\""},
		{"encrypted", block("PRIVATE KEY", map[string]string{"kid": "e", "Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00"}, der), "encrypted"},
		{"malformed private DER", block("PRIVATE KEY", map[string]string{"kid": "m"}, []byte{0x30, 0x01}), "malformed private key"},
		{"malformed public DER", slices.Concat(good, block("PUBLIC KEY", map[string]string{"kid": "m"}, []byte{1, 2, 3})), "malformed public key"},
		{"ECDSA private key", block("PRIVATE KEY", map[string]string{"kid": "ec"}, ecDER), "not an Ed25519 private key"},
		{"ECDSA public key", slices.Concat(good, block("PUBLIC KEY", map[string]string{"kid": "ec"}, ecPubDER)), "not an Ed25519 public key"},
		{"duplicate kid", slices.Concat(good, pub), "duplicate kid"},
		{"truncated block", good[:len(good)-20], "text after the last PEM block"},
		{"trailing garbage", slices.Concat(good, []byte("garbage")), "text after the last PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseKeySetPEM(tt.data)
			if !errors.Is(err, models.ErrInvalid) {
				t.Fatalf("ParseKeySetPEM = %v, %v; want INVALID", ks, err)
			}
			if got := messageOf(err); !strings.Contains(got, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", got, tt.wantMsg)
			}
		})
	}
}

func TestDecodePrivateKeyPEMErrors(t *testing.T) {
	kid, priv := GenerateKey()
	pub, _ := EncodePublicKeyPEM(kid, priv.Public().(ed25519.PublicKey))
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"public key", pub},
		{"no kid", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := DecodePrivateKeyPEM(tt.data); !errors.Is(err, models.ErrInvalid) {
				t.Errorf("DecodePrivateKeyPEM error = %v, want INVALID", err)
			}
		})
	}
	if _, err := EncodePublicKeyPEM(kid, priv.Public().(ed25519.PublicKey)[:5]); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("EncodePublicKeyPEM(short key) error = %v, want INVALID", err)
	}
	if _, err := EncodePrivateKeyPEM("", priv); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("EncodePrivateKeyPEM(no kid) error = %v, want INVALID", err)
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token-keys.pem")
	first, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKeyFile = %v, %v; want created", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Mode().Perm(), fs.FileMode(0o600); got != want {
		t.Errorf("key file mode = %v, want %v", got, want)
	}
	before, _ := os.ReadFile(path)

	second, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateKeyFile = %v, %v; want loaded", created, err)
	}
	if got, want := second.SigningKID(), first.SigningKID(); got != want {
		t.Errorf("reloaded kid = %s, want %s", got, want)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("reloading rewrote the key file")
	}

	// A token signed with the first set verifies with the reloaded one.
	now := func() time.Time { return time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC) }
	token, _, err := (&Tokens{Keys: first, Issuer: testIssuer, Audience: testAudience, Now: now}).IssueAccess(authz.Principal{UserID: 1, Role: models.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Tokens{Keys: second, Issuer: testIssuer, Audience: testAudience, Now: now}).VerifyAccess(token); err != nil {
		t.Errorf("VerifyAccess with reloaded keys = %v, want nil", err)
	}
}

func TestLoadOrCreateKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.pem")
	if err := os.WriteFile(corrupt, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		wantCode models.Code
		wantMsg  string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "keys.pem"), models.CodeInternal, "writing key file"},
		{"directory as file", dir, models.CodeInternal, "reading key file"},
		{"corrupt file", corrupt, models.CodeInvalid, "key file " + corrupt + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, created, err := LoadOrCreateKeyFile(tt.path)
			if got := models.CodeOf(err); err == nil || got != tt.wantCode {
				t.Fatalf("LoadOrCreateKeyFile = %v, %v, %v; want code %s", ks, created, err, tt.wantCode)
			}
			if got := messageOf(err); !strings.Contains(got, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", got, tt.wantMsg)
			}
		})
	}
	if data, _ := os.ReadFile(corrupt); !strings.HasPrefix(string(data), "-----BEGIN") {
		t.Errorf("corrupt key file was overwritten")
	}
}
