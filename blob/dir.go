package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/henan-youth/onsite/models"
)

// Dir is a Store in a local directory: the object named sha is the file
// <root>/<sha[0:2]>/<sha[2:4]>/<sha>, written first to <root>/tmp, synced,
// then linked into place, so a reader sees a whole object or none and a
// crash never leaves a partial file under an object's name.
type Dir struct {
	root string
}

var _ Store = (*Dir)(nil)

// tmpDir is the directory below the root that holds objects being written;
// it is on the same file system, so linking into place is atomic.
const tmpDir = "tmp"

// OpenDir returns the store in the directory root, creating root and its
// tmp directory (mode 0750) when absent. Files left in tmp by a crash are
// never objects and may be deleted. It returns an INVALID error when root is
// empty and an UNAVAILABLE error when the directories cannot be created.
func OpenDir(root string) (*Dir, error) {
	if root == "" {
		return nil, models.E(models.CodeInvalid, "blob directory: empty path")
	}
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o750); err != nil {
		return nil, models.Wrap(models.CodeUnavailable, err, "creating the blob directory")
	}
	return &Dir{root: root}, nil
}

// path returns the file of the object named sha.
func (d *Dir) path(sha string) string {
	return filepath.Join(d.root, filepath.FromSlash(relPath(sha)))
}

// Put stores r's bytes as Store.Put says. The object is linked into place,
// which never replaces a file: when one already exists under the hash, it is
// read back and Put succeeds only if its bytes are the ones named.
func (d *Dir) Put(ctx context.Context, r io.Reader, maxBytes int64) (string, int64, error) {
	f, sha, size, err := spool(ctx, filepath.Join(d.root, tmpDir), r, limit(maxBytes))
	if err != nil {
		return "", 0, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Close(); err != nil {
		return "", 0, models.Wrap(models.CodeUnavailable, err, "writing an object")
	}
	final := d.path(sha)
	if err := d.mkdirs(filepath.Dir(final)); err != nil {
		return "", 0, err
	}
	err = os.Link(tmp, final)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: rename, after making sure
		// nothing is there to be replaced.
		if _, serr := os.Lstat(final); errors.Is(serr, fs.ErrNotExist) {
			err = os.Rename(tmp, final)
		} else if serr == nil {
			err = fs.ErrExist
		}
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return sha, size, d.same(final, sha, size)
	case err != nil:
		return "", 0, models.Wrap(models.CodeUnavailable, err, "storing object "+sha)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", 0, models.Wrap(models.CodeUnavailable, err, "storing object "+sha)
	}
	return sha, size, nil
}

// mkdirs creates the two levels of an object's directory as needed and syncs
// each parent that gained an entry, so the object's path survives a crash.
func (d *Dir) mkdirs(leaf string) error {
	mid := filepath.Dir(leaf)
	for _, dir := range []string{mid, leaf} {
		err := os.Mkdir(dir, 0o750)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err == nil {
			err = syncDir(filepath.Dir(dir))
		}
		if err != nil {
			return models.Wrap(models.CodeUnavailable, err, "creating an object directory")
		}
	}
	return nil
}

// same returns nil when the file at path holds exactly the object named sha
// of size bytes, and the INTERNAL error of a corrupt object otherwise.
func (d *Dir) same(path, sha string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return models.Wrap(models.CodeUnavailable, err, "reading object "+sha)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return models.Wrap(models.CodeUnavailable, err, "reading object "+sha)
	}
	if n != size || hex.EncodeToString(h.Sum(nil)) != sha {
		return corrupt(sha, "another content is stored under its name; it is left as it is")
	}
	return nil
}

// Get returns the object named sha as Store.Get says.
func (d *Dir) Get(ctx context.Context, sha string) (io.ReadCloser, int64, error) {
	if err := checkHash(sha); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(d.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, models.E(models.CodeNotFound, "no object %s", sha)
	}
	if err != nil {
		return nil, 0, models.Wrap(models.CodeUnavailable, err, "opening object "+sha)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, models.Wrap(models.CodeUnavailable, err, "opening object "+sha)
	}
	return newVerifier(f, sha, st.Size()), st.Size(), nil
}

// Has reports whether the object named sha is stored, as Store.Has says.
func (d *Dir) Has(ctx context.Context, sha string) (bool, error) {
	if err := checkHash(sha); err != nil {
		return false, err
	}
	_, err := os.Stat(d.path(sha))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, models.Wrap(models.CodeUnavailable, err, "looking up object "+sha)
	}
}

// syncDir makes the entries of directory dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
