package ledger

import (
	"bytes"
	"strings"
	"testing"

	"github.com/henan-youth/onsite/models"
)

// logOf returns n check-ins' entries and the checkpoint of all of them.
func logOf(t *testing.T, n int) ([]Entry, *Checkpoint) {
	t.Helper()
	tree := NewTree()
	var out []Entry
	for i := range n {
		c := sampleCheckIn()
		c.ClientID = strings.Repeat("x", i+1)
		b := mustCanonical(t, c)
		h := HashLeaf(b)
		tree.Append(h, nil)
		out = append(out, Entry{Index: uint64(i), Key: models.LeafKey{Kind: models.LeafCheckIn, Num: 3, Text: c.ClientID}, ID: int64(i + 1), Stored: h, Record: b})
	}
	return out, &Checkpoint{Origin: DefaultOrigin, Size: uint64(n), Root: tree.Root()}
}

func run(t *testing.T, entries []Entry, cps ...*Checkpoint) (Result, []string) {
	t.Helper()
	var problems []string
	v := NewVerifier(cps, func(p Problem) { problems = append(problems, p.String()) })
	for _, e := range entries {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	return v.Finish(), problems
}

func TestVerifier(t *testing.T) {
	entries, cp := logOf(t, 6)
	_, early := logOf(t, 3)

	t.Run("intact", func(t *testing.T) {
		res, problems := run(t, entries, early, cp)
		if !res.OK() || len(problems) > 0 || len(res.Checkpoints) != 2 {
			t.Errorf("got ok %v, problems %v", res.OK(), problems)
		}
	})
	t.Run("a record edited", func(t *testing.T) {
		edited := append([]Entry(nil), entries...)
		c := sampleCheckIn()
		c.ClientID, c.Lat = "xx", 35
		edited[1].Record = mustCanonical(t, c)
		res, problems := run(t, edited, early, cp)
		if res.OK() || len(problems) != 1 || !strings.Contains(problems[0], `client="xx" (id 2), leaf 1: the record no longer matches its leaf`) {
			t.Errorf("got ok %v, problems %v", res.OK(), problems)
		}
		if res.Checkpoints[0].Matches() || !bytes.Equal(res.Checkpoints[0].FromStored, early.Root) {
			t.Errorf("checkpoint 3: %s", res.Checkpoints[0])
		}
	})
	t.Run("a record deleted", func(t *testing.T) {
		gone := append([]Entry(nil), entries...)
		gone[4].Record, gone[4].ID = nil, 0
		res, problems := run(t, gone, cp)
		if res.OK() || len(problems) != 1 || !strings.Contains(problems[0], "leaf 4: the record is missing") {
			t.Errorf("got ok %v, problems %v", res.OK(), problems)
		}
	})
	t.Run("a record and its leaf hash rewritten", func(t *testing.T) {
		rewritten := append([]Entry(nil), entries...)
		c := sampleCheckIn()
		c.ClientID, c.Lat = "xx", 35
		rewritten[1].Record = mustCanonical(t, c)
		rewritten[1].Stored = HashLeaf(rewritten[1].Record)
		res, problems := run(t, rewritten, early, cp)
		if res.OK() || len(problems) != 0 {
			t.Fatalf("got ok %v, problems %v", res.OK(), problems)
		}
		if got := res.Checkpoints[0].String(); !strings.Contains(got, "checkpoint size 3: root mismatch") || !strings.Contains(got, "rewritten") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("a leaf deleted", func(t *testing.T) {
		res, problems := run(t, append(append([]Entry(nil), entries[:2]...), entries[3:]...), cp)
		if res.OK() || len(problems) != 1 || !strings.Contains(problems[0], "leaves 2–2 are missing") {
			t.Errorf("got ok %v, problems %v", res.OK(), problems)
		}
	})
	t.Run("shorter than the checkpoint", func(t *testing.T) {
		res, _ := run(t, entries[:4], cp)
		if res.OK() || !strings.Contains(res.Checkpoints[0].String(), "fewer leaves") {
			t.Errorf("got %s", res.Checkpoints[0])
		}
	})
	t.Run("no checkpoint", func(t *testing.T) {
		if res, _ := run(t, entries); res.OK() {
			t.Error("a log verified against nothing")
		}
	})
}

func TestExportRoundTrip(t *testing.T) {
	entries, _ := logOf(t, 3)
	var buf bytes.Buffer
	w, err := NewExportWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		w.Write(&ExportLine{Index: int64(e.Index), Kind: e.Key.Kind, Num: e.Key.Num, Text: e.Key.Text, ID: e.ID, Leaf: e.Stored, Record: e.Record})
	}
	w.Write(&ExportLine{Index: -1, Kind: models.LeafReview, Num: 4, ID: 9, Record: mustCanonical(t, sampleReview())})
	w.Write(&ExportLine{Index: 3, Kind: models.LeafReview, Num: 5, Leaf: entries[0].Stored})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []*ExportLine
	if err := ReadExport(&buf, func(l *ExportLine) error { got = append(got, l); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[1].Entry().Key != entries[1].Key || !bytes.Equal(got[2].Record, entries[2].Record) ||
		got[3].Index != -1 || got[4].Record != nil {
		t.Errorf("read back %+v", got)
	}
	if err := ReadExport(strings.NewReader("{}\n"), func(*ExportLine) error { return nil }); err == nil {
		t.Error("a file without the header was read")
	}
}
