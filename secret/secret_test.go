package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/models"
)

const phone = "+8613812345678"

var row42 = Field{Table: "interviewees", Column: "phone", Row: "42"}

func keyring(t *testing.T, current Key, older ...Key) *Keyring {
	t.Helper()
	k, err := NewKeyring(current, older...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// noPlaintext fails when err's text or its cause's carries the plaintext.
func noPlaintext(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), phone) || strings.Contains(e.Error(), "13812345678") {
			t.Errorf("error carries the plaintext: %v", e)
		}
	}
}

func TestSealOpen(t *testing.T) {
	k := keyring(t, GenerateKey())
	ct, err := k.Seal(phone, row42)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ct, "13812345678") {
		t.Fatalf("ciphertext shows the number: %s", ct)
	}
	if got, want := ct[:len("v1:"+k.CurrentKID()+":")], "v1:"+k.CurrentKID()+":"; got != want {
		t.Errorf("prefix: got %q, want %q", got, want)
	}
	again, _ := k.Seal(phone, row42)
	if again == ct {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	got, err := k.Open(ct, row42)
	if err != nil || got != phone {
		t.Errorf("Open: got %q, %v; want %q", got, err, phone)
	}
	if ct, err := k.Seal("", row42); ct != "" || err != nil {
		t.Errorf("Seal(\"\"): got %q, %v; want \"\", nil", ct, err)
	}
	if pt, err := k.Open("", row42); pt != "" || err != nil {
		t.Errorf("Open(\"\"): got %q, %v; want \"\", nil", pt, err)
	}
}

// TestOpenRefuses covers every way a stored value can fail to open: each is
// INTERNAL (a stored value that does not open is not the caller's fault) and
// none shows the plaintext.
func TestOpenRefuses(t *testing.T) {
	key := GenerateKey()
	k := keyring(t, key)
	ct, err := k.Seal(phone, row42)
	if err != nil {
		t.Fatal(err)
	}
	kid, body, _ := strings.Cut(strings.TrimPrefix(ct, "v1:"), ":")
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-20] ^= 1
	other := keyring(t, GenerateKey())
	tests := []struct {
		name string
		k    *Keyring
		ct   string
		f    Field
	}{
		{"copied to another row", k, ct, Field{"interviewees", "phone", "43"}},
		{"copied to another column", k, ct, Field{"interviewees", "contact", "42"}},
		{"copied to another table", k, ct, Field{"cadres", "phone", "42"}},
		{"parts shifted between table and column", k, ct, Field{"interviewee", "sphone", "42"}},
		{"one bit flipped", k, "v1:" + kid + ":" + base64.RawURLEncoding.EncodeToString(flipped), row42},
		{"truncated", k, "v1:" + kid + ":" + base64.RawURLEncoding.EncodeToString(raw[:20]), row42},
		{"key not in the keyring", other, ct, row42},
		{"kid relabelled", keyring(t, Key{KID: "other", Secret: key.Secret}), strings.Replace(ct, kid, "other", 1), row42},
		{"unknown version", k, "v2" + ct[2:], row42},
		{"plaintext stored by mistake", k, phone, row42},
		{"no body", k, "v1:" + kid, row42},
		{"not base64", k, "v1:" + kid + ":***", row42},
		{"no row to bind", k, ct, Field{"interviewees", "phone", ""}},
	}
	for _, tt := range tests {
		got, err := tt.k.Open(tt.ct, tt.f)
		if got != "" || models.CodeOf(err) != models.CodeInternal || err == nil {
			t.Errorf("%s: Open: got %q, %v; want INTERNAL", tt.name, got, err)
		}
		noPlaintext(t, err)
	}
}

func TestSealNeedsAField(t *testing.T) {
	k := keyring(t, GenerateKey())
	for _, f := range []Field{{}, {Table: "t", Column: "c"}, {Table: "t", Row: "1"}, {Column: "c", Row: "1"}} {
		ct, err := k.Seal(phone, f)
		if ct != "" || err == nil {
			t.Errorf("Seal for %+v: got %q, %v; want an error", f, ct, err)
		}
		noPlaintext(t, err)
	}
}

func TestNewKeyring(t *testing.T) {
	good := GenerateKey()
	tests := []struct {
		name  string
		keys  []Key
		valid bool
	}{
		{"one key", []Key{good}, true},
		{"two keys", []Key{good, GenerateKey()}, true},
		{"short key", []Key{{KID: "a", Secret: make([]byte, 16)}}, false},
		{"long key", []Key{{KID: "a", Secret: make([]byte, 33)}}, false},
		{"no kid", []Key{{Secret: good.Secret}}, false},
		{"colon in kid", []Key{{KID: "a:b", Secret: good.Secret}}, false},
		{"kid too long", []Key{{KID: strings.Repeat("k", 65), Secret: good.Secret}}, false},
		{"duplicate kid", []Key{good, {KID: good.KID, Secret: GenerateKey().Secret}}, false},
	}
	for _, tt := range tests {
		_, err := NewKeyring(tt.keys[0], tt.keys[1:]...)
		if (err == nil) != tt.valid {
			t.Errorf("%s: NewKeyring: got %v, want valid %v", tt.name, err, tt.valid)
		}
		if err != nil && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: got code %s, want INVALID", tt.name, models.CodeOf(err))
		}
	}
}

func TestRotationAndReencrypt(t *testing.T) {
	k1 := GenerateKey()
	before := keyring(t, k1)
	fields := []Field{row42, {"interviewees", "phone", "43"}, {"interviewees", "phone", "44"}}
	var stored []Value
	for _, f := range fields {
		ct, err := before.Seal(phone, f)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, Value{Field: f, Ciphertext: ct})
	}
	stored = append(stored, Value{Field: Field{"interviewees", "phone", "45"}}) // erased: no value

	k2 := GenerateKey()
	after := keyring(t, k2, k1)
	if got, err := after.Open(stored[0].Ciphertext, row42); got != phone || err != nil {
		t.Fatalf("old value under the rotated keyring: got %q, %v", got, err)
	}
	saved := map[Field]string{}
	n, err := after.ReencryptAll(slices.Values(stored), func(v Value) error {
		saved[v.Field] = v.Ciphertext
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("ReencryptAll: got %d, %v; want 3, nil", n, err)
	}
	for _, f := range fields {
		kid, err := KeyID(saved[f])
		if err != nil || kid != k2.KID {
			t.Errorf("%s: re-encrypted under %q (%v), want %s", f, kid, err, k2.KID)
		}
		if got, err := keyring(t, k2).Open(saved[f], f); got != phone || err != nil {
			t.Errorf("%s: opens with the new key alone: got %q, %v", f, got, err)
		}
	}
	// Running it again moves nothing.
	var again []Value
	for _, f := range fields {
		again = append(again, Value{Field: f, Ciphertext: saved[f]})
	}
	if n, err := after.ReencryptAll(slices.Values(again), func(Value) error { return errors.New("must not save") }); n != 0 || err != nil {
		t.Errorf("second ReencryptAll: got %d, %v; want 0, nil", n, err)
	}
	// A value that does not open stops the walk with its error.
	bad := []Value{{Field: row42, Ciphertext: stored[1].Ciphertext}}
	if n, err := after.ReencryptAll(slices.Values(bad), func(Value) error { return nil }); n != 0 || err == nil {
		t.Errorf("ReencryptAll of a value copied between rows: got %d, %v; want an error", n, err)
	}
}
