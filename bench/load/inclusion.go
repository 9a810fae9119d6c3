package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
)

// The ledger sample (-ledger-sample): while the load runs, the tool polls
// the server's signed checkpoint; afterwards it picks acknowledged
// check-ins at random, waits until a checkpoint covers them, and checks
// each one's inclusion proof against that checkpoint's root with the merkle
// library's verifier. The delay of each from its acknowledgement to the
// first checkpoint seen covering it is held against the server's bound
// (docs/ledger.md, "The bound").

// pollEvery is how often the checkpoint is read during the load: the
// resolution of the measured delays.
const pollEvery = 100 * time.Millisecond

// ledgerWaitExtra is how long, beyond the bound and margin, the tool waits
// after the load for a checkpoint covering every sample, so that a slow
// inclusion is measured and reported rather than cut off.
const ledgerWaitExtra = 30 * time.Second

// GraphQL documents of the ledger sample; they need a token that reads
// every record's leaf (the discipline group's or an admin's).
const (
	ledgerIndexDoc = `query($id: ID!) { ledgerEntry(kind: CHECK_IN, id: $id) { index } }`
	ledgerProofDoc = `query($id: ID!, $size: Int) { ledgerEntry(kind: CHECK_IN, id: $id) {
  index leafHash canonical matches inclusionProof(treeSize: $size) { index treeSize leafHash hashes } } }`
)

// observation is one read of the checkpoint.
type observation struct {
	at   time.Time // when its answer was read
	size uint64    // the tree size it covered; 0 before the first checkpoint
	err  error     // not read: the server or its database did not answer
}

// poller reads the checkpoint every pollEvery until stopped.
type poller struct {
	url    string
	hc     *http.Client
	mu     sync.Mutex
	obs    []observation
	stopFn context.CancelFunc
	done   chan struct{}
}

// checkpointURL returns the checkpoint's address beside the GraphQL
// endpoint gqlURL.
func checkpointURL(gqlURL string) (string, error) {
	u, err := url.Parse(gqlURL)
	if err != nil {
		return "", err
	}
	u.Path, u.RawQuery = "/ledger/checkpoint", ""
	return u.String(), nil
}

// startPoller starts reading the checkpoint at cpURL.
func startPoller(ctx context.Context, cpURL string, hc *http.Client) *poller {
	ctx, cancel := context.WithCancel(ctx)
	p := &poller{url: cpURL, hc: hc, stopFn: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(pollEvery)
		defer t.Stop()
		for {
			_, size, err := fetchCheckpoint(ctx, p.hc, p.url)
			if ctx.Err() != nil {
				return
			}
			p.mu.Lock()
			p.obs = append(p.obs, observation{at: time.Now(), size: size, err: err})
			p.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// history returns the observations so far, oldest first.
func (p *poller) history() []observation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]observation(nil), p.obs...)
}

// latest returns the size of the newest successful observation.
func (p *poller) latest() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.obs) - 1; i >= 0; i-- {
		if p.obs[i].err == nil {
			return p.obs[i].size
		}
	}
	return 0
}

// stop ends the polling and waits for it.
func (p *poller) stop() {
	p.stopFn()
	<-p.done
}

// fetchCheckpoint reads the signed checkpoint at cpURL and its tree size;
// a server without a checkpoint yet (404) has size 0 and no note. It fails
// on any other status or a body that is not a checkpoint.
func fetchCheckpoint(ctx context.Context, hc *http.Client, cpURL string) ([]byte, uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cpURL, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case err != nil:
		return nil, 0, err
	case resp.StatusCode == http.StatusNotFound:
		return nil, 0, nil
	case resp.StatusCode != http.StatusOK:
		return nil, 0, fmt.Errorf("GET %s: HTTP %d", cpURL, resp.StatusCode)
	}
	var cp log.Checkpoint
	if _, err := cp.Unmarshal(body); err != nil {
		return nil, 0, fmt.Errorf("GET %s: not a checkpoint: %w", cpURL, err)
	}
	return body, cp.Size, nil
}

// signedTree is a checkpoint's tree: its size and root hash.
type signedTree struct {
	origin string
	size   uint64
	root   []byte
}

// openTree reads a checkpoint note; with verifiers it also checks that one
// of them signed it, and fails when none did.
func openTree(signed []byte, verifiers []note.Verifier) (signedTree, error) {
	var cp log.Checkpoint
	if _, err := cp.Unmarshal(signed); err != nil {
		return signedTree{}, fmt.Errorf("not a checkpoint: %w", err)
	}
	if len(verifiers) > 0 {
		if _, err := ledger.OpenCheckpoint(signed, cp.Origin, verifiers); err != nil {
			return signedTree{}, err
		}
	}
	return signedTree{origin: cp.Origin, size: cp.Size, root: cp.Hash}, nil
}

