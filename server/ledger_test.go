package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/store/storetest"
)

// ledgerWorld is a server with evidence in its ledger: a cadre's check-ins
// (one counting, two at the county's edge waiting for review) and the
// supervisor's rulings on the two, all sequenced into a signed tree.
type ledgerWorld struct {
	*fieldWorld
	s         *testServer
	cadre     string   // the cadre's token
	cadreID   string   // its user id
	checkIns  []string // check-in ids, in the order sent
	reviews   []string // ruling ids: a confirmation of checkIns[1], a rejection of checkIns[2]
	inspector string   // a discipline-group token
	vkey      string   // the ledger's verifier key
}

func newLedgerWorld(t *testing.T, s *testServer) *ledgerWorld {
	t.Helper()
	w := &ledgerWorld{fieldWorld: setupField(t, s), s: s}
	w.cadre, w.cadreID = w.fieldWorld.cadre(t, s, "li")
	for i, p := range []orb.Point{lankaoGCJ, lankaoEdge, near(lankaoEdge, -1)} {
		s.clock.Advance(time.Hour + 1234567*time.Nanosecond) // times finer than any database keeps
		acc := 60.0
		if i == 0 {
			acc = 15
		}
		out := s.checkIn(t, w.cadre, fix(fmt.Sprintf("l%d", i), p, acc, "GCJ02", s.clock.Now()))
		w.checkIns = append(w.checkIns, out.CheckIn.CheckIn.ID)
	}
	for i, d := range []string{"CONFIRM", "REJECT"} {
		var rev struct{ ReviewCheckIn struct{ ID string } }
		// Only the ruling's id: reading the check-in back would add a batch of the access log to the ledger.
		s.post(t, w.sup, `mutation($id: ID!, $d: ReviewDecision!, $r: String!) { reviewCheckIn(id: $id, decision: $d, reason: $r) { id } }`,
			map[string]any{"id": w.checkIns[i+1], "d": d, "r": "seen on the county's edge"}).into(t, &rev)
		w.reviews = append(w.reviews, rev.ReviewCheckIn.ID)
	}
	s.post(t, w.admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"username": "inspector", "password": initialPassword, "role": "DISCIPLINE", "orgUnitId": "1"}}).into(t, &struct{}{})
	w.inspector = s.activate(t, "inspector", "Inspector-pass-1", "insp").Login.AccessToken
	w.vkey = s.app.ledger.Signer.VerifierKeys()[0]
	w.sync(t)
	return w
}

// sync integrates every leaf written so far, as the sequencer does within
// its interval.
func (w *ledgerWorld) sync(t *testing.T) {
	t.Helper()
	if err := w.s.app.ledger.Sync(context.Background()); err != nil {
		t.Fatalf("sequencing: %v", err)
	}
}

// checkpoint fetches GET /ledger/checkpoint and verifies it.
func (w *ledgerWorld) checkpoint(t *testing.T) (*ledger.Checkpoint, []byte) {
	t.Helper()
	raw := httpGet(t, w.s.URL+"/ledger/checkpoint")
	verifiers, err := ledger.ParseVerifierKeys(w.vkey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.OpenCheckpoint(raw, ledger.DefaultOrigin, verifiers)
	if err != nil {
		t.Fatalf("checkpoint %q: %v", raw, err)
	}
	return cp, raw
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return body
}

const entryQuery = `query($k: LedgerKind!, $id: ID!, $size: Int) { ledgerEntry(kind: $k, id: $id) {
  kind id key index leafHash canonical matches inclusionProof(treeSize: $size) { index treeSize leafHash hashes } } }`

type entryOut struct {
	LedgerEntry struct {
		Kind, ID, Key       string
		Index               *int
		LeafHash, Canonical string
		Matches             bool
		InclusionProof      struct {
			Index, TreeSize int
			LeafHash        string
			Hashes          []string
		}
	}
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unb64s(t *testing.T, ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = unb64(t, s)
	}
	return out
}

// rfcNode is RFC 6962's interior node hash.
func rfcNode(l, r []byte) []byte {
	h := sha256.Sum256(append(append([]byte{1}, l...), r...))
	return h[:]
}

// rfcInclusion verifies an inclusion proof as RFC 9162 2.1.3.2 spells it,
// independently of the merkle package.
func rfcInclusion(index, size uint64, leaf []byte, path [][]byte, root []byte) bool {
	if index >= size {
		return false
	}
	fn, sn, r := index, size-1, leaf
	for _, p := range path {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = rfcNode(p, r)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			r = rfcNode(r, p)
		}
		fn, sn = fn>>1, sn>>1
	}
	return sn == 0 && bytes.Equal(r, root)
}

