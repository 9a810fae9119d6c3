package blob

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	testStore(t, func(t *testing.T) harness {
		root := filepath.Join(t.TempDir(), "blobs")
		d, err := OpenDir(root)
		if err != nil {
			t.Fatal(err)
		}
		return harness{
			store: d,
			overwrite: func(t *testing.T, sha string, data []byte) {
				if err := os.WriteFile(d.path(sha), data, 0o640); err != nil {
					t.Fatal(err)
				}
			},
			contents: func(t *testing.T) []string { return dirContents(t, root) },
		}
	})
}

// dirContents returns every file below root: an object by its name, anything
// else (a temporary file, a misplaced object) by its path.
func dirContents(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if name := filepath.Base(path); ValidHash(name) && rel == relPath(name) {
			rel = name
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestDirLayout(t *testing.T) {
	root := t.TempDir()
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	sha, _, err := d.Put(t.Context(), strings.NewReader("evidence"), 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, sha[:2], sha[2:4], sha)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("object not at %s: %v", path, err)
	}
	if got, want := st.Size(), int64(len("evidence")); got != want {
		t.Errorf("file size: got %d, want %d", got, want)
	}
	if _, err := OpenDir(""); err == nil {
		t.Error("OpenDir(\"\"): got nil error")
	}
}
