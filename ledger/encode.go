// Package ledger is the tamper-evident log of evidence: every evidence
// record is a leaf of an RFC 6962 Merkle tree, the server signs
// checkpoints of the tree (C2SP tlog-checkpoint), and anyone holding a
// checkpoint can check proofs against it and recompute it from the records.
//
// This package is pure: the canonical byte encoding of each kind of record
// (encode.go, kinds.go), the tree's hashing and proofs (tree.go), signed
// checkpoints and their keys (checkpoint.go, keyfile.go), the witness's
// rule (witness.go), and the verifier that recomputes a log from its
// records (verify.go, export.go). docs/ledger.md specifies the encoding
// for third parties.
package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/henan-youth/onsite/models"
)

// Type is how one field of a record is encoded. Every encoding has a fixed
// width or a length prefix, so the bytes decode one way only.
type Type int

// The field types.
const (
	String   Type = iota // uint32 big-endian byte length, then the UTF-8 bytes
	Int                  // int64, 8 bytes big-endian two's complement
	Bool                 // 1 byte: 0 false, 1 true
	Time                 // int64 big-endian microseconds since 1970-01-01T00:00:00Z (UTC)
	Float                // IEEE-754 binary64 bits, 8 bytes big-endian; -0 is written as +0
	OptInt               // 1 byte 0 (absent), or 1 followed by an Int
	OptFloat             // 1 byte 0 (absent), or 1 followed by a Float
	List                 // uint32 big-endian element count, then each element's fields in order
)

var typeNames = [...]string{"string", "int64", "bool", "time", "float64", "optional int64", "optional float64", "list"}

func (t Type) String() string { return typeNames[t] }

// Field is one field of a format, in encoding order.
type Field struct {
	Name string
	Type Type
	Elem []Field // a List's element fields
}

// Format is the layout of one kind's canonical bytes at one version:
// String(kind), a uint16 big-endian version, then Fields in order.
type Format struct {
	Kind    models.LeafKind
	Version uint16
	Fields  []Field
}

// enc appends canonical encodings to a buffer.
type enc struct{ b []byte }

// header starts a record of format f.
func (e *enc) header(f *Format) {
	e.str(string(f.Kind))
	e.b = binary.BigEndian.AppendUint16(e.b, f.Version)
}

func (e *enc) str(s string) {
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) i64(v int64) { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }

func (e *enc) boolean(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// at writes t to the microsecond (the zero time.Time is -62135596800000000).
func (e *enc) at(t time.Time) { e.i64(t.UnixMicro()) }

func (e *enc) f64(v float64) {
	if v == 0 {
		v = 0 // -0 and +0 are one value: a database may store either
	}
	e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(v))
}

func (e *enc) optInt(v *int64) {
	e.boolean(v != nil)
	if v != nil {
		e.i64(*v)
	}
}

func (e *enc) optFloat(v *float64) {
	e.boolean(v != nil)
	if v != nil {
		e.f64(*v)
	}
}

func (e *enc) count(n int) { e.b = binary.BigEndian.AppendUint32(e.b, uint32(n)) }

// Value is one decoded field: its path ("located[0].verdict") and value
// as text.
type Value struct {
	Name  string
	Value string
}

// ErrMalformed is returned (wrapped) for bytes that are not a record of a
// known kind and version.
var ErrMalformed = errors.New("malformed canonical record")

// Decode reads canonical bytes back into named values by the format of
// their kind and version. It fails (ErrMalformed) on an unknown kind or
// version, on a short or over-long record and on a bad bool byte.
func Decode(b []byte) (*Format, []Value, error) {
	d := &dec{b: b}
	kind := d.str()
	if d.err != nil || len(d.b) < 2 {
		return nil, nil, fmt.Errorf("%w: no header", ErrMalformed)
	}
	version := binary.BigEndian.Uint16(d.b)
	d.b = d.b[2:]
	f := lookup(models.LeafKind(kind), version)
	if f == nil {
		return nil, nil, fmt.Errorf("%w: unknown kind %q version %d", ErrMalformed, kind, version)
	}
	var out []Value
	d.fields(f.Fields, "", &out)
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%w: %d bytes after the last field", ErrMalformed, len(d.b))
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	return f, out, nil
}

// dec reads canonical encodings; the first error sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b) < n {
		d.err = fmt.Errorf("%w: truncated", ErrMalformed)
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *dec) u32() int {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint32(b))
}

func (d *dec) str() string { return string(d.take(d.u32())) }

func (d *dec) u64() uint64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (d *dec) flag() bool {
	b := d.take(1)
	if b == nil {
		return false
	}
	if b[0] > 1 {
		d.err = fmt.Errorf("%w: bool byte %d", ErrMalformed, b[0])
	}
	return b[0] == 1
}

// fields decodes fs, naming each value prefix+name.
func (d *dec) fields(fs []Field, prefix string, out *[]Value) {
	for _, f := range fs {
		name := prefix + f.Name
		var v string
		switch f.Type {
		case String:
			v = strconv.Quote(d.str())
		case Int:
			v = strconv.FormatInt(int64(d.u64()), 10)
		case Bool:
			v = strconv.FormatBool(d.flag())
		case Time:
			v = time.UnixMicro(int64(d.u64())).UTC().Format("2006-01-02T15:04:05.000000Z")
		case Float:
			v = strconv.FormatFloat(math.Float64frombits(d.u64()), 'g', -1, 64)
		case OptInt, OptFloat:
			v = "null"
			if d.flag() {
				x := d.u64()
				if f.Type == OptInt {
					v = strconv.FormatInt(int64(x), 10)
				} else {
					v = strconv.FormatFloat(math.Float64frombits(x), 'g', -1, 64)
				}
			}
		case List:
			n := d.u32()
			if d.err == nil && n > len(d.b) { // every element takes at least a byte
				d.err = fmt.Errorf("%w: list of %d elements in %d bytes", ErrMalformed, n, len(d.b))
			}
			*out = append(*out, Value{Name: name + ".count", Value: strconv.Itoa(n)})
			for i := 0; i < n && d.err == nil; i++ {
				d.fields(f.Elem, fmt.Sprintf("%s[%d].", name, i), out)
			}
			continue
		}
		if d.err != nil {
			return
		}
		*out = append(*out, Value{Name: name, Value: v})
	}
}

// Diff lists the fields whose values differ between two canonical records,
// as "name: old → new"; a record that does not decode is one difference.
func Diff(old, new []byte) []string {
	_, a, errA := Decode(old)
	_, b, errB := Decode(new)
	if errA != nil || errB != nil {
		return []string{fmt.Sprintf("undecodable record (%v, %v)", errA, errB)}
	}
	av := make(map[string]string, len(a))
	for _, v := range a {
		av[v.Name] = v.Value
	}
	var out []string
	seen := make(map[string]bool, len(b))
	for _, v := range b {
		seen[v.Name] = true
		if was, ok := av[v.Name]; !ok {
			out = append(out, fmt.Sprintf("%s: (none) → %s", v.Name, v.Value))
		} else if was != v.Value {
			out = append(out, fmt.Sprintf("%s: %s → %s", v.Name, was, v.Value))
		}
	}
	for _, v := range a {
		if !seen[v.Name] {
			out = append(out, fmt.Sprintf("%s: %s → (none)", v.Name, v.Value))
		}
	}
	return out
}
