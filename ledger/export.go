package ledger

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/henan-youth/onsite/models"
)

// An export is JSON Lines: a header line, then one line per leaf in index
// order, then one line per record that has no leaf. Byte strings are
// standard base64. A leaf whose record is gone has "record": null.
//
//	{"format":"onsite-ledger-export","version":1}
//	{"index":0,"kind":"checkin","num":3,"text":"li-0001","id":12,"leaf":"…","record":"…"}
//	{"index":-1,"kind":"review","num":7,"id":4,"record":"…"}
const exportFormat = "onsite-ledger-export"

// ExportLine is one line of an export after the header.
type ExportLine struct {
	Index  int64           `json:"index"` // -1: a record without a leaf
	Kind   models.LeafKind `json:"kind"`
	Num    int64           `json:"num"`
	Text   string          `json:"text,omitempty"`
	ID     int64           `json:"id,omitempty"`
	Leaf   []byte          `json:"leaf,omitempty"`
	Record []byte          `json:"record"`
}

// Key returns the record's natural key.
func (l *ExportLine) Key() models.LeafKey {
	return models.LeafKey{Kind: l.Kind, Num: l.Num, Text: l.Text}
}

// Entry returns a leaf line as a verifier's entry.
func (l *ExportLine) Entry() Entry {
	return Entry{Index: uint64(l.Index), Key: l.Key(), ID: l.ID, Stored: l.Leaf, Record: l.Record}
}

// ExportWriter writes an export.
type ExportWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewExportWriter writes the header to w and returns the writer of lines.
func NewExportWriter(w io.Writer) (*ExportWriter, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	ew := &ExportWriter{w: bw, enc: json.NewEncoder(bw)}
	return ew, ew.enc.Encode(map[string]any{"format": exportFormat, "version": 1})
}

// Write writes one line.
func (w *ExportWriter) Write(l *ExportLine) error { return w.enc.Encode(l) }

// Flush writes what is buffered.
func (w *ExportWriter) Flush() error { return w.w.Flush() }

// maxExportLine bounds one line of an export; a record is far smaller.
const maxExportLine = 4 << 20

// ExportReader reads an export line by line.
type ExportReader struct {
	sc *bufio.Scanner
	n  int
}

// NewExportReader checks the header of the export in r and returns its
// reader; it fails on a missing or unknown header.
func NewExportReader(r io.Reader) (*ExportReader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), maxExportLine)
	if !sc.Scan() {
		return nil, errors.Join(errors.New("ledger export: empty file"), sc.Err())
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil || head.Format != exportFormat || head.Version != 1 {
		return nil, fmt.Errorf("ledger export: not an %s version 1 file", exportFormat)
	}
	return &ExportReader{sc: sc, n: 1}, nil
}

// Next returns the next line, or io.EOF after the last; it fails on a
// line that does not parse.
func (r *ExportReader) Next() (*ExportLine, error) {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	r.n++
	var l ExportLine
	if err := json.Unmarshal(r.sc.Bytes(), &l); err != nil {
		return nil, fmt.Errorf("ledger export line %d: %w", r.n, err)
	}
	return &l, nil
}

// ReadExport reads an export, calling fn with each line after the header
// in file order. It fails as NewExportReader and Next do, or with fn's
// error.
func ReadExport(r io.Reader, fn func(*ExportLine) error) error {
	er, err := NewExportReader(r)
	if err != nil {
		return err
	}
	for {
		l, err := er.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
	}
}

// Earlier reads an earlier export of the same log alongside a verifier's
// walk, so that a changed record's fields can be named (Diff): the export
// the inspectors took before holds the records as they were.
type Earlier struct {
	r    *ExportReader
	next *ExportLine
	done bool
}

// NewEarlier returns the reader of an earlier export; see NewExportReader.
func NewEarlier(r io.Reader) (*Earlier, error) {
	er, err := NewExportReader(r)
	if err != nil {
		return nil, err
	}
	return &Earlier{r: er}, nil
}

// At returns the record bytes the earlier export holds for leaf index,
// nil when it has none. Indexes must be asked for in increasing order.
func (e *Earlier) At(index uint64) ([]byte, error) {
	for !e.done {
		if e.next == nil {
			l, err := e.r.Next()
			if err == io.EOF || (err == nil && l.Index < 0) {
				e.done = true
				break
			}
			if err != nil {
				return nil, err
			}
			e.next = l
		}
		switch {
		case uint64(e.next.Index) < index:
			e.next = nil
		case uint64(e.next.Index) == index:
			return e.next.Record, nil
		default:
			return nil, nil
		}
	}
	return nil, nil
}
