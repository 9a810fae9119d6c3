package secret

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/models"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "field-keys.pem")
	k, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first start: got created %v, %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode: got %o, want 600", got)
	}
	ct, err := k.Seal(phone, row42)
	if err != nil {
		t.Fatal(err)
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("second start: got created %v, %v", created, err)
	}
	if got, err := again.Open(ct, row42); got != phone || err != nil {
		t.Errorf("a value sealed before a restart: got %q, %v", got, err)
	}
	if _, _, err := LoadOrCreateKeyFile(filepath.Join(t.TempDir(), "no", "such", "dir", "keys.pem")); models.CodeOf(err) != models.CodeInternal {
		t.Errorf("key file in a missing directory: got %v, want INTERNAL", err)
	}
}

func TestRotateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "field-keys.pem")
	k1, _, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := k1.Seal(phone, row42)
	k2, err := RotateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if k2.CurrentKID() == k1.CurrentKID() {
		t.Fatal("rotation kept the sealing key")
	}
	k3, err := RotateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	reloaded, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("reload after rotation: %v, created %v", err, created)
	}
	if got, want := reloaded.CurrentKID(), k3.CurrentKID(); got != want {
		t.Errorf("sealing key after two rotations: got %s, want %s", got, want)
	}
	if got, err := reloaded.Open(old, row42); got != phone || err != nil {
		t.Errorf("value sealed before two rotations: got %q, %v", got, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode after rotation: got %o, want 600", st.Mode().Perm())
	}
	if n := strings.Count(string(reloaded.MarshalPEM()), "BEGIN "+pemType); n != 3 {
		t.Errorf("keys in the file: got %d, want 3", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files beside the key file after rotation: got %d entries, want 1", len(entries))
	}
	if _, err := RotateKeyFile(filepath.Join(t.TempDir(), "absent.pem")); err == nil {
		t.Error("rotating a missing key file: got nil error")
	}
}

func TestParseKeyringPEM(t *testing.T) {
	a, b := GenerateKey(), GenerateKey()
	good := keyring(t, a, b).MarshalPEM()
	dupA := strings.Replace(string(keyring(t, Key{KID: "x", Secret: b.Secret}).MarshalPEM()), "kid: x", "kid: "+a.KID, 1)
	tests := []struct {
		name  string
		data  string
		valid bool
	}{
		{"two keys", string(good), true},
		{"empty", "", false},
		{"other block type", strings.ReplaceAll(string(good), pemType, "PRIVATE KEY"), false},
		{"truncated", string(good[:len(good)-30]), false},
		{"text after the blocks", string(good) + "junk\n", false},
		{"duplicate kid", string(good) + dupA, false},
		{"no kid", strings.Replace(string(good), "kid: "+a.KID+"\n", "", 1), false},
		{"encrypted", strings.Replace(string(good), "kid: "+a.KID, "Proc-Type: 4,ENCRYPTED\nkid: "+a.KID, 1), false},
	}
	for _, tt := range tests {
		k, err := ParseKeyringPEM([]byte(tt.data))
		if (err == nil) != tt.valid {
			t.Errorf("%s: got %v, want valid %v", tt.name, err, tt.valid)
			continue
		}
		if err != nil && models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("%s: got code %s, want INVALID", tt.name, models.CodeOf(err))
		}
		if tt.valid && k.CurrentKID() != a.KID {
			t.Errorf("%s: sealing key: got %s, want the first block's %s", tt.name, k.CurrentKID(), a.KID)
		}
	}
}
