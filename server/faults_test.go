package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/internal/faultproxy"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// The fault tests run the server with a short request timeout; a request
// must be answered by then, give or take answerSlack for a busy machine.
const (
	faultRequestTimeout = time.Second
	answerSlack         = 5 * time.Second
)

// mysqlThroughProxy returns the MariaDB backend with its DSN pointed at a
// fault proxy in front of the server, or skips the test without MariaDB.
func mysqlThroughProxy(t *testing.T) (storetest.Backend, *faultproxy.Proxy) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		if b.Name != store.DriverMySQL {
			continue
		}
		mc, err := mysql.ParseDSN(b.Config.DSN)
		if err != nil {
			t.Fatal(err)
		}
		p := faultproxy.Start(t, mc.Addr)
		mc.Addr = p.Addr()
		b.Config.DSN = mc.FormatDSN()
		return b, p
	}
	t.Skip("needs " + storetest.EnvMySQLDSN)
	return storetest.Backend{}, nil
}

// faultServer starts a server on b with the fault tests' request timeout,
// a field world and n cadres; it returns their tokens and ids.
func faultServer(t *testing.T, b storetest.Backend, n int) (*testServer, []string, []int64) {
	t.Helper()
	s := start(t, b, withClock(at(2026, 11, 2, 9, 0)), withEnv("ONSITE_REQUEST_TIMEOUT="+faultRequestTimeout.String()))
	w := setupField(t, s)
	var toks []string
	var ids []int64
	for i := range n {
		tok, id := w.cadre(t, s, fmt.Sprintf("cadre%d", i))
		uid, _ := strconv.ParseInt(id, 10, 64)
		toks, ids = append(toks, tok), append(ids, uid)
	}
	return s, toks, ids
}

// attempt posts one check-in and waits at most the request timeout plus
// answerSlack for the answer. It returns the answer's error code ("" for
// success) and, when it succeeded, the result; a transport failure or no
// answer in time is an error.
func (s *testServer) attempt(tok string, in map[string]any) (string, checkInOut, error) {
	var out checkInOut
	body, _ := json.Marshal(map[string]any{"query": checkInMutation, "variables": map[string]any{"in": in}})
	ctx, cancel := context.WithTimeout(context.Background(), faultRequestTimeout+answerSlack)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.client.Do(req)
	if err != nil {
		return "", out, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", out, err
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", out, fmt.Errorf("not a GraphQL answer (%d): %.200s", resp.StatusCode, raw)
	}
	if code := r.Code(); code != "" {
		return code, out, nil
	}
	return "", out, json.Unmarshal(r.Data, &out)
}

// settle resends in until it is answered with a check-in, allowing a few
// UNAVAILABLE answers while the server recovers, and returns that answer.
func (s *testServer) settle(t *testing.T, tok string, in map[string]any) checkInOut {
	t.Helper()
	for try := 0; ; try++ {
		code, out, err := s.attempt(tok, in)
		switch {
		case err == nil && code == "":
			return out
		case try == 20 || (err == nil && code != "UNAVAILABLE"):
			t.Fatalf("%s after the fault, attempt %d: code %q, err %v", in["clientId"], try, code, err)
		}
	}
}

