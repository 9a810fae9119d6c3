package ledger

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/henan-youth/onsite/models"
)

// Entry is one leaf as a verifier reads it: its index, the record it
// stands for, the leaf hash stored for it, and the record's canonical
// bytes as the record is now (nil when the record is gone).
type Entry struct {
	Index  uint64
	Key    models.LeafKey
	ID     int64  // the record's database id; 0 when unknown or gone
	Stored []byte // the leaf hash stored with the record
	Record []byte // canonical bytes recomputed from the record; nil: no record
}

// Problem is one finding of a verifier: the record it concerns (none for
// a missing leaf index) and what is wrong.
type Problem struct {
	Index int64 // the leaf index; -1 for a record without a leaf
	Key   models.LeafKey
	ID    int64
	What  string
}

func (p Problem) String() string {
	where := fmt.Sprintf("leaf %d", p.Index)
	if p.Index < 0 {
		where = "no leaf"
	}
	if p.Key.Kind == "" {
		return fmt.Sprintf("%s: %s", where, p.What)
	}
	id := ""
	if p.ID != 0 {
		id = fmt.Sprintf(" (id %d)", p.ID)
	}
	return fmt.Sprintf("%s%s, %s: %s", p.Key, id, where, p.What)
}

// CheckpointResult is how a held checkpoint compares with the log.
type CheckpointResult struct {
	Checkpoint  *Checkpoint
	FromRecords []byte // the root recomputed from the records at its size; nil when the log is shorter
	FromStored  []byte // the root of the stored leaf hashes at its size; nil likewise
}

// Matches reports whether the records reproduce the checkpoint's root.
func (r CheckpointResult) Matches() bool {
	return r.FromRecords != nil && bytes.Equal(r.FromRecords, r.Checkpoint.Root)
}

