package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KeySet is the contents of a ledger key file: the Ed25519 note key that
// signs checkpoints, and the verifier keys of the keys it replaced, so that
// checkpoints signed before a rotation still verify.
//
// The file is text: a comment, the signing key ("PRIVATE+KEY+name+hash+
// base64", golang.org/x/mod/sumdb/note), then one older verifier key a
// line, newest first. It is kept 0600, apart from the JWT keys.
type KeySet struct {
	Signing string   // the current signer key
	Old     []string // verifier keys of earlier signing keys, newest first
}

const keyFileHeader = "# onsite ledger checkpoint keys: the PRIVATE+KEY line signs; the lines after it are the verifier keys of rotated keys\n"

// GenerateKeySet returns a key set with a fresh key named name (the log's
// origin, by convention).
func GenerateKeySet(name string) (*KeySet, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, fmt.Errorf("ledger: generating a key: %w", err)
	}
	return &KeySet{Signing: skey}, nil
}

// VerifierKeys returns the verifier keys, the current key's first.
func (k *KeySet) VerifierKeys() []string {
	v, err := VerifierKey(k.Signing)
	if err != nil {
		return append([]string(nil), k.Old...)
	}
	return append([]string{v}, k.Old...)
}

// Rotate replaces the signing key with a fresh one named name, keeping the
// old key's verifier key first among the old ones.
func (k *KeySet) Rotate(name string) error {
	v, err := VerifierKey(k.Signing)
	if err != nil {
		return err
	}
	fresh, err := GenerateKeySet(name)
	if err != nil {
		return err
	}
	k.Old = append([]string{v}, k.Old...)
	k.Signing = fresh.Signing
	return nil
}

// VerifierKey derives the verifier key ("name+hash+base64") of a note
// signer key. It fails for a key that is not an Ed25519 note signer key.
func VerifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("ledger: not a note signer key")
	}
	name, hash, raw := parts[2], parts[3], parts[4]
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 { // 1: Ed25519
		return "", errors.New("ledger: not an Ed25519 note signer key")
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey := name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", fmt.Errorf("ledger: derived verifier key: %w", err)
	}
	if fmt.Sprintf("%08x", v.KeyHash()) != hash {
		return "", errors.New("ledger: signer key hash does not match its key")
	}
	return vkey, nil
}

// ParseKeySet reads a key file's text. It fails unless the first key line
// is a signer key and every later one a verifier key.
func ParseKeySet(text string) (*KeySet, error) {
	k := &KeySet{}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k.Signing == "" {
			if _, err := VerifierKey(line); err != nil {
				return nil, fmt.Errorf("ledger key file: the first key must be the signing key: %w", err)
			}
			k.Signing = line
			continue
		}
		if _, err := note.NewVerifier(line); err != nil {
			return nil, fmt.Errorf("ledger key file: old verifier key %q: %w", line, err)
		}
		k.Old = append(k.Old, line)
	}
	if k.Signing == "" {
		return nil, errors.New("ledger key file: no signing key")
	}
	return k, nil
}

// Text returns the key file's contents.
func (k *KeySet) Text() string {
	var b strings.Builder
	b.WriteString(keyFileHeader)
	b.WriteString(k.Signing + "\n")
	for _, v := range k.Old {
		b.WriteString(v + "\n")
	}
	return b.String()
}

// LoadOrCreateKeyFile reads the key file at path or, when there is none,
// creates it (0600) with a fresh key named name; created says which. It
// fails when the file does not parse, is readable by others than its
// owner, or cannot be written.
func LoadOrCreateKeyFile(path, name string) (keys *KeySet, created bool, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if keys, err = GenerateKeySet(name); err != nil {
			return nil, false, err
		}
		if err := WriteKeyFile(path, keys, false); err != nil {
			if errors.Is(err, fs.ErrExist) { // another server created it first
				return LoadOrCreateKeyFile(path, name)
			}
			return nil, false, err
		}
		return keys, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("ledger key file: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("ledger key file %s is readable by others (mode %v); chmod 600 it", path, st.Mode().Perm())
	}
	keys, err = ParseKeySet(string(raw))
	return keys, false, err
}

// WriteKeyFile writes keys to path, 0600: a new file unless replace, in
// which case it replaces the file whole (a temporary file renamed over
// it), so a crash leaves the old or the new keys, never half of them.
func WriteKeyFile(path string, keys *KeySet, replace bool) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(keys.Text()); err != nil {
			f.Close()
			return err
		}
		return errors.Join(f.Sync(), f.Close())
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ledger-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(keys.Text()); err != nil {
		tmp.Close()
		return err
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