// rfcConsistency verifies a consistency proof as RFC 9162 2.1.4.2 spells
// it, for 0 < size1 < size2.
func rfcConsistency(size1, size2 uint64, path [][]byte, root1, root2 []byte) bool {
	if size1 == 0 || size1 >= size2 || len(path) == 0 {
		return false
	}
	if size1&(size1-1) == 0 { // a power of two: the proof omits root1
		path = append([][]byte{root1}, path...)
	}
	fn, sn := size1-1, size2-1
	for fn&1 == 1 {
		fn, sn = fn>>1, sn>>1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			fr, sr = rfcNode(c, fr), rfcNode(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			sr = rfcNode(sr, c)
		}
		fn, sn = fn>>1, sn>>1
	}
	return sn == 0 && bytes.Equal(fr, root1) && bytes.Equal(sr, root2)
}

// TestLedgerProofs: every check-in and ruling is a leaf; its entry's
// canonical bytes hash to its leaf; inclusion and consistency proofs over
// GraphQL verify against the checkpoint served over HTTP, with the merkle
// package and with RFC 9162's algorithms written out here; a cadre sees its
// own entries only, a supervisor none.
func TestLedgerProofs(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)), withEnv("ONSITE_LEDGER_INTERVAL=1h"))
		w := newLedgerWorld(t, s)
		cp, raw := w.checkpoint(t)
		if cp.Size != 6 {
			t.Fatalf("checkpoint size %d, want 6 (the province's baseline policy, 3 check-ins, 2 rulings)", cp.Size)
		}
		var gcp struct{ LedgerCheckpoint struct{ Note string } }
		s.post(t, w.cadre, `{ ledgerCheckpoint { note } }`, nil).into(t, &gcp)
		if gcp.LedgerCheckpoint.Note != string(raw) {
			t.Errorf("GraphQL checkpoint %q, HTTP %q", gcp.LedgerCheckpoint.Note, raw)
		}
		entries := map[string]string{"CHECK_IN": w.checkIns[0], "REVIEW": w.reviews[0]}
		for kind, id := range entries {
			var e entryOut
			s.post(t, w.inspector, entryQuery, map[string]any{"k": kind, "id": id, "size": 6}).into(t, &e)
			le := e.LedgerEntry
			leaf := unb64(t, le.LeafHash)
			if h := sha256.Sum256(append([]byte{0}, unb64(t, le.Canonical)...)); !bytes.Equal(h[:], leaf) || !le.Matches || le.Index == nil {
				t.Fatalf("%s %s: canonical bytes do not hash to the leaf: %+v", kind, id, le)
			}
			p := le.InclusionProof
			path := unb64s(t, p.Hashes)
			if err := ledger.VerifyInclusion(uint64(*le.Index), 6, leaf, path, cp.Root); err != nil {
				t.Errorf("%s: merkle verifier: %v", kind, err)
			}
			if !rfcInclusion(uint64(*le.Index), 6, leaf, path, cp.Root) {
				t.Errorf("%s: RFC 9162 check refuses the inclusion proof", kind)
			}
			if rfcInclusion(uint64(*le.Index), 6, rfcNode(leaf, leaf), path, cp.Root) {
				t.Errorf("%s: RFC 9162 check accepts another leaf", kind)
			}
		}

		// Two more check-ins, after the access log's batch of the inspector's
		// read of the check-in's entry; the consistency proof joins the two heads.
		for i := range 2 {
			s.clock.Advance(time.Hour)
			s.checkIn(t, w.cadre, fix(fmt.Sprintf("m%d", i), near(lankaoGCJ, 3+i), 15, "GCJ02", s.clock.Now()))
		}
		w.sync(t)
		cp2, _ := w.checkpoint(t)
		var cons struct {
			LedgerConsistencyProof struct {
				From, To int
				Hashes   []string
			}
		}
		s.post(t, w.inspector, `{ ledgerConsistencyProof(from: 6) { from to hashes } }`, nil).into(t, &cons)
		path := unb64s(t, cons.LedgerConsistencyProof.Hashes)
		if cons.LedgerConsistencyProof.To != 9 || cp2.Size != 9 {
			t.Fatalf("consistency to %d, checkpoint %d; want 9 (one access-log batch, two check-ins)", cons.LedgerConsistencyProof.To, cp2.Size)
		}
		if err := ledger.VerifyConsistency(6, 9, path, cp.Root, cp2.Root); err != nil {
			t.Errorf("merkle verifier: %v", err)
		}
		if !rfcConsistency(6, 9, path, cp.Root, cp2.Root) || rfcConsistency(6, 9, path, cp2.Root, cp2.Root) {
			t.Error("RFC 9162 check disagrees on the consistency proof")
		}
		httpProof := strings.Fields(string(httpGet(t, s.URL+"/ledger/consistency?from=6&to=9")))
		if strings.Join(httpProof, ",") != strings.Join(cons.LedgerConsistencyProof.Hashes, ",") {
			t.Errorf("HTTP proof %v, GraphQL %v", httpProof, cons.LedgerConsistencyProof.Hashes)
		}

		// Who reads entries.
		other, _ := w.fieldWorld.cadre(t, s, "wang")
		for _, c := range []struct {
			who, tok, code string
		}{{"own cadre", w.cadre, ""}, {"another cadre", other, "NOT_FOUND"}, {"supervisor", w.sup, "FORBIDDEN"}, {"nobody", "", "UNAUTHENTICATED"}} {
			r := s.post(t, c.tok, entryQuery, map[string]any{"k": "CHECK_IN", "id": w.checkIns[0]})
			if r.Code() != c.code {
				t.Errorf("%s reads a check-in's entry: %s, want %q", c.who, r.Raw, c.code)
			}
		}
		if r := s.post(t, w.inspector, entryQuery, map[string]any{"k": "CHECK_IN", "id": w.checkIns[0], "size": 10}); r.Code() != "INVALID" {
			t.Errorf("a proof against a tree the log does not have: %s", r.Raw)
		}
	})
}