func (r CheckpointResult) String() string {
	cp := r.Checkpoint
	switch {
	case r.FromRecords == nil:
		return fmt.Sprintf("checkpoint size %d: the log read has fewer leaves (leaves deleted, a database rolled back, or an export older than the checkpoint)", cp.Size)
	case r.Matches():
		return fmt.Sprintf("checkpoint size %d: root matches the records", cp.Size)
	case bytes.Equal(r.FromStored, cp.Root):
		return fmt.Sprintf("checkpoint size %d: root mismatch: the records give %s, the checkpoint %s (the stored leaf hashes still match it: records were changed)",
			cp.Size, b64(r.FromRecords), b64(cp.Root))
	}
	return fmt.Sprintf("checkpoint size %d: root mismatch: the records give %s, the stored leaf hashes %s, the checkpoint %s (records and their leaf hashes were rewritten)",
		cp.Size, b64(r.FromRecords), b64(r.FromStored), b64(cp.Root))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Verifier recomputes a log from its records, one leaf at a time in index
// order, and compares it with held checkpoints. Its memory is the trees'
// right borders, O(log n), whatever the log's size.
type Verifier struct {
	pending     []*Checkpoint // held checkpoints not reached yet, by size
	results     []CheckpointResult
	fromRecords *Tree
	// fromStored is the tree of the stored hashes, once one differed from
	// its recomputed leaf; until then it is fromRecords, and keeping one
	// tree halves the node hashing of a log that verifies.
	fromStored *Tree
	report     func(Problem)
	problems   int
	d          *digest // hashes leaves and both trees' nodes
}

// missing stands in for a leaf that cannot be recomputed (its record or
// its index is gone): the hash of no bytes, which no record encodes to.
var missing = HashLeaf(nil)

// NewVerifier returns a verifier of a log against checkpoints; report is
// called with each problem as it is found.
func NewVerifier(checkpoints []*Checkpoint, report func(Problem)) *Verifier {
	cps := slices.Clone(checkpoints)
	slices.SortFunc(cps, func(a, b *Checkpoint) int { return cmpU64(a.Size, b.Size) })
	d := newDigest()
	v := &Verifier{pending: cps, fromRecords: newTreeWith(d), report: report, d: d}
	v.reach()
	return v
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (v *Verifier) problem(p Problem) {
	v.problems++
	if v.report != nil {
		v.report(p)
	}
}

// Add takes the next leaf. Entries must come in increasing index order; a
// skipped index is a problem (a leaf deleted) and is counted as a leaf
// that matches nothing. It fails only for an index that goes back.
func (v *Verifier) Add(e Entry) error {
	size := v.fromRecords.Size()
	if e.Index < size {
		return fmt.Errorf("ledger: leaf %d after leaf %d", e.Index, size-1)
	}
	if e.Index > size {
		v.problem(Problem{Index: int64(size), What: fmt.Sprintf("leaves %d–%d are missing from the log", size, e.Index-1)})
		for i := size; i < e.Index; i++ {
			v.append(missing, missing)
		}
	}
	recomputed := missing
	switch {
	case e.Record == nil:
		v.problem(Problem{Index: int64(e.Index), Key: e.Key, ID: e.ID, What: "the record is missing (deleted)"})
	default:
		recomputed = v.d.leaf(e.Record)
		if !bytes.Equal(recomputed, e.Stored) {
			v.problems++
			if v.report != nil { // the message is built only for someone who reads it
				v.report(Problem{Index: int64(e.Index), Key: e.Key, ID: e.ID,
					What: fmt.Sprintf("the record no longer matches its leaf: leaf hash %s, the record now hashes to %s", b64(e.Stored), b64(recomputed))})
			}
		}
	}
	v.append(recomputed, e.Stored)
	return nil
}

// Unledgered reports a record that has no leaf.
func (v *Verifier) Unledgered(key models.LeafKey, id int64) {
	v.problem(Problem{Index: -1, Key: key, ID: id, What: "the record has no leaf (inserted outside the server, or not yet ledgered)"})
}

// Mismatch reports a record whose content differs from an earlier copy of
// it, naming the fields (Diff).
func (v *Verifier) Mismatch(e Entry, earlier []byte) {
	if v.report != nil {
		for _, d := range Diff(earlier, e.Record) {
			v.report(Problem{Index: int64(e.Index), Key: e.Key, ID: e.ID, What: "changed since the earlier export: " + d})
		}
	}
}

func (v *Verifier) append(recomputed, stored []byte) {
	if v.fromStored == nil && !bytes.Equal(recomputed, stored) {
		v.fromStored = v.fromRecords.cloneWith(v.d)
	}
	_ = v.fromRecords.Append(recomputed, nil) // a range from 0 always takes a leaf
	if v.fromStored != nil {
		_ = v.fromStored.Append(stored, nil)
	}
	v.reach()
}

// reach compares the checkpoints whose size the log has reached.
func (v *Verifier) reach() {
	for len(v.pending) > 0 && v.pending[0].Size == v.fromRecords.Size() {
		root := v.fromRecords.Root()
		stored := root
		if v.fromStored != nil {
			stored = v.fromStored.Root()
		}
		v.results = append(v.results, CheckpointResult{Checkpoint: v.pending[0], FromRecords: root, FromStored: stored})
		v.pending = v.pending[1:]
	}
}

// Result is a verifier's conclusion.
type Result struct {
	Size        uint64 // leaves read
	Root        []byte // root recomputed from the records
	Checkpoints []CheckpointResult
	Problems    int
}

// OK reports whether every record matched its leaf and every held
// checkpoint's root was reproduced from the records.
func (r Result) OK() bool {
	if r.Problems > 0 || len(r.Checkpoints) == 0 {
		return false
	}
	for _, c := range r.Checkpoints {
		if !c.Matches() {
			return false
		}
	}
	return true
}

// Finish returns the result once every leaf has been added; checkpoints
// larger than the log are reported as not reached.
func (v *Verifier) Finish() Result {
	res := Result{Size: v.fromRecords.Size(), Root: v.fromRecords.Root(), Problems: v.problems}
	res.Checkpoints = append(slices.Clone(v.results), make([]CheckpointResult, 0, len(v.pending))...)
	for _, cp := range v.pending {
		res.Checkpoints = append(res.Checkpoints, CheckpointResult{Checkpoint: cp})
	}
	return res
}
