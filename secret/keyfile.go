package secret

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/henan-youth/onsite/models"
)

// The key file is a sequence of PEM blocks of type pemType, each holding one
// raw key with a "kid" header, the sealing key first: the same shape as the
// token signing key file of package auth.
const (
	pemType      = "ONSITE FIELD KEY"
	pemKIDHeader = "kid"
)

// ParseKeyringPEM returns the keyring described by data: one or more
// "ONSITE FIELD KEY" blocks with a "kid" header each; the first seals, all
// open. It returns an INVALID error when data has no block, a block of
// another type, an encrypted block, a key of the wrong size, a block without
// a valid kid, two keys with one kid, or text after the last block (which is
// how a truncated block shows).
func ParseKeyringPEM(data []byte) (*Keyring, error) {
	var keys []Key
	rest := data
	for n := 1; ; n++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != pemType {
			return nil, models.E(models.CodeInvalid, "key block %d: type %q, want %q", n, b.Type, pemType)
		}
		if _, ok := b.Headers["Proc-Type"]; ok {
			return nil, models.E(models.CodeInvalid, "key block %d: encrypted keys are not supported", n)
		}
		keys = append(keys, Key{KID: b.Headers[pemKIDHeader], Secret: b.Bytes})
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, models.E(models.CodeInvalid, "key data: text after the last PEM block (truncated block?)")
	}
	if len(keys) == 0 {
		return nil, models.E(models.CodeInvalid, "key data: no %q block", pemType)
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// MarshalPEM returns the keyring in the form ParseKeyringPEM reads: the
// sealing key first, then the others in the order the keyring was built
// with. It cannot fail.
func (k *Keyring) MarshalPEM() []byte {
	var out []byte
	for _, key := range k.order {
		out = append(out, pem.EncodeToMemory(&pem.Block{
			Type: pemType, Headers: map[string]string{pemKIDHeader: key.KID}, Bytes: key.Secret,
		})...)
	}
	return out
}

// LoadOrCreateKeyFile returns the keyring stored at path, reading it with
// ParseKeyringPEM. When no file exists at path, it generates a key, writes
// it to a new file with mode 0600 and reports created; the directory must
// exist. It returns an INVALID error when the file does not parse and an
// INTERNAL error when it cannot be read or written.
func LoadOrCreateKeyFile(path string) (k *Keyring, created bool, err error) {
	k, err = readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	key := GenerateKey()
	k, err = NewKeyring(key)
	if err != nil {
		return nil, false, err
	}
	err = writeNewFile(path, k.MarshalPEM())
	if errors.Is(err, fs.ErrExist) {
		// Another process created the file first; use its keys.
		k, err = readKeyFile(path)
		return k, false, err
	}
	if err != nil {
		return nil, false, models.Wrap(models.CodeInternal, err, "writing key file")
	}
	return k, true, nil
}

// RotateKeyFile adds a fresh key to the key file at path as its sealing key,
// keeping every older key for opening, and returns the new keyring. The file
// is replaced atomically (a new 0600 file, synced, renamed over the old
// one), so a crash leaves the old or the new file, never a mix. Servers seal
// with the new key once they reload the file; values sealed before stay
// readable, and ReencryptAll moves them to the new key. It returns
// LoadOrCreateKeyFile's errors for reading, and an INTERNAL error when the
// new file cannot be written.
func RotateKeyFile(path string) (*Keyring, error) {
	old, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	k, err := NewKeyring(GenerateKey(), old.order...)
	if err != nil {
		return nil, err
	}
	if err := replaceFile(path, k.MarshalPEM()); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "writing key file")
	}
	return k, nil
}

// readKeyFile returns the keyring in the file at path. Its INTERNAL error
// wraps the os error, so errors.Is(err, fs.ErrNotExist) tells a missing file.
func readKeyFile(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "reading key file")
	}
	k, err := ParseKeyringPEM(data)
	var me *models.Error
	if errors.As(err, &me) {
		return nil, &models.Error{Code: me.Code, Message: "key file " + path + ": " + me.Message, Err: me.Err}
	}
	return k, err
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

// replaceFile writes data to a new 0600 file beside path and renames it over
// path, syncing the file and the directory.
func replaceFile(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.new-%d", path, os.Getpid())
	os.Remove(tmp) // a leftover of a crashed rotation of this pid
	if err := writeNewFile(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
