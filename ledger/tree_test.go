package ledger

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
)

// mth is RFC 6962's Merkle Tree Hash, written from the RFC (section 2.1):
// the check the library's tree is held to.
func mth(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return h[:]
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		h := sha256.Sum256(append(append([]byte{1}, mth(leaves[:k])...), mth(leaves[k:])...))
		return h[:]
	}
}

func leafData(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "leaf %d", i)
	}
	return out
}

// memNodes keeps every node a tree reports, as a store does.
type memNodes map[NodeID][]byte

func (m memNodes) get(ids []NodeID) [][]byte {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

func build(t *testing.T, data [][]byte) (*Tree, memNodes) {
	t.Helper()
	tree, nodes := NewTree(), memNodes{}
	for i, d := range data {
		h := HashLeaf(d)
		nodes[NodeID{Level: 0, Index: uint64(i)}] = h
		if err := tree.Append(h, func(id NodeID, hash []byte) { nodes[id] = hash }); err != nil {
			t.Fatal(err)
		}
	}
	return tree, nodes
}

func TestTreeMatchesRFC6962(t *testing.T) {
	data := leafData(70)
	for n := 0; n <= len(data); n++ {
		tree, nodes := build(t, data[:n])
		if got, want := tree.Root(), mth(data[:n]); !bytes.Equal(got, want) {
			t.Fatalf("size %d: got root %x, want %x", n, got, want)
		}
		loaded, err := LoadTree(uint64(n), nodes.get(BorderNodes(uint64(n))))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(loaded.Root(), tree.Root()) {
			t.Fatalf("size %d: the tree loaded from its border nodes has another root", n)
		}
	}
}

func TestProofsFromStoredNodes(t *testing.T) {
	data := leafData(37)
	_, nodes := build(t, data)
	for size := 1; size <= len(data); size++ {
		root := mth(data[:size])
		for i := 0; i < size; i++ {
			plan, err := InclusionPlan(uint64(i), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Build(nodes.get(plan.IDs()))
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(uint64(i), uint64(size), HashLeaf(data[i]), p, root); err != nil {
				t.Fatalf("inclusion of %d in %d: %v", i, size, err)
			}
			if err := VerifyInclusion(uint64(i), uint64(size), HashLeaf([]byte("other")), p, root); err == nil {
				t.Fatalf("inclusion of another leaf at %d in %d verified", i, size)
			}
		}
		for old := 0; old <= size; old++ {
			plan, err := ConsistencyPlan(uint64(old), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Build(nodes.get(plan.IDs()))
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(uint64(old), uint64(size), p, mth(data[:old]), root); err != nil {
				t.Fatalf("consistency %d → %d: %v", old, size, err)
			}
		}
	}
	if _, err := InclusionPlan(5, 5); err == nil {
		t.Error("a plan for a leaf outside the tree")
	}
}

func TestAdvance(t *testing.T) {
	data := leafData(9)
	_, nodes := build(t, data)
	cp := func(n int) *Checkpoint {
		return &Checkpoint{Origin: DefaultOrigin, Size: uint64(n), Root: mth(data[:n])}
	}
	other := &Checkpoint{Origin: DefaultOrigin, Size: 5, Root: mth(leafData(5)[1:])}
	forkData := leafData(9)
	forkData[2] = []byte("x")
	forked := &Checkpoint{Origin: DefaultOrigin, Size: 9, Root: mth(forkData)}
	proof := func(a, b uint64) ([][]byte, error) {
		plan, err := ConsistencyPlan(a, b)
		if err != nil {
			return nil, err
		}
		return plan.Build(nodes.get(plan.IDs()))
	}
	for _, c := range []struct {
		name          string
		held, fetched *Checkpoint
		want          error
	}{
		{"first checkpoint", nil, cp(3), nil},
		{"same", cp(5), cp(5), nil},
		{"grown", cp(3), cp(9), nil},
		{"grown from empty", cp(0), cp(9), nil},
		{"smaller", cp(9), cp(5), ErrRollback},
		{"another root at the same size", cp(5), other, ErrFork},
		{"grown from another history", cp(5), forked, ErrFork},
		{"another origin", cp(5), &Checkpoint{Origin: "x", Size: 9, Root: mth(data)}, ErrFork},
	} {
		err := Advance(c.held, c.fetched, proof)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// TestDigestIsRFC6962: the verifier's hashing agrees with the merkle
// package's RFC 6962 hasher, leaf and node.
func TestDigestIsRFC6962(t *testing.T) {
	d := newDigest()
	for _, b := range append(leafData(40), nil, []byte{}, bytes.Repeat([]byte{7}, 1000)) {
		if got, want := d.leaf(b), hasher.HashLeaf(b); !bytes.Equal(got, want) {
			t.Fatalf("leaf %q: got %x, want %x", b, got, want)
		}
		l, r := hasher.HashLeaf(b), hasher.HashLeaf(append(b, 1))
		if got, want := d.node(l, r), hasher.HashChildren(l, r); !bytes.Equal(got, want) {
			t.Fatalf("node: got %x, want %x", got, want)
		}
	}
	a, b := NewTree(), newTreeWith(d)
	for _, x := range leafData(100) {
		a.Append(HashLeaf(x), nil)
		b.Append(HashLeaf(x), nil)
		if !bytes.Equal(a.Root(), b.Root()) {
			t.Fatalf("size %d: roots differ", a.Size())
		}
	}
}
