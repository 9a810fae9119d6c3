package ledger

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFileAndRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.key")
	keys, created, err := LoadOrCreateKeyFile(path, DefaultOrigin)
	if err != nil || !created {
		t.Fatalf("got %v, %v; want a new key file", created, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	again, created, err := LoadOrCreateKeyFile(path, DefaultOrigin)
	if err != nil || created || again.Signing != keys.Signing {
		t.Fatalf("reload: got %v, %v; want the same key", created, err)
	}
	old, err := NewSigner(DefaultOrigin, keys)
	if err != nil {
		t.Fatal(err)
	}
	before, err := old.Sign(3, EmptyRoot())
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Rotate(DefaultOrigin); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(path, keys, true); err != nil {
		t.Fatal(err)
	}
	rotated, _, err := LoadOrCreateKeyFile(path, DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(DefaultOrigin, rotated)
	if err != nil {
		t.Fatal(err)
	}
	vkeys := s.VerifierKeys()
	if len(vkeys) != 2 || vkeys[1] != old.VerifierKeys()[0] {
		t.Fatalf("verifier keys after rotation: %v; want the new key, then the old one", vkeys)
	}
	after, err := s.Sign(4, EmptyRoot())
	if err != nil {
		t.Fatal(err)
	}
	all, err := ParseVerifierKeys(strings.Join(vkeys, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range []*Checkpoint{before, after} {
		got, err := OpenCheckpoint(cp.Note, DefaultOrigin, all)
		if err != nil || got.Size != cp.Size || !bytes.Equal(got.Root, EmptyRoot()) {
			t.Errorf("checkpoint %d: got %+v, %v", cp.Size, got, err)
		}
	}
	if s.SignedByCurrent(before.Note) || !s.SignedByCurrent(after.Note) {
		t.Error("SignedByCurrent does not tell the keys apart")
	}
	current, _ := ParseVerifierKeys(vkeys[0])
	if _, err := OpenCheckpoint(before.Note, DefaultOrigin, current); !errors.Is(err, ErrBadSignature) {
		t.Errorf("an old checkpoint verified with the new key alone: %v", err)
	}
	if _, err := OpenCheckpoint(after.Note, "another/log", all); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a checkpoint of another origin: %v", err)
	}
	forged := bytes.Replace(after.Note, []byte("\n4\n"), []byte("\n5\n"), 1)
	if _, err := OpenCheckpoint(forged, DefaultOrigin, all); !errors.Is(err, ErrBadSignature) {
		t.Errorf("an edited checkpoint verified: %v", err)
	}
}

func TestCheckpointText(t *testing.T) {
	keys, _ := GenerateKeySet(DefaultOrigin)
	s, _ := NewSigner(DefaultOrigin, keys)
	cp, err := s.Sign(2, bytes.Repeat([]byte{0xab}, 32))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(cp.Note), "\n")
	want := []string{DefaultOrigin, "2", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", ""}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d: got %q, want %q", i+1, lines[i], w)
		}
	}
	if !strings.HasPrefix(lines[4], "— "+DefaultOrigin+" ") {
		t.Errorf("signature line %q", lines[4])
	}
}

func TestKeyFileRefusals(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.key")
	keys, _ := GenerateKeySet(DefaultOrigin)
	os.WriteFile(open, []byte(keys.Text()), 0o644)
	if _, _, err := LoadOrCreateKeyFile(open, DefaultOrigin); err == nil {
		t.Error("a key file readable by others was accepted")
	}
	bad := filepath.Join(dir, "bad.key")
	vkey, _ := VerifierKey(keys.Signing)
	os.WriteFile(bad, []byte(vkey+"\n"), 0o600)
	if _, _, err := LoadOrCreateKeyFile(bad, DefaultOrigin); err == nil {
		t.Error("a key file without a signing key was accepted")
	}
}
