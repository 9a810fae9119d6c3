package ledger

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDocumentedLayouts: docs/ledger.md lists every field of every layout,
// in order, so a third party who reads it encodes what the server hashes.
func TestDocumentedLayouts(t *testing.T) {
	raw, err := os.ReadFile("../docs/ledger.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, f := range formats {
		head := fmt.Sprintf("#### `%s`, version %d", f.Kind, f.Version)
		i := strings.Index(doc, head)
		if i < 0 {
			t.Errorf("docs/ledger.md has no section %q", head)
			continue
		}
		var got []string
		for _, line := range strings.Split(doc[i:], "\n")[1:] {
			if strings.HasPrefix(line, "#") {
				break
			}
			cells := strings.Split(line, "|")
			if len(cells) == 5 && strings.TrimSpace(cells[1]) != "#" && !strings.HasPrefix(strings.TrimSpace(cells[1]), "-") {
				got = append(got, strings.TrimSpace(cells[2]))
			}
		}
		var want []string
		for _, fl := range f.Fields {
			want = append(want, fl.Name)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: docs list %v, the layout %v", head, got, want)
		}
	}
}