// witnessRun runs the witness subcommand and returns its output and error.
func witnessRun(t *testing.T, url, state, key string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runWith(context.Background(), []string{"witness", "-url", url, "-state", state, "-key", key},
		func(string) string { return "" }, &out, runOptions{now: time.Now})
	return out.String(), err
}

// snapshot copies a backend's database as it is now, as a backup would.
func snapshot(t *testing.T, b storetest.Backend) storetest.Backend {
	t.Helper()
	fresh := storetest.Backends(t)
	var to storetest.Backend
	for _, f := range fresh {
		if f.Name == b.Name {
			to = f
		}
	}
	src, err := sql.Open(b.Name, b.Config.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if b.Name == "sqlite" {
		os.Remove(to.Config.DSN)
		if _, err := src.Exec("VACUUM INTO ?", to.Config.DSN); err != nil {
			t.Fatal(err)
		}
		return to
	}
	rows, err := src.Query("SHOW TABLES")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var from, dst string
	src.QueryRow("SELECT DATABASE()").Scan(&from)
	target, _ := sql.Open("mysql", to.Config.DSN)
	target.QueryRow("SELECT DATABASE()").Scan(&dst)
	target.Close()
	for _, tb := range tables {
		for _, q := range []string{"CREATE TABLE %[2]s.%[3]s LIKE %[1]s.%[3]s", "INSERT INTO %[2]s.%[3]s SELECT * FROM %[1]s.%[3]s"} {
			if _, err := src.Exec(fmt.Sprintf(q, from, dst, tb)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return to
}

// TestWitness: the witness accepts a growing log, and refuses a signature
// of another key, a restored older copy of the database (rollback) and a
// tree rebuilt with a changed leaf (fork).
func TestWitness(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		keyFile := filepath.Join(t.TempDir(), "ledger-key")
		s := start(t, b, withClock(at(2026, 11, 2, 8, 0)), withEnv("ONSITE_LEDGER_INTERVAL=1h", "ONSITE_LEDGER_KEY_FILE="+keyFile))
		w := newLedgerWorld(t, s)
		state := t.TempDir()
		if out, err := witnessRun(t, s.URL, state, w.vkey); err != nil || !strings.Contains(out, "accepted checkpoint of size 6") {
			t.Fatalf("first run: %s, %v", out, err)
		}
		older := snapshot(t, b)
		s.clock.Advance(time.Hour)
		s.checkIn(t, w.cadre, fix("n0", near(lankaoGCJ, 7), 15, "GCJ02", s.clock.Now()))
		w.sync(t)
		if out, err := witnessRun(t, s.URL, state, keyFile); err != nil || !strings.Contains(out, "size 7") || !strings.Contains(out, "consistent with the held checkpoint of size 6") {
			t.Fatalf("grown log: %s, %v", out, err)
		}

		otherKeys, _ := ledger.GenerateKeySet(ledger.DefaultOrigin)
		otherKey, _ := ledger.VerifierKey(otherKeys.Signing)
		if _, err := witnessRun(t, s.URL, t.TempDir(), otherKey); err == nil || !strings.Contains(err.Error(), "not signed by a known key") {
			t.Errorf("another key's verifier: %v", err)
		}

		restored := start(t, older, withEnv("ONSITE_LEDGER_INTERVAL=1h", "ONSITE_LEDGER_KEY_FILE="+keyFile))
		if _, err := witnessRun(t, restored.URL, state, w.vkey); err == nil || !strings.Contains(err.Error(), "rollback") {
			t.Errorf("an older copy of the database: %v, want a rollback", err)
		}

		// The operator rebuilds the tree with a changed leaf, signing it with
		// the log's own key: the same size, another root.
		db, err := sql.Open(b.Name, b.Config.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range []string{"DELETE FROM ledger_nodes", "DELETE FROM ledger_checkpoints", "UPDATE ledger_leaves SET seq = NULL",
			"UPDATE ledger_state SET tree_size = 0, root_hash = ''", "UPDATE ledger_leaves SET leaf_hash = ? WHERE id = (SELECT MIN(id) FROM (SELECT id FROM ledger_leaves) l)"} {
			args := []any{}
			if strings.Contains(q, "?") {
				args = append(args, rfcNode(nil, nil))
			}
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		w.sync(t)
		if cp, _ := w.checkpoint(t); cp.Size != 7 {
			t.Fatalf("rebuilt tree has size %d, want 7", cp.Size)
		}
		if _, err := witnessRun(t, s.URL, state, w.vkey); err == nil || !strings.Contains(err.Error(), "fork") {
			t.Errorf("a rebuilt tree: %v, want a fork", err)
		}
		if evidence, _ := filepath.Glob(filepath.Join(state, "conflict-*")); len(evidence) != 2 {
			t.Errorf("evidence kept: %v, want the rolled-back and the forked checkpoints", evidence)
		}
	})
}

// TestLedgerKeyCommand: ledger-key creates the key file (0600) and prints
// its verifier key; -rotate puts a new key first and keeps the old one,
// and the server then logs the new one at start.
func TestLedgerKeyCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ONSITE_JWT_KEY_FILE": filepath.Join(dir, "jwt.pem")}
	run := func(args ...string) []string {
		t.Helper()
		var out bytes.Buffer
		if err := runWith(context.Background(), append([]string{"ledger-key"}, args...), func(k string) string { return env[k] }, &out, runOptions{now: time.Now}); err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(out.String()), "\n")[1:]
	}
	first := run()
	if len(first) != 1 || !strings.HasPrefix(first[0], ledger.DefaultOrigin+"+") {
		t.Fatalf("verifier keys %v", first)
	}
	if st, err := os.Stat(filepath.Join(dir, "onsite-ledger-key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file beside the JWT key: %v, %v", st, err)
	}
	rotated := run("-rotate")
	if len(rotated) != 2 || rotated[1] != first[0] || rotated[0] == first[0] {
		t.Fatalf("after rotation %v, want a new key then %s", rotated, first[0])
	}
	s := start(t, freshBackend(t, "sqlite"), withEnv("ONSITE_JWT_KEY_FILE="+env["ONSITE_JWT_KEY_FILE"]))
	if !strings.Contains(s.logs.String(), `"verifier_key":"`+rotated[0]+`"`) {
		t.Errorf("the server does not log the current verifier key:\n%s", s.logs.String())
	}
}
