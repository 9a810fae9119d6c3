// Package blob stores evidence files (photos) content-addressed by SHA-256:
// an object's name is the hex digest of its bytes, so a name kept on an
// evidence row covers the file, a stored object can be checked against its
// name on every read, and storing the same file twice stores it once.
//
// Two stores implement Store: Dir, a local directory (the embedded default),
// and S3, an S3-compatible object store (MinIO, or the S3-compatible stores of
// government clouds) for several API servers sharing one store.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/henan-youth/onsite/models"
)

// DefaultMaxBytes is the size limit of one object when Put is given none.
const DefaultMaxBytes int64 = 8 << 20

// Store keeps immutable objects named by the SHA-256 of their bytes.
// Implementations are safe for concurrent use.
type Store interface {
	// Put reads r to its end and stores its bytes, returning their SHA-256
	// (64 lowercase hex digits) and size. At most maxBytes are accepted
	// (DefaultMaxBytes when maxBytes ≤ 0); the limit is enforced while
	// reading, so a larger stream is refused after maxBytes+1 bytes without
	// buffering it. Storing bytes already stored succeeds and changes
	// nothing; an object already under the hash whose bytes differ is never
	// replaced. It returns an INVALID error when the stream is larger than
	// the limit, empty, or fails before its end (a short upload), UNAVAILABLE when
	// the store or ctx fails, and INTERNAL when the object already stored
	// under the hash is corrupt. On any error nothing of the stream is left
	// in the store.
	Put(ctx context.Context, r io.Reader, maxBytes int64) (sha string, size int64, err error)

	// Get returns the object named sha and its size. The reader checks the
	// bytes against the name as they are read: when the stored bytes are
	// shorter, longer or other than the name says, its last Read returns an
	// INTERNAL error instead of io.EOF, so a caller that reads to the end
	// never takes a corrupt object for a good one. Get returns an INVALID
	// error when sha is not 64 lowercase hex digits, NOT_FOUND when no
	// object has that name, and UNAVAILABLE when the store fails.
	Get(ctx context.Context, sha string) (io.ReadCloser, int64, error)

	// Has reports whether an object named sha is stored. It returns an
	// INVALID error when sha is not 64 lowercase hex digits and UNAVAILABLE
	// when the store fails.
	Has(ctx context.Context, sha string) (bool, error)
}

// ValidHash reports whether sha is a SHA-256 as Store names objects:
// exactly 64 lowercase hex digits. Anything else is false, so a name never
// carries a path separator into a file or key name.
func ValidHash(sha string) bool {
	if len(sha) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(sha) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// checkHash returns an INVALID error unless ValidHash(sha).
func checkHash(sha string) error {
	if !ValidHash(sha) {
		return models.E(models.CodeInvalid, "object name is not a SHA-256 (64 lowercase hex digits)")
	}
	return nil
}

// relPath returns the slash-separated place of an object below a store's
// root, "ab/cd/<sha>": two levels of 256 directories keep each directory (or
// listing prefix) small.
func relPath(sha string) string {
	return sha[0:2] + "/" + sha[2:4] + "/" + sha
}

// limit returns maxBytes, or DefaultMaxBytes when maxBytes ≤ 0.
func limit(maxBytes int64) int64 {
	if maxBytes <= 0 {
		return DefaultMaxBytes
	}
	return maxBytes
}

// spool copies r into a new temporary file in dir, hashing it, and stops with
// an INVALID error once more than maxBytes arrive. On success the file is
// synced and positioned at its start; the caller closes and removes it. On
// failure nothing is left in dir.
func spool(ctx context.Context, dir string, r io.Reader, maxBytes int64) (f *os.File, sha string, size int64, err error) {
	tmp, err := os.CreateTemp(dir, "put-*")
	if err != nil {
		return nil, "", 0, models.Wrap(models.CodeUnavailable, err, "creating a temporary file for an object")
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	f = tmp
	h := sha256.New()
	if br, ok := r.(*bytes.Reader); ok && int64(br.Len()) <= maxBytes && ctx.Err() == nil {
		// Bytes in memory go to the file in one write: through io.Copy's
		// 32 KiB buffer a photo cost 64 system calls, a large share of an
		// upload's processor time.
		size, err = br.WriteTo(io.MultiWriter(fileWriter{f}, h))
	} else {
		size, err = io.Copy(io.MultiWriter(fileWriter{f}, h), io.LimitReader(ctxReader{ctx, r}, maxBytes+1))
	}
	switch {
	case ctx.Err() != nil:
		return nil, "", 0, models.Wrap(models.CodeUnavailable, ctx.Err(), "storing an object")
	case err != nil && errors.Is(err, errWrite):
		return nil, "", 0, models.Wrap(models.CodeUnavailable, err, "writing an object")
	case err != nil:
		return nil, "", 0, models.Wrap(models.CodeInvalid, err, "the object's stream failed before its end")
	case size > maxBytes:
		return nil, "", 0, models.E(models.CodeInvalid, "object larger than %d bytes", maxBytes)
	case size == 0:
		return nil, "", 0, models.E(models.CodeInvalid, "empty object")
	}
	if err = f.Sync(); err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return nil, "", 0, models.Wrap(models.CodeUnavailable, err, "writing an object")
	}
	return f, hex.EncodeToString(h.Sum(nil)), size, nil
}

// errWrite marks a failure of the temporary file (our side) as opposed to the
// source stream (the caller's side).
var errWrite = errors.New("writing the temporary file")

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fileWriter tags write errors of a file with errWrite.
type fileWriter struct{ f *os.File }

func (w fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = fmt.Errorf("%w: %w", errWrite, err)
	}
	return n, err
}

// verifier passes an object's bytes through and, at their end, checks them
// against the object's size and name.
type verifier struct {
	rc   io.ReadCloser
	sha  string
	size int64
	n    int64
	h    hash.Hash
	err  error // sticky once the end is judged
}

// newVerifier returns rc checked against sha and size, as Store.Get promises.
func newVerifier(rc io.ReadCloser, sha string, size int64) io.ReadCloser {
	return &verifier{rc: rc, sha: sha, size: size, h: sha256.New()}
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	switch {
	case v.n > v.size:
		v.err = corrupt(v.sha, "longer than its recorded size")
	case err == io.EOF && v.n < v.size:
		v.err = corrupt(v.sha, "shorter than its recorded size")
	case err == io.EOF && hex.EncodeToString(v.h.Sum(nil)) != v.sha:
		v.err = corrupt(v.sha, "its bytes do not match its name")
	case err != nil:
		v.err = err
		if err != io.EOF {
			v.err = models.Wrap(models.CodeUnavailable, err, "reading object "+v.sha)
		}
	}
	return n, v.err
}

func (v *verifier) Close() error { return v.rc.Close() }

// corrupt returns the INTERNAL error of a stored object that is not what its
// name says.
func corrupt(sha, what string) error {
	return models.E(models.CodeInternal, "stored object %s is corrupt: %s", sha, what)
}
