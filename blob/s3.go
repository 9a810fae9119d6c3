package blob

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/henan-youth/onsite/models"
)

// S3Config says where an S3-compatible object store is and how to sign in.
type S3Config struct {
	Endpoint  string // host[:port], without scheme, e.g. "minio.internal:9000"
	Bucket    string // an existing bucket
	AccessKey string
	SecretKey string
	TLS       bool   // https when true
	Region    string // "" lets the client ask the store
	// Prefix goes before every key ("photos/" stores under photos/ab/cd/<sha>),
	// so one bucket can hold several kinds of objects or deployments.
	Prefix string
	// SpoolDir holds an upload while it is hashed, before it is sent under
	// its hash ("" = the system's temporary directory). At most one
	// object's size per upload in flight is kept there, never in memory.
	SpoolDir string
	// Transport replaces the HTTP transport (a private CA, a proxy); nil
	// uses the client's default.
	Transport http.RoundTripper
}

// S3 is a Store in a bucket of an S3-compatible object store: the object
// named sha is the key Prefix+"ab/cd/<sha>", with its hash also in the
// metadata "sha256". A store shared by several servers stays consistent
// because a key's bytes never change: two servers putting the same hash put
// the same bytes.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
	spool  string
}

var _ Store = (*S3)(nil)

// metaSHA is the user metadata key that repeats an object's hash, so an
// object put by another tool under a hash-like key is told apart.
const metaSHA = "Sha256"

// NewS3 returns the store cfg describes. It does not contact the store (see
// Check). It returns an INVALID error when the endpoint or bucket is missing
// or the endpoint does not parse.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, models.E(models.CodeInvalid, "object store: endpoint and bucket are required")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, models.E(models.CodeInvalid, "object store endpoint: host[:port] without scheme (set TLS instead)")
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.TLS,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, models.Wrap(models.CodeInvalid, err, "object store endpoint does not parse")
	}
	spool := cfg.SpoolDir
	if spool == "" {
		spool = os.TempDir()
	}
	return &S3{client: c, bucket: cfg.Bucket, prefix: cfg.Prefix, spool: spool}, nil
}

// Check returns nil when the bucket exists and the credentials may see it,
// and an UNAVAILABLE error otherwise, so a server can refuse to start on a
// wrong configuration rather than fail its first upload.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return models.Wrap(models.CodeUnavailable, err, "object store: checking bucket "+s.bucket)
	}
	if !ok {
		return models.E(models.CodeUnavailable, "object store: no bucket %s", s.bucket)
	}
	return nil
}

// key returns the object key of sha.
func (s *S3) key(sha string) string { return s.prefix + relPath(sha) }

// Put stores r's bytes as Store.Put says. The stream is spooled to a
// temporary file while it is hashed (its key is its hash), then sent with a
// Content-MD5 the store checks, and the temporary file removed. An object
// already under the key is kept when its bytes are the ones named and refused
// as corrupt otherwise.
func (s *S3) Put(ctx context.Context, r io.Reader, maxBytes int64) (string, int64, error) {
	f, sha, size, err := spool(ctx, s.spool, r, limit(maxBytes))
	if err != nil {
		return "", 0, err
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	found, err := s.same(ctx, sha, size)
	if err != nil || found {
		return sha, size, err
	}
	info, err := s.client.PutObject(ctx, s.bucket, s.key(sha), f, size, minio.PutObjectOptions{
		ContentType:    "application/octet-stream",
		UserMetadata:   map[string]string{metaSHA: sha},
		SendContentMd5: true,
	})
	if err != nil {
		return "", 0, models.Wrap(models.CodeUnavailable, err, "object store: storing object "+sha)
	}
	if info.Size != size {
		return "", 0, corrupt(sha, "the store kept another size than was sent")
	}
	return sha, size, nil
}

// same reports whether the object named sha is already stored, whole. It returns the INTERNAL error of a corrupt object when another
// object is stored under the key, and UNAVAILABLE when the store fails.
func (s *S3) same(ctx context.Context, sha string, size int64) (bool, error) {
	st, err := s.client.StatObject(ctx, s.bucket, s.key(sha), minio.StatObjectOptions{})
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, models.Wrap(models.CodeUnavailable, err, "object store: looking up object "+sha)
	}
	if st.Size != size || st.UserMetadata[metaSHA] != sha {
		return false, corrupt(sha, "another content is stored under its name; it is left as it is")
	}
	// Read it back: a retried upload is rare, and a rotten object must not
	// be taken for the one the caller holds.
	rc, _, err := s.Get(ctx, sha)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		if models.CodeOf(err) == models.CodeInternal {
			return false, corrupt(sha, "another content is stored under its name; it is left as it is")
		}
		return false, err
	}
	return true, nil
}

// Get returns the object named sha as Store.Get says.
func (s *S3) Get(ctx context.Context, sha string) (io.ReadCloser, int64, error) {
	if err := checkHash(sha); err != nil {
		return nil, 0, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(sha), minio.GetObjectOptions{})
	if err == nil {
		var st minio.ObjectInfo
		if st, err = obj.Stat(); err == nil {
			return newVerifier(obj, sha, st.Size), st.Size, nil
		}
		obj.Close()
	}
	if isNotFound(err) {
		return nil, 0, models.E(models.CodeNotFound, "no object %s", sha)
	}
	return nil, 0, models.Wrap(models.CodeUnavailable, err, "object store: reading object "+sha)
}

// Has reports whether the object named sha is stored, as Store.Has says.
func (s *S3) Has(ctx context.Context, sha string) (bool, error) {
	if err := checkHash(sha); err != nil {
		return false, err
	}
	_, err := s.client.StatObject(ctx, s.bucket, s.key(sha), minio.StatObjectOptions{})
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, models.Wrap(models.CodeUnavailable, err, "object store: looking up object "+sha)
	}
	return true, nil
}

// isNotFound reports whether err is the store's answer that the key does not
// exist.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code == minio.NoSuchKey || er.StatusCode == http.StatusNotFound && er.Code != minio.NoSuchBucket
	}
	return false
}