// entryAnswer is the part of a LedgerEntry the tool reads.
type entryAnswer struct {
	Index          *uint64
	LeafHash       string
	Canonical      string
	Matches        bool
	InclusionProof *struct {
		Index, TreeSize uint64
		LeafHash        string
		Hashes          []string
	}
}

// checkProof checks that e is the leaf of the acknowledged check-in of
// cadre userID under clientID, and that its inclusion proof leads from that
// leaf to the root of tree t, with the merkle library's RFC 6962 verifier.
// The leaf hash is recomputed from the record's canonical bytes, not taken
// from the server. It returns nil when all of that holds and otherwise an
// error saying what does not.
func checkProof(e *entryAnswer, t signedTree, userID int64, clientID string) error {
	canonical, err := base64.StdEncoding.DecodeString(e.Canonical)
	if err != nil {
		return fmt.Errorf("canonical bytes are not base64: %w", err)
	}
	f, values, err := ledger.Decode(canonical)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for _, v := range values {
		fields[v.Name] = v.Value
	}
	if f.Kind != models.LeafCheckIn || fields["user_id"] != strconv.FormatInt(userID, 10) || fields["client_id"] != strconv.Quote(clientID) {
		return fmt.Errorf("the leaf is %s user %s client %s, not the check-in acknowledged", f.Kind, fields["user_id"], fields["client_id"])
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(canonical)
	if stored, err := base64.StdEncoding.DecodeString(e.LeafHash); err != nil || !bytes.Equal(stored, leaf) || !e.Matches {
		return errors.New("the record no longer hashes to its leaf")
	}
	p := e.InclusionProof
	switch {
	case p == nil:
		return errors.New("no inclusion proof")
	case p.TreeSize != t.size:
		return fmt.Errorf("a proof for a tree of %d leaves, want %d", p.TreeSize, t.size)
	case e.Index == nil || p.Index != *e.Index:
		return fmt.Errorf("the proof is for leaf %d, the entry's index is %v", p.Index, e.Index)
	}
	hashes := make([][]byte, len(p.Hashes))
	for i, h := range p.Hashes {
		if hashes[i], err = base64.StdEncoding.DecodeString(h); err != nil {
			return fmt.Errorf("proof hash %d is not base64: %w", i, err)
		}
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.Index, t.size, leaf, hashes, t.root); err != nil {
		return fmt.Errorf("leaf %d is not in the tree of %d leaves: %w", p.Index, t.size, err)
	}
	return nil
}

// inclusionDelay returns how long after ackAt a checkpoint covering leaf
// index was first seen in obs (0 when one was seen before), whether a read
// of the checkpoint failed in between (the server or its database was down,
// so the bound did not apply), and whether any observation covers it.
func inclusionDelay(obs []observation, ackAt time.Time, index uint64) (delay time.Duration, outage, seen bool) {
	for _, o := range obs {
		if o.err != nil {
			if !o.at.Before(ackAt) {
				outage = true
			}
			continue
		}
		if o.size > index {
			return max(0, o.at.Sub(ackAt)), outage, true
		}
	}
	return 0, outage, false
}

// sample is one acknowledged check-in whose inclusion is checked.
type sample struct {
	user  int64
	s     *sent
	index *uint64
}

// pickSamples returns up to n acknowledged check-ins chosen at random
// (reproducibly from seed) among every phone's.
func pickSamples(phones []*phone, n int, seed int64) []*sample {
	var all []*sample
	for _, p := range phones {
		for _, s := range p.rec.order {
			if s.outcome == outcomeAcked {
				all = append(all, &sample{user: p.userID, s: s})
			}
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x1ed9e7))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))]
}

// inclusion is what the ledger sample found.
type inclusion struct {
	sampled, verified int
	maxDelay          time.Duration // of the samples judged against the bound
	outages           int           // samples whose wait spanned a failed read of the checkpoint
	outageMax         time.Duration
	failedPolls       int
	polls             int
	tree              signedTree
	signed            bool // the checkpoint's signature was checked
	limit             time.Duration
	problems          []string
}

func (r *inclusion) ok() bool { return len(r.problems) == 0 }

func (r *inclusion) problem(format string, args ...any) {
	if len(r.problems) < maxProblems {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	} else if len(r.problems) == maxProblems {
		r.problems = append(r.problems, "… more")
	}
}

