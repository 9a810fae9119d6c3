package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/henan-youth/onsite/models"
)

// harness is one Store under test with the two things the suite cannot do
// through the interface: replace a stored object's bytes behind the store's
// back, and list everything the store holds (objects and temporary files),
// to prove a failed Put leaves nothing.
type harness struct {
	store     Store
	overwrite func(t *testing.T, sha string, data []byte)
	contents  func(t *testing.T) []string // object names and temporary files, sorted
}

// hashOf returns the name a Store gives data.
func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// pattern returns n bytes that differ from any other call's with another seed.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// readAll reads rc to its end and closes it.
func readAll(t *testing.T, rc io.ReadCloser) ([]byte, error) {
	t.Helper()
	defer rc.Close()
	return io.ReadAll(rc)
}

// endless is a reader that never ends and counts what it gave.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// testStore runs the behaviour every Store promises against the store that
// newHarness makes (a fresh, empty one per call).
func testStore(t *testing.T, newHarness func(t *testing.T) harness) {
	ctx := context.Background()
	t.Run("round trip", func(t *testing.T) {
		h := newHarness(t)
		for _, data := range [][]byte{pattern(1, 1), pattern(300_000, 2)} {
			sha, size, err := h.store.Put(ctx, bytes.NewReader(data), 0)
			if err != nil {
				t.Fatalf("Put(%d bytes): %v", len(data), err)
			}
			if got, want := sha, hashOf(data); got != want {
				t.Errorf("Put: got name %s, want %s", got, want)
			}
			if got, want := size, int64(len(data)); got != want {
				t.Errorf("Put: got size %d, want %d", got, want)
			}
			if ok, err := h.store.Has(ctx, sha); !ok || err != nil {
				t.Errorf("Has after Put: got %v, %v, want true, nil", ok, err)
			}
			rc, gotSize, err := h.store.Get(ctx, sha)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			got, err := readAll(t, rc)
			if err != nil || !bytes.Equal(got, data) || gotSize != int64(len(data)) {
				t.Errorf("Get: got %d bytes (size %d), err %v; want the %d bytes put", len(got), gotSize, err, len(data))
			}
		}
	})
	t.Run("put twice stores once", func(t *testing.T) {
		h := newHarness(t)
		data := pattern(5000, 3)
		for i := range 2 {
			if sha, _, err := h.store.Put(ctx, bytes.NewReader(data), 0); err != nil || sha != hashOf(data) {
				t.Fatalf("Put #%d: got %s, %v", i+1, sha, err)
			}
		}
		if got, want := h.contents(t), []string{hashOf(data)}; !slices.Equal(got, want) {
			t.Errorf("contents: got %v, want %v", got, want)
		}
	})
	t.Run("concurrent puts of one object", func(t *testing.T) {
		h := newHarness(t)
		data := pattern(70_000, 4)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, _, errs[i] = h.store.Put(ctx, bytes.NewReader(data), 0) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent Put: %v", err)
		}
		if got, want := h.contents(t), []string{hashOf(data)}; !slices.Equal(got, want) {
			t.Errorf("contents: got %v, want %v", got, want)
		}
	})
	t.Run("size limit", func(t *testing.T) {
		h := newHarness(t)
		const max = 64 << 10
		exact := pattern(max, 5)
		if _, _, err := h.store.Put(ctx, bytes.NewReader(exact), max); err != nil {
			t.Fatalf("Put of exactly the limit: %v", err)
		}
		over := pattern(max+1, 6)
		_, _, err := h.store.Put(ctx, bytes.NewReader(over), max)
		if got, want := codeOrEmpty(err), models.CodeInvalid; got != want {
			t.Errorf("Put of limit+1 bytes: got %v (%v), want %s", got, err, want)
		}
		if got, want := h.contents(t), []string{hashOf(exact)}; !slices.Equal(got, want) {
			t.Errorf("contents after a refused Put: got %v, want %v", got, want)
		}
	})
	t.Run("default limit", func(t *testing.T) {
		h := newHarness(t)
		over := bytes.Repeat([]byte{'y'}, int(DefaultMaxBytes)+1)
		if _, _, err := h.store.Put(ctx, bytes.NewReader(over), 0); codeOrEmpty(err) != models.CodeInvalid {
			t.Errorf("Put of DefaultMaxBytes+1 with no limit given: got %v, want INVALID", err)
		}
	})
	t.Run("endless stream stops at the limit", func(t *testing.T) {
		h := newHarness(t)
		src := &endless{}
		const max = 1 << 20
		_, _, err := h.store.Put(ctx, src, max)
		if codeOrEmpty(err) != models.CodeInvalid {
			t.Errorf("Put of an endless stream: got %v, want INVALID", err)
		}
		if src.n > 2*max {
			t.Errorf("Put read %d bytes of an endless stream with limit %d", src.n, max)
		}
		if got := h.contents(t); len(got) != 0 {
			t.Errorf("contents: got %v, want none", got)
		}
	})
	t.Run("short stream", func(t *testing.T) {
		h := newHarness(t)
		r := io.MultiReader(bytes.NewReader(pattern(40_000, 7)), iotest.ErrReader(io.ErrUnexpectedEOF))
		_, _, err := h.store.Put(ctx, r, 0)
		if got, want := codeOrEmpty(err), models.CodeInvalid; got != want {
			t.Errorf("Put of a stream that fails: got %v (%v), want %s", got, err, want)
		}
		if got := h.contents(t); len(got) != 0 {
			t.Errorf("contents: got %v, want none", got)
		}
	})
	t.Run("empty", func(t *testing.T) {
		h := newHarness(t)
		if _, _, err := h.store.Put(ctx, bytes.NewReader(nil), 0); codeOrEmpty(err) != models.CodeInvalid {
			t.Errorf("Put of nothing: got %v, want INVALID", err)
		}
		if got := h.contents(t); len(got) != 0 {
			t.Errorf("contents: got %v, want none", got)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		h := newHarness(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := h.store.Put(cctx, bytes.NewReader(pattern(10, 8)), 0); err == nil {
			t.Error("Put with a cancelled context: got nil error")
		}
		if got := h.contents(t); len(got) != 0 {
			t.Errorf("contents: got %v, want none", got)
		}
	})
	t.Run("missing and malformed names", func(t *testing.T) {
		h := newHarness(t)
		missing := hashOf([]byte("never stored"))
		tests := []struct {
			sha  string
			want models.Code
		}{
			{missing, models.CodeNotFound},
			{"../../etc/passwd", models.CodeInvalid},
			{missing[:63], models.CodeInvalid},
			{"A" + missing[1:], models.CodeInvalid},
			{missing[:2] + "/" + missing[3:], models.CodeInvalid},
			{"", models.CodeInvalid},
		}
		for _, tt := range tests {
			_, _, err := h.store.Get(ctx, tt.sha)
			if got := codeOrEmpty(err); got != tt.want {
				t.Errorf("Get(%q): got %s (%v), want %s", tt.sha, got, err, tt.want)
			}
			ok, err := h.store.Has(ctx, tt.sha)
			want := models.Code("")
			if tt.want == models.CodeInvalid {
				want = models.CodeInvalid
			}
			if got := codeOrEmpty(err); ok || got != want {
				t.Errorf("Has(%q): got %v, %s; want false, %q", tt.sha, ok, got, want)
			}
		}
	})
	t.Run("corrupt object is refused on read and kept on put", func(t *testing.T) {
		data := pattern(20_000, 9)
		sha := hashOf(data)
		tests := []struct {
			name   string
			stored []byte
		}{
			{"same size, other bytes", pattern(20_000, 10)},
			{"truncated", data[:19_999]},
			{"longer", append(slices.Clone(data), 0)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := newHarness(t)
				if _, _, err := h.store.Put(ctx, bytes.NewReader(data), 0); err != nil {
					t.Fatal(err)
				}
				h.overwrite(t, sha, tt.stored)
				rc, _, err := h.store.Get(ctx, sha)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if _, err := readAll(t, rc); codeOrEmpty(err) != models.CodeInternal {
					t.Errorf("reading a corrupt object: got %v, want INTERNAL", err)
				}
				if _, _, err := h.store.Put(ctx, bytes.NewReader(data), 0); codeOrEmpty(err) != models.CodeInternal {
					t.Errorf("Put over a corrupt object: got %v, want INTERNAL", err)
				}
				rc, _, err = h.store.Get(ctx, sha)
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				if got, _ := io.ReadAll(rc); !bytes.Equal(got, tt.stored) {
					t.Error("Put replaced the object stored under the hash")
				}
			})
		}
	})
}

// codeOrEmpty returns err's code, or "" for nil (models.CodeOf(nil) is INTERNAL).
func codeOrEmpty(err error) models.Code {
	if err == nil {
		return ""
	}
	return models.CodeOf(err)
}
