package main

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
)

// proofFixture is a tree of five check-ins and the ledger entry of the
// fourth (cadre 7, "c-3") with its proof against the whole tree.
func proofFixture(t *testing.T) (*entryAnswer, signedTree) {
	t.Helper()
	tree := testonly.New(rfc6962.DefaultHasher)
	var target []byte
	for i := range 5 {
		c := &models.CheckIn{UserID: 7, ClientID: "c-" + string(rune('0'+i)), Lat: 34.8, Lon: 114.8, AccuracyM: 15,
			CoordSystem: "GCJ02", DeviceTime: time.Date(2026, 3, 2, 1, i, 0, 0, time.UTC), Status: models.CheckInAccepted, Flags: "[]"}
		b, err := ledger.Canonical(c)
		if err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			target = b
		}
		tree.AppendData(b)
	}
	const index = uint64(3)
	hashes, err := tree.InclusionProof(index, tree.Size())
	if err != nil {
		t.Fatal(err)
	}
	e := &entryAnswer{Index: new(index), Canonical: base64.StdEncoding.EncodeToString(target), Matches: true,
		LeafHash: base64.StdEncoding.EncodeToString(rfc6962.DefaultHasher.HashLeaf(target))}
	e.InclusionProof = &struct {
		Index, TreeSize uint64
		LeafHash        string
		Hashes          []string
	}{Index: index, TreeSize: tree.Size(), LeafHash: e.LeafHash}
	for _, h := range hashes {
		e.InclusionProof.Hashes = append(e.InclusionProof.Hashes, base64.StdEncoding.EncodeToString(h))
	}
	return e, signedTree{origin: "test", size: tree.Size(), root: tree.Hash()}
}

// TestCheckProof: a proof of the acknowledged check-in against the tree's
// root holds; a proof with a changed hash, against another root, of
// another record, or of a record that no longer hashes to its leaf does not.
func TestCheckProof(t *testing.T) {
	e, tree := proofFixture(t)
	if err := checkProof(e, tree, 7, "c-3"); err != nil {
		t.Fatalf("the good proof: %v", err)
	}
	flip := func(s string) string {
		b, _ := base64.StdEncoding.DecodeString(s)
		b[0] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	for _, tc := range []struct {
		name   string
		change func(e *entryAnswer, tree *signedTree) (user int64, client string)
		want   string
	}{
		{"a proof hash changed", func(e *entryAnswer, _ *signedTree) (int64, string) {
			e.InclusionProof.Hashes[1] = flip(e.InclusionProof.Hashes[1])
			return 7, "c-3"
		}, "not in the tree"},
		{"another root", func(_ *entryAnswer, tree *signedTree) (int64, string) {
			tree.root = append([]byte{}, tree.root...)
			tree.root[5] ^= 0x80
			return 7, "c-3"
		}, "not in the tree"},
		{"another index", func(e *entryAnswer, _ *signedTree) (int64, string) {
			e.InclusionProof.Index, e.Index = 2, new(uint64(2))
			return 7, "c-3"
		}, "not in the tree"},
		{"another check-in's leaf", func(*entryAnswer, *signedTree) (int64, string) { return 7, "c-4" }, "not the check-in acknowledged"},
		{"another cadre's", func(*entryAnswer, *signedTree) (int64, string) { return 8, "c-3" }, "not the check-in acknowledged"},
		{"the record changed", func(e *entryAnswer, _ *signedTree) (int64, string) {
			e.Matches = false
			return 7, "c-3"
		}, "no longer hashes"},
		{"a proof for another tree", func(e *entryAnswer, _ *signedTree) (int64, string) {
			e.InclusionProof.TreeSize = 4
			return 7, "c-3"
		}, "a proof for a tree of 4"},
		{"no proof", func(e *entryAnswer, _ *signedTree) (int64, string) {
			e.InclusionProof = nil
			return 7, "c-3"
		}, "no inclusion proof"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, tree := proofFixture(t)
			user, client := tc.change(e, &tree)
			err := checkProof(e, tree, user, client)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// TestInclusionDelay: the delay runs from the acknowledgement to the first
// successful read covering the leaf; a failed read in between marks it.
func TestInclusionDelay(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	down := errors.New("HTTP 503")
	obs := []observation{{at: at(0), size: 10}, {at: at(100), size: 10}, {at: at(200), err: down}, {at: at(300), size: 12},
		{at: at(400), size: 12}, {at: at(500), size: 20}}
	for _, tc := range []struct {
		ack          int
		index        uint64
		delay        time.Duration
		outage, seen bool
	}{
		{ack: 50, index: 5, delay: 0, seen: true},                                      // covered before it was acknowledged
		{ack: 150, index: 11, delay: 150 * time.Millisecond, outage: true, seen: true}, // a failed read in between
		{ack: 320, index: 12, delay: 180 * time.Millisecond, seen: true},
		{ack: 350, index: 20},
	} {
		delay, outage, seen := inclusionDelay(obs, at(tc.ack), tc.index)
		if delay != tc.delay || outage != tc.outage || seen != tc.seen {
			t.Errorf("ack at %d ms, leaf %d: got %v, %v, %v, want %v, %v, %v", tc.ack, tc.index, delay, outage, seen, tc.delay, tc.outage, tc.seen)
		}
	}
}

// TestOpenTree: a checkpoint note parses into its tree, and a verifier key
// that did not sign it is refused.
func TestOpenTree(t *testing.T) {
	keys, _, err := ledger.LoadOrCreateKeyFile(t.TempDir()+"/key", "test/log")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ledger.NewSigner("test/log", keys)
	if err != nil {
		t.Fatal(err)
	}
	root := rfc6962.DefaultHasher.HashLeaf([]byte("x"))
	cp, err := s.Sign(1, root)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := ledger.ParseVerifierKeys(strings.Join(s.VerifierKeys(), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := openTree(cp.Note, vs)
	if err != nil || tree.size != 1 || string(tree.root) != string(root) || tree.origin != "test/log" {
		t.Fatalf("openTree: %+v, %v", tree, err)
	}
	other, _, err := ledger.LoadOrCreateKeyFile(t.TempDir()+"/other", "test/log")
	if err != nil {
		t.Fatal(err)
	}
	o, _ := ledger.NewSigner("test/log", other)
	ovs, _ := ledger.ParseVerifierKeys(strings.Join(o.VerifierKeys(), "\n"))
	if _, err := openTree(cp.Note, ovs); err == nil {
		t.Error("a checkpoint opened with a key that did not sign it")
	}
}
