package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/henan-youth/onsite/ledger"
)

// witness is the witness subcommand, run by the inspectors on their own
// machine: it fetches the server's checkpoint, verifies its signature,
// checks that it extends the last checkpoint it accepted (a consistency
// proof from the server), and keeps it. It fails (exit status 1) on a bad
// signature, a rollback or a fork, keeping the offending checkpoint in
// the state directory as evidence; and on a network error, which proves
// nothing.
//
// The state directory holds checkpoint (the latest accepted) and
// checkpoints/SIZE (every one accepted), which verify-ledger takes.
func witness(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now func() time.Time) error {
	fs := newFlagSet("witness", stdout)
	base := fs.String("url", "", "the server's base URL, e.g. https://onsite.example.org")
	state := fs.String("state", "", "the witness's state directory")
	var keys listFlag
	fs.Var(&keys, "key", "the log's verifier key, or a file of verifier keys (repeatable)")
	origin := fs.String("origin", ledger.DefaultOrigin, "the log's origin")
	if v := getenv("ONSITE_LEDGER_ORIGIN"); v != "" {
		*origin = v
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *base == "" || *state == "" || len(keys) == 0 {
		return errors.New("usage: server witness -url URL -state DIR -key VKEY|FILE [-origin ORIGIN]")
	}
	verifiers, err := loadVerifiers(keys)
	if err != nil {
		return err
	}
	c := &logClient{base: strings.TrimSuffix(*base, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	raw, err := c.get(ctx, "/ledger/checkpoint")
	if err != nil {
		return err
	}
	fetched, err := ledger.OpenCheckpoint(raw, *origin, verifiers)
	if err != nil {
		keepEvidence(*state, "bad-signature", raw, now)
		return fmt.Errorf("witness: %w", err)
	}
	held, err := heldCheckpoint(*state, *origin, verifiers)
	if err != nil {
		return err
	}
	proof := func(size1, size2 uint64) ([][]byte, error) { return c.consistency(ctx, size1, size2) }
	if err := ledger.Advance(held, fetched, proof); err != nil {
		if errors.Is(err, ledger.ErrRollback) || errors.Is(err, ledger.ErrFork) {
			keepEvidence(*state, fmt.Sprintf("conflict-%d", fetched.Size), raw, now)
		}
		return fmt.Errorf("witness: %w", err)
	}
	if err := keep(*state, fetched); err != nil {
		return err
	}
	from := "no checkpoint held before"
	if held != nil {
		from = fmt.Sprintf("consistent with the held checkpoint of size %d", held.Size)
	}
	fmt.Fprintf(stdout, "accepted checkpoint of size %d, root %s: %s\n", fetched.Size, base64.StdEncoding.EncodeToString(fetched.Root), from)
	return nil
}

// heldCheckpoint reads the last checkpoint the witness accepted; nil when
// it holds none yet.
func heldCheckpoint(dir, origin string, verifiers []note.Verifier) (*ledger.Checkpoint, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cp, err := ledger.OpenCheckpoint(raw, origin, verifiers)
	if err != nil {
		return nil, fmt.Errorf("the held checkpoint %s: %w", filepath.Join(dir, "checkpoint"), err)
	}
	return cp, nil
}

// keep stores an accepted checkpoint as the latest and in the history,
// each written whole (a temporary file renamed), so a crash never leaves
// half a checkpoint.
func keep(dir string, cp *ledger.Checkpoint) error {
	if err := os.MkdirAll(filepath.Join(dir, "checkpoints"), 0o755); err != nil {
		return err
	}
	for _, name := range []string{filepath.Join("checkpoints", fmt.Sprintf("%020d", cp.Size)), "checkpoint"} {
		if err := writeWhole(filepath.Join(dir, name), cp.Note); err != nil {
			return err
		}
	}
	return nil
}

func writeWhole(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// keepEvidence saves a refused checkpoint beside the state, best effort:
// with the held one it shows what the log's operator signed.
func keepEvidence(dir, what string, raw []byte, now func() time.Time) {
	if os.MkdirAll(dir, 0o755) == nil {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.checkpoint", what, now().Unix())), raw, 0o644)
	}
}

// logClient fetches from a server's public ledger endpoints.
type logClient struct {
	base string
	http *http.Client
}

func (c *logClient) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("witness: reading %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("witness: GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// consistency fetches the consistency proof between two tree sizes.
func (c *logClient) consistency(ctx context.Context, size1, size2 uint64) ([][]byte, error) {
	q := url.Values{"from": {fmt.Sprint(size1)}, "to": {fmt.Sprint(size2)}}
	body, err := c.get(ctx, "/ledger/consistency?"+q.Encode())
	if err != nil {
		return nil, err
	}
	var out [][]byte
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		h, err := base64.StdEncoding.DecodeString(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("witness: consistency proof: %w", err)
		}
		out = append(out, h)
	}
	return out, nil
}
