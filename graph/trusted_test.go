package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadTrustedDocuments(t *testing.T) {
	const doc = `{ me { id } }`
	hash := sha256Hex(doc)
	for _, tc := range []struct {
		name, file string
		wantErr    string // a part of the error, "" for none
	}{
		{"hash to document", `{"` + hash + `": "{ me { id } }"}`, ""},
		{"Apollo's manifest", `{"format": "apollo-persisted-query-manifest", "version": 1,
			"operations": [{"id": "` + hash + `", "name": "Me", "type": "query", "body": "{ me { id } }"}]}`, ""},
		{"a wrong hash", `{"` + strings.Repeat("0", 64) + `": "{ me { id } }"}`, "is not the SHA-256"},
		{"not JSON", `me`, "neither"},
	} {
		path := filepath.Join(t.TempDir(), "docs.json")
		os.WriteFile(path, []byte(tc.file), 0o600)
		docs, err := LoadTrustedDocuments(path)
		switch {
		case tc.wantErr == "" && (err != nil || docs[hash] != doc):
			t.Errorf("%s: %v, %v; want the document under its hash", tc.name, docs, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.wantErr)
		}
	}
}
