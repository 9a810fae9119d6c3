package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/henan-youth/onsite/models"
)

// TestS3Fake runs the Store suite against an in-process S3 server.
func TestS3Fake(t *testing.T) {
	testStore(t, func(t *testing.T) harness {
		return s3Harness(t, fakeS3(t), "photos/")
	})
}

// TestS3Real runs the Store suite against the S3-compatible endpoint named by
// ONSITE_TEST_S3_ENDPOINT (host:port), ONSITE_TEST_S3_BUCKET (an existing
// bucket), ONSITE_TEST_S3_ACCESS_KEY, ONSITE_TEST_S3_SECRET_KEY and,
// optionally, ONSITE_TEST_S3_TLS=true and ONSITE_TEST_S3_REGION. Each run
// works under its own random prefix and deletes what it wrote.
func TestS3Real(t *testing.T) {
	cfg := S3Config{
		Endpoint:  os.Getenv("ONSITE_TEST_S3_ENDPOINT"),
		Bucket:    os.Getenv("ONSITE_TEST_S3_BUCKET"),
		AccessKey: os.Getenv("ONSITE_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("ONSITE_TEST_S3_SECRET_KEY"),
		TLS:       os.Getenv("ONSITE_TEST_S3_TLS") == "true",
		Region:    os.Getenv("ONSITE_TEST_S3_REGION"),
	}
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		t.Skip("no real object store: set ONSITE_TEST_S3_ENDPOINT and ONSITE_TEST_S3_BUCKET (and the keys) to run the suite against one")
	}
	testStore(t, func(t *testing.T) harness {
		return s3Harness(t, cfg, "onsite-test-"+randomHex(t)+"/")
	})
}

// fakeS3 starts an in-memory S3 server for the test with one bucket and
// returns the configuration that reaches it.
func fakeS3(t *testing.T) S3Config {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("evidence"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithoutVersioning()).Server())
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return S3Config{Endpoint: u.Host, Bucket: "evidence", AccessKey: "test", SecretKey: "test-secret", Region: "us-east-1"}
}

// s3Harness returns the suite's view of an S3 store under prefix, with its
// own spool directory so that leftover temporary files show.
func s3Harness(t *testing.T, cfg S3Config, prefix string) harness {
	t.Helper()
	cfg.Prefix = prefix
	cfg.SpoolDir = t.TempDir()
	s, err := NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	raw := rawClient(t, cfg)
	t.Cleanup(func() {
		for o := range raw.ListObjects(context.Background(), cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err == nil {
				raw.RemoveObject(context.Background(), cfg.Bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	return harness{
		store: s,
		overwrite: func(t *testing.T, sha string, data []byte) {
			// Rot under the same metadata: only the bytes tell.
			_, err := raw.PutObject(t.Context(), cfg.Bucket, s.key(sha), bytes.NewReader(data), int64(len(data)),
				minio.PutObjectOptions{UserMetadata: map[string]string{metaSHA: sha}})
			if err != nil {
				t.Fatal(err)
			}
		},
		contents: func(t *testing.T) []string {
			var out []string
			for o := range raw.ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
				if o.Err != nil {
					t.Fatal(o.Err)
				}
				name := strings.TrimPrefix(o.Key, prefix)
				if sha := name[strings.LastIndex(name, "/")+1:]; ValidHash(sha) && name == relPath(sha) {
					name = sha
				}
				out = append(out, name)
			}
			out = append(out, dirContents(t, cfg.SpoolDir)...)
			slices.Sort(out)
			return out
		},
	}
}

// rawClient returns a client of the store that bypasses S3, to tamper with it.
func rawClient(t *testing.T, cfg S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.TLS, Region: cfg.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestS3Config(t *testing.T) {
	tests := []struct {
		name string
		cfg  S3Config
		want models.Code
	}{
		{"no endpoint", S3Config{Bucket: "b"}, models.CodeInvalid},
		{"no bucket", S3Config{Endpoint: "minio:9000"}, models.CodeInvalid},
		{"scheme in endpoint", S3Config{Endpoint: "https://minio:9000", Bucket: "b"}, models.CodeInvalid},
		{"ok", S3Config{Endpoint: "minio:9000", Bucket: "b", TLS: true}, ""},
	}
	for _, tt := range tests {
		_, err := NewS3(tt.cfg)
		if got := codeOrEmpty(err); got != tt.want {
			t.Errorf("%s: NewS3: got %q (%v), want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestS3CheckMissingBucket(t *testing.T) {
	cfg := fakeS3(t)
	cfg.Bucket = "no-such-bucket"
	s, err := NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := codeOrEmpty(s.Check(t.Context())); got != models.CodeUnavailable {
		t.Errorf("Check of a missing bucket: got %s, want UNAVAILABLE", got)
	}
}

// TestS3KeyLayout checks that an object lands under the prefix at ab/cd/<sha>
// with its hash in the metadata.
func TestS3KeyLayout(t *testing.T) {
	cfg := fakeS3(t)
	cfg.Prefix = "photos/"
	s, err := NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sha, _, err := s.Put(t.Context(), strings.NewReader("evidence"), 0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := rawClient(t, cfg).StatObject(t.Context(), cfg.Bucket, "photos/"+sha[:2]+"/"+sha[2:4]+"/"+sha, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("object not at its key: %v", err)
	}
	if got := st.UserMetadata[metaSHA]; got != sha {
		t.Errorf("metadata %s: got %q, want %s", metaSHA, got, sha)
	}
}
