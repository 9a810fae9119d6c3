package ledger

import (
	"crypto/sha256"
	"fmt"
	"hash"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// hasher is RFC 6962's SHA-256 tree hasher: a leaf is SHA-256(0x00 ||
// bytes), a node SHA-256(0x01 || left || right).
var hasher = rfc6962.DefaultHasher

// factory builds compact ranges with hasher.
var factory = &compact.RangeFactory{Hash: hasher.HashChildren}

// HashLeaf returns the RFC 6962 leaf hash of canonical bytes.
func HashLeaf(canonical []byte) []byte { return hasher.HashLeaf(canonical) }

// EmptyRoot returns the root hash of the empty tree, SHA-256 of nothing.
func EmptyRoot() []byte { return hasher.EmptyRoot() }

// NodeID names a perfect subtree: its level (0 for a leaf) and its index
// among the subtrees of that level, left to right.
type NodeID = compact.NodeID

// Tree is the right border of a log of Size leaves: enough to append
// leaves and compute the root, in O(log Size) memory.
type Tree struct{ r *compact.Range }

// NewTree returns the empty tree.
func NewTree() *Tree { return &Tree{r: factory.NewEmptyRange(0)} }

// digest hashes RFC 6962 leaves and nodes exactly as hasher does, with one
// SHA-256 state reused for every hash: for a verifier, which hashes every
// leaf of the log, allocation costs as much as the hashing. It is not safe
// for concurrent use; a test holds it equal to hasher.
type digest struct{ h hash.Hash }

func newDigest() *digest { return &digest{h: sha256.New()} }

var (
	leafPrefix = []byte{rfc6962.RFC6962LeafHashPrefix}
	nodePrefix = []byte{rfc6962.RFC6962NodeHashPrefix}
)

func (d *digest) leaf(b []byte) []byte {
	d.h.Reset()
	d.h.Write(leafPrefix)
	d.h.Write(b)
	return d.h.Sum(make([]byte, 0, sha256.Size))
}

func (d *digest) node(l, r []byte) []byte {
	d.h.Reset()
	d.h.Write(nodePrefix)
	d.h.Write(l)
	d.h.Write(r)
	return d.h.Sum(make([]byte, 0, sha256.Size))
}

// newTreeWith returns the empty tree whose nodes d hashes.
func newTreeWith(d *digest) *Tree {
	return &Tree{r: (&compact.RangeFactory{Hash: d.node}).NewEmptyRange(0)}
}

// cloneWith returns a copy of t whose nodes d hashes.
func (t *Tree) cloneWith(d *digest) *Tree {
	hashes := make([][]byte, len(t.r.Hashes()))
	copy(hashes, t.r.Hashes())
	r, _ := (&compact.RangeFactory{Hash: d.node}).NewRange(0, t.Size(), hashes) // the hashes of a valid range
	return &Tree{r: r}
}

// BorderNodes returns the perfect subtrees whose hashes LoadTree needs for
// a tree of size leaves, left to right.
func BorderNodes(size uint64) []NodeID { return compact.RangeNodes(0, size, nil) }

// LoadTree returns the tree of size leaves from the hashes of its
// BorderNodes, in that order. It fails when their number is wrong.
func LoadTree(size uint64, hashes [][]byte) (*Tree, error) {
	r, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, err
	}
	return &Tree{r: r}, nil
}

// Size returns the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// Append adds a leaf. visit, when not nil, is called with every perfect
// subtree above the leaves that the leaf completes (level ≥ 1): the nodes
// a store keeps so that proofs need O(log n) reads.
func (t *Tree) Append(leafHash []byte, visit func(id NodeID, hash []byte)) error {
	var fn compact.VisitFn
	if visit != nil {
		fn = func(id compact.NodeID, hash []byte) {
			if id.Level > 0 {
				visit(id, hash)
			}
		}
	}
	return t.r.Append(leafHash, fn)
}

// Root returns the root hash (EmptyRoot for the empty tree).
func (t *Tree) Root() []byte {
	root, err := t.r.GetRootHash(nil)
	if err != nil || root == nil { // a range from 0 has a root; nil only when empty
		return EmptyRoot()
	}
	return root
}

// Plan says which stored nodes a proof needs and builds the proof from
// their hashes. Every node it names is a perfect subtree of the tree the
// proof is for, so a store that keeps the complete subtrees has them all.
type Plan struct{ nodes proof.Nodes }

// InclusionPlan plans the proof that leaf index is in the tree of size
// leaves. It fails unless index < size.
func InclusionPlan(index, size uint64) (Plan, error) {
	n, err := proof.Inclusion(index, size)
	return Plan{n}, err
}

// ConsistencyPlan plans the proof that the tree of size1 leaves is a
// prefix of the tree of size2. It fails unless size1 ≤ size2.
func ConsistencyPlan(size1, size2 uint64) (Plan, error) {
	n, err := proof.Consistency(size1, size2)
	return Plan{n}, err
}

// IDs returns the nodes whose hashes Build needs, in its order.
func (p Plan) IDs() []NodeID { return p.nodes.IDs }

// Build returns the proof from the hashes of IDs, in order. It fails when
// their number is wrong.
func (p Plan) Build(hashes [][]byte) ([][]byte, error) {
	if len(hashes) != len(p.nodes.IDs) {
		return nil, fmt.Errorf("proof: %d hashes for %d nodes", len(hashes), len(p.nodes.IDs))
	}
	return p.nodes.Rehash(append([][]byte(nil), hashes...), hasher.HashChildren)
}

// VerifyInclusion checks an inclusion proof of leafHash at index against
// the root of the tree of size leaves; nil when it holds.
func VerifyInclusion(index, size uint64, leafHash []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(hasher, index, size, leafHash, p, root)
}

// VerifyConsistency checks that the tree of size1 leaves with root1 is a
// prefix of the tree of size2 leaves with root2; nil when it holds.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(hasher, size1, size2, p, root1, root2)
}