// burst sends one check-in per token at once and returns every answer's
// code, failing the test for any request not answered UNAVAILABLE in time.
func (s *testServer) burstUnavailable(t *testing.T, toks []string, ins []map[string]any) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]string, len(ins))
	for i, in := range ins {
		wg.Go(func() {
			code, _, err := s.attempt(toks[i%len(toks)], in)
			if err != nil || code != "UNAVAILABLE" {
				errs[i] = fmt.Sprintf("%s: code %q, err %v; want UNAVAILABLE within %v", in["clientId"], code, err, faultRequestTimeout+answerSlack)
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

// countCheckIns is how many check-ins user has stored.
func countCheckIns(t *testing.T, s *testServer, user int64) int64 {
	t.Helper()
	n, err := s.app.store.CountCheckIns(context.Background(), authz.System("test"), user)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// stalledInputs is two check-ins per cadre, under client ids named for
// the test.
func stalledInputs(prefix string, cadres int) []map[string]any {
	var ins []map[string]any
	for i := range 2 * cadres {
		ins = append(ins, fix(fmt.Sprintf("%s-%d", prefix, i), near(lankaoGCJ, i), 20, "GCJ02", at(2026, 11, 2, 8, 30).Add(time.Duration(i)*time.Minute)))
	}
	return ins
}

// settleAll resends every input after a fault and checks that none was
// stored while it was answered UNAVAILABLE (each is new to the server)
// and that each cadre then has its two, once.
func settleAll(t *testing.T, s *testServer, toks []string, ids []int64, ins []map[string]any) {
	t.Helper()
	for i, in := range ins {
		if out := s.settle(t, toks[i%len(toks)], in); out.CheckIn.Replayed {
			t.Errorf("%s was stored after it was answered UNAVAILABLE (its resend was replayed)", in["clientId"])
		}
	}
	for i, id := range ids {
		if n := countCheckIns(t, s, id); n != 2 {
			t.Errorf("cadre %d has %d check-ins, want 2", i, n)
		}
	}
}

// TestMariaDBStallAnsweredInTime stalls every connection to MariaDB for
// longer than the request timeout while cadres check in: every request is
// answered UNAVAILABLE in time (none is held for the database), none of
// them is stored after its answer, and once the stall ends the server
// serves again without a restart and each resend is stored once.
func TestMariaDBStallAnsweredInTime(t *testing.T) {
	b, proxy := mysqlThroughProxy(t)
	s, toks, ids := faultServer(t, b, 3)
	ins := stalledInputs("stall", len(toks))
	proxy.Stall()
	s.burstUnavailable(t, toks, ins)
	proxy.Resume()
	settleAll(t, s, toks, ids, ins)
}

// TestSQLiteLockAnsweredInTime holds SQLite's write lock from another
// connection for longer than the request timeout while cadres check in:
// every check-in is answered UNAVAILABLE in time, reads and /readyz go on
// meanwhile, and once the lock is released the server serves again and
// each resend is stored once.
func TestSQLiteLockAnsweredInTime(t *testing.T) {
	b := storetest.Backends(t)[0]
	s, toks, ids := faultServer(t, b, 3)
	other, err := sql.Open("sqlite", b.Config.DSN+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { lock.ExecContext(context.Background(), "ROLLBACK") }) }
	defer release()

	ins := stalledInputs("locked", len(toks))
	done := make(chan struct{})
	go func() { defer close(done); s.burstUnavailable(t, toks, ins) }()
	reads := 0
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
			continue
		default:
		}
		if code, body := s.get(t, "/readyz"); code != http.StatusOK {
			t.Fatalf("/readyz while a write waits for the lock: %d %s", code, strings.TrimSpace(body))
		}
		if r := s.post(t, toks[0], `{ me { username } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("a read while a write waits for the lock: %s", r.Raw)
		}
		reads++
	}
	if reads == 0 {
		t.Error("no read was tried while the check-ins waited")
	}
	release()
	settleAll(t, s, toks, ids, ins)
}

// TestMariaDBCommitReset resets the server's connection at the moment it
// sends a check-in batch's COMMIT: either after MariaDB has it (the commit
// happens and its answer is lost) or before. A check-in is either stored,
// and then answered as that row on every send (replayed: true from the
// first answer on, when the server's own retry found it), or absent, and
// then stored once when resent. The MySQL driver's complaints about the
// broken connections are lines of the JSON log.
func TestMariaDBCommitReset(t *testing.T) {
	for _, c := range []struct {
		name   string
		act    faultproxy.Action
		stored bool // whether the commit took place
	}{
		{"answer lost", faultproxy.LoseReply, true},
		{"commit never arrived", faultproxy.ResetBefore, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, proxy := mysqlThroughProxy(t)
			s, toks, ids := faultServer(t, b, 1)
			in := fix("reset-1", near(lankaoGCJ, 1), 20, "GCJ02", at(2026, 11, 2, 8, 30))
			proxy.Arm("\nCOMMIT", c.act) // the last line of a group-commit batch's final round
			code, first, err := s.attempt(toks[0], in)
			fired := proxy.Disarm()
			if err != nil {
				t.Fatalf("no answer during the fault: %v", err)
			}
			if fired == 0 {
				t.Fatal("no COMMIT was reset: the test exercised nothing")
			}
			if code != "" && code != "UNAVAILABLE" {
				t.Fatalf("answer during the fault: %s, want a check-in or UNAVAILABLE", code)
			}
			if code == "" && (!c.stored || !first.CheckIn.Replayed) {
				t.Errorf("acknowledged during the fault with replayed %v; want only the replay of a commit that took place", first.CheckIn.Replayed)
			}
			again := s.settle(t, toks[0], in)
			if again.CheckIn.Replayed != c.stored {
				t.Errorf("the resend: replayed %v, want %v", again.CheckIn.Replayed, c.stored)
			}
			if code == "" && again.CheckIn.CheckIn.ID != first.CheckIn.CheckIn.ID {
				t.Errorf("the resend is check-in %s, the first answer %s", again.CheckIn.CheckIn.ID, first.CheckIn.CheckIn.ID)
			}
			if n := countCheckIns(t, s, ids[0]); n != 1 {
				t.Errorf("stored %d times, want once", n)
			}
			logs := s.logs.String()
			if c.stored && !strings.Contains(logs, `"msg":"mysql driver"`) {
				t.Errorf("the reset connection left no driver line in the log")
			}
			for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
				if !strings.HasPrefix(line, "{") {
					t.Errorf("a log line that is not JSON: %s", line)
				}
			}
		})
	}
}
