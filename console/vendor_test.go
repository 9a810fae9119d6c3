package console

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// vendored maps each committed third-party file to its origin in the npm
// package that vendor-src/package-lock.json pins.
var vendored = map[string]string{
	"assets/vendor/leaflet/leaflet.js":                "leaflet/dist/leaflet.js",
	"assets/vendor/leaflet/leaflet.css":               "leaflet/dist/leaflet.css",
	"assets/vendor/leaflet/images/layers.png":         "leaflet/dist/images/layers.png",
	"assets/vendor/leaflet/images/layers-2x.png":      "leaflet/dist/images/layers-2x.png",
	"assets/vendor/leaflet/images/marker-icon.png":    "leaflet/dist/images/marker-icon.png",
	"assets/vendor/leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
	"assets/vendor/leaflet/images/marker-shadow.png":  "leaflet/dist/images/marker-shadow.png",
}

// TestVendoredLeaflet: the committed Leaflet files are byte for byte the
// ones of the package the lockfile pins, when `npm ci --prefix
// console/vendor-src` has installed it (.ci/run does); and every file
// under assets/vendor is one of them.
func TestVendoredLeaflet(t *testing.T) {
	err := filepath.WalkDir("assets/vendor", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if _, ok := vendored[filepath.ToSlash(path)]; !ok {
				t.Errorf("%s is vendored but not checked against the lockfile", path)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	modules := filepath.Join("vendor-src", "node_modules")
	if _, err := os.Stat(modules); err != nil {
		t.Skip("console/vendor-src/node_modules is missing: run npm ci --prefix console/vendor-src to compare the vendored files")
	}
	for mine, theirs := range vendored {
		got, err := os.ReadFile(mine)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(modules, theirs))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from node_modules/%s: copy it again from the pinned package", mine, theirs)
		}
	}
}