// checkInclusion runs the ledger sample once the load and the settling of
// unknown outcomes are done, then stops the poller. It fails (an error, not
// a finding) only when it cannot sign in or the verifier keys do not parse.
func checkInclusion(ctx context.Context, cfg *config, cl *client, pl *poller, phones []*phone) (*inclusion, error) {
	defer pl.stop()
	var verifiers []note.Verifier
	if cfg.ledgerKey != "" {
		var err error
		if verifiers, err = ledger.ParseVerifierKeys(cfg.ledgerKey); err != nil {
			return nil, fmt.Errorf("-ledger-key: %w", err)
		}
	}
	var admin struct{ Login struct{ AccessToken string } }
	r := retrying(ctx, func() *response {
		return cl.do(ctx, "", loginDoc, map[string]any{"u": cfg.adminUser, "p": cfg.adminPassword, "d": "load-admin-" + cfg.runID})
	})
	if err := r.decode(&admin); err != nil {
		return nil, fmt.Errorf("admin login for the ledger sample: %w", err)
	}
	tok := admin.Login.AccessToken
	res := &inclusion{limit: cfg.ledgerBound + cfg.ledgerMargin, signed: len(verifiers) > 0}
	samples := pickSamples(phones, cfg.ledgerSample, cfg.seed)
	res.sampled = len(samples)

	// Wait until every sample has an index and a checkpoint covers it.
	deadline := time.Now().Add(res.limit + ledgerWaitExtra)
	for {
		var top uint64
		waiting := 0
		for _, sm := range samples {
			if sm.index == nil {
				var out struct{ LedgerEntry entryAnswer }
				r := cl.do(ctx, tok, ledgerIndexDoc, map[string]any{"id": id(sm.s.ack.CheckInID)})
				if err := r.decode(&out); err != nil && r.Code() != codeUnavailable && r.Code() != codeTransport {
					return nil, fmt.Errorf("ledgerEntry of check-in %d: %w", sm.s.ack.CheckInID, err)
				}
				sm.index = out.LedgerEntry.Index
			}
			if sm.index == nil {
				waiting++
			} else {
				top = max(top, *sm.index+1)
			}
		}
		if waiting == 0 && pl.latest() >= top {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(pollEvery)
	}
	history := pl.history()
	signed, _, err := fetchCheckpoint(ctx, cl.http, pl.url)
	if err == nil && signed == nil {
		err = errors.New("the server has no checkpoint")
	}
	if err == nil {
		res.tree, err = openTree(signed, verifiers)
	}
	if err != nil {
		res.problem("checkpoint: %v", err)
		return res, nil
	}
	for _, o := range history {
		res.polls++
		if o.err != nil {
			res.failedPolls++
		}
	}
	for _, sm := range samples {
		what := fmt.Sprintf("check-in %d (%s)", sm.s.ack.CheckInID, sm.s.clientID)
		if sm.index == nil || *sm.index >= res.tree.size {
			res.problem("%s: in no signed checkpoint %v after the load", what, res.limit+ledgerWaitExtra)
			continue
		}
		delay, outage, seen := inclusionDelay(history, sm.s.ack.At, *sm.index)
		switch {
		case !seen:
			res.problem("%s: no checkpoint read covered leaf %d", what, *sm.index)
		case outage:
			res.outages++
			res.outageMax = max(res.outageMax, delay)
		case delay > res.limit:
			res.problem("%s: in a signed checkpoint %v after its acknowledgement, over %v", what, delay.Round(time.Millisecond), res.limit)
			res.maxDelay = max(res.maxDelay, delay)
		default:
			res.maxDelay = max(res.maxDelay, delay)
		}
		var out struct{ LedgerEntry entryAnswer }
		r := retrying(ctx, func() *response {
			return cl.do(ctx, tok, ledgerProofDoc, map[string]any{"id": id(sm.s.ack.CheckInID), "size": res.tree.size})
		})
		if err := r.decode(&out); err != nil {
			res.problem("%s: %v", what, err)
			continue
		}
		if err := checkProof(&out.LedgerEntry, res.tree, sm.user, sm.s.clientID); err != nil {
			res.problem("%s: %v", what, err)
			continue
		}
		res.verified++
	}
	return res, nil
}

// print writes the ledger sample's result.
func (r *inclusion) print(w io.Writer) {
	fmt.Fprintf(w, "\n== ledger inclusion ==\n")
	fmt.Fprintf(w, "inclusion: %d sampled, %d verified, max delay %s\n", r.sampled, r.verified, ms(r.maxDelay))
	sig := "its signature not checked (no -ledger-key)"
	if r.signed {
		sig = "its signature checked"
	}
	fmt.Fprintf(w, "  against the checkpoint of %d leaves, %s; delays from acknowledgement to the first checkpoint read covering the leaf (read every %v; %d of %d reads failed), limit %v\n",
		r.tree.size, sig, pollEvery, r.failedPolls, r.polls, r.limit)
	if r.outages > 0 {
		fmt.Fprintf(w, "  %d samples waited across a failed read of the checkpoint (the server or its database down), not held to the limit: longest %s\n",
			r.outages, ms(r.outageMax))
	}
	for _, p := range r.problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	if r.ok() {
		fmt.Fprintln(w, "inclusion PASSED")
	} else {
		fmt.Fprintln(w, "inclusion FAILED")
	}
}
