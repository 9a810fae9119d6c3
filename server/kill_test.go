package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/store/storetest"
)

// envChild makes the test binary run the server (serve, configured from
// the environment) instead of the tests, so that a test can start a real
// server process and kill it.
const envChild = "ONSITE_TEST_CHILD_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, nil, os.Getenv, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "onsite:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a server running in a process of its own.
type child struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan struct{} // closed when the process has exited
}

// startChild runs the server as a child process with env and waits until
// it listens; the process is killed when the test ends.
func startChild(t *testing.T, env []string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), envChild+"=1"), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = c.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.kill)
	addr := make(chan string, 1)
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.logs.Write(append(sc.Bytes(), '\n'))
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
		cmd.Wait()
	}()
	select {
	case a := <-addr:
		c.url = "http://" + a
		return c
	case <-c.done:
		t.Fatalf("the server process exited before listening:\n%s", c.logs.String())
	case <-time.After(time.Minute):
		t.Fatalf("the server process did not listen within a minute:\n%s", c.logs.String())
	}
	return nil
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.done
}

// sentInput is one check-in a phone sent and what it learnt.
type sentInput struct {
	tok   string
	user  int64
	in    map[string]any
	acked string // the check-in id answered; "" while the outcome is unknown
}

// TestServerKilledMidLoad kills the server process with SIGKILL while
// cadres are checking in, and starts it again on the same database: every
// acknowledged check-in is there exactly once with the id it was answered
// with, and once each check-in whose outcome the kill left unknown has been
// resent until answered, each cadre has every check-in it sent, once.
func TestServerKilledMidLoad(t *testing.T) {
	eachBackend(t, func(t *testing.T, b storetest.Backend) {
		dir := t.TempDir()
		env := []string{"ONSITE_ADDR=127.0.0.1:0", "ONSITE_DB=" + b.Config.Driver, "ONSITE_DSN=" + b.Config.DSN,
			"ONSITE_ADMIN_PASSWORD=admin-password-1", "ONSITE_JWT_KEY_FILE=" + filepath.Join(dir, "key.pem"),
			"ONSITE_BCRYPT_COST=4", "ONSITE_METRICS_ADDR=off", "ONSITE_REQUEST_TIMEOUT=" + faultRequestTimeout.String()}
		first := startChild(t, env)
		s := &testServer{URL: first.url, AdminPW: "admin-password-1", client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
		w := setupField(t, s)
		const cadres, ackedBeforeKill = 4, 40
		var (
			mu     sync.Mutex
			sent   []*sentInput
			acked  int
			killed = make(chan struct{})
			once   sync.Once
			wg     sync.WaitGroup
			ids    []int64
		)
		var toks []string
		for i := range cadres { // every cadre before any load: the kill comes with the load
			tok, id := w.cadre(t, s, fmt.Sprintf("cadre%d", i))
			uid, _ := strconv.ParseInt(id, 10, 64)
			toks, ids = append(toks, tok), append(ids, uid)
		}
		for i, tok := range toks {
			uid := ids[i]
			wg.Go(func() {
				for n := 0; ; n++ {
					select {
					case <-killed:
						return
					default:
					}
					x := &sentInput{tok: tok, user: uid, in: fix(fmt.Sprintf("k%d-%d", i, n), near(lankaoGCJ, n%50), 20, "GCJ02", time.Now())}
					mu.Lock()
					sent = append(sent, x)
					mu.Unlock()
					code, out, err := s.attempt(tok, x.in)
					if err == nil && code != "" && code != "UNAVAILABLE" {
						t.Errorf("%s: %s", x.in["clientId"], code)
						return
					}
					if err == nil && code == "" {
						mu.Lock()
						x.acked = out.CheckIn.CheckIn.ID
						acked++
						if acked == ackedBeforeKill {
							once.Do(func() { first.kill(); close(killed) })
						}
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		once.Do(func() { first.kill(); close(killed) }) // if a phone failed before the kill
		if t.Failed() {
			return
		}

		second := startChild(t, env)
		s.URL = second.url
		unknown := 0
		for _, x := range sent {
			if x.acked == "" {
				unknown++
				s.settle(t, x.tok, x.in)
			}
		}
		st := storetest.Open(t, b, time.Now)
		for _, x := range sent {
			if x.acked == "" {
				continue
			}
			c, err := storedAs(st, x)
			if err != nil || strconv.FormatInt(c, 10) != x.acked {
				t.Errorf("%s acknowledged as check-in %s, stored as %d (%v)", x.in["clientId"], x.acked, c, err)
			}
		}
		var stored int64
		for _, id := range ids {
			n, err := st.CountCheckIns(context.Background(), authz.System("test"), id)
			if err != nil {
				t.Fatal(err)
			}
			stored += n
		}
		if stored != int64(len(sent)) {
			t.Errorf("stored %d check-ins, sent %d (each once, after resends)", stored, len(sent))
		}
		t.Logf("%d sent, %d acknowledged before the kill, %d with an unknown outcome settled after the restart", len(sent), acked, unknown)
	})
}

// storedAs returns the id of the check-in stored under x's client id.
func storedAs(st *store.Store, x *sentInput) (int64, error) {
	c, err := st.CheckInByClientID(context.Background(), authz.System("test"), x.user, x.in["clientId"].(string))
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}
