package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // driver "mysql"
)

// proc is a child process and a channel closed when it has exited.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	code   int
}

// spawn starts cmd and watches for its exit.
func spawn(cmd *exec.Cmd) (*proc, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	return p, nil
}

// stop sends sig and waits for the exit, killing the process after a
// minute; it does nothing to a process that has exited.
func (p *proc) stop(sig syscall.Signal) {
	if p == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// build compiles the server and the load tool of this checkout into
// dir/bin.
func build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "bin")
	for _, pkg := range []string{"server", "load"} {
		src := "./server"
		if pkg == "load" {
			src = "./bench/load"
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, pkg), src)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s (run the soak from the repository root): %v\n%s", src, err, out)
		}
	}
	return bin, nil
}

// mariadb is the soak's own MariaDB: its data directory, port and socket.
type mariadb struct {
	bin, installDB, dir string
	port                int
	p                   *proc
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "mysql"
}

// init creates a fresh data directory with a root account without a
// password (reachable on the loopback port only).
func (m *mariadb) init(ctx context.Context) error {
	data := filepath.Join(m.dir, "data")
	if _, err := os.Stat(data); err == nil {
		return fmt.Errorf("%s exists: give a fresh -dir", data)
	}
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, m.installDB, "--no-defaults", "--datadir="+data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--user="+currentUser())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", m.installDB, err, out)
	}
	return nil
}

// start runs mariadbd and waits until it answers.
func (m *mariadb) start(ctx context.Context) error {
	cmd := exec.Command(m.bin, "--no-defaults", "--datadir="+filepath.Join(m.dir, "data"),
		fmt.Sprintf("--port=%d", m.port), "--bind-address=127.0.0.1", "--socket="+filepath.Join(m.dir, "mysqld.sock"),
		"--pid-file="+filepath.Join(m.dir, "mysqld.pid"), "--log-error="+filepath.Join(m.dir, "error.log"),
		"--user="+currentUser(), "--skip-name-resolve", "--max-connections=1000", "--innodb-flush-log-at-trx-commit=1")
	p, err := spawn(cmd)
	if err != nil {
		return err
	}
	m.p = p
	db, err := sql.Open("mysql", m.dsn(""))
	if err != nil {
		return err
	}
	defer db.Close()
	for deadline := time.Now().Add(2 * time.Minute); ; {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := db.PingContext(pctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("mariadbd exited (%d); see %s", p.code, filepath.Join(m.dir, "error.log"))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd on port %d did not answer: %v", m.port, err)
		}
	}
}

// stop stops mariadbd with sig (SIGTERM: a clean shutdown; SIGKILL: a
// crash) and waits for it.
func (m *mariadb) stop(sig syscall.Signal) {
	m.p.stop(sig)
	m.p = nil
}

// restart stops and starts mariadbd and returns how long it did not answer.
func (m *mariadb) restart(ctx context.Context, sig syscall.Signal) (time.Duration, error) {
	t0 := time.Now()
	m.stop(sig)
	err := m.start(ctx)
	return time.Since(t0), err
}

func (m *mariadb) createDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("mysql", m.dsn(""))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	return err
}

// dsn is the go-sql-driver DSN of database name on the private server.
func (m *mariadb) dsn(name string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?parseTime=true", m.port, name)
}

// server is the onsite server under test.
type server struct {
	p   *proc
	url string
}

// adminPassword is the soak server's first admin's.
const adminPassword = "soak-admin-password-1"

// startServer runs the server on dsn with its log in dir/server.log and
// waits until /readyz answers.
func startServer(ctx context.Context, bin string, cfg *config, dsn string) (*server, error) {
	log, err := os.Create(filepath.Join(cfg.dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(bin, "server"))
	cmd.Env = append(os.Environ(), "ONSITE_DB=mysql", "ONSITE_DSN="+dsn, "ONSITE_ADDR="+cfg.addr, "ONSITE_METRICS_ADDR="+cfg.metricsAddr,
		"ONSITE_ADMIN_PASSWORD="+adminPassword, "ONSITE_JWT_KEY_FILE="+filepath.Join(cfg.dir, "jwt-key.pem"))
	cmd.Stdout, cmd.Stderr = log, log
	p, err := spawn(cmd)
	if err != nil {
		return nil, err
	}
	s := &server{p: p, url: "http://" + cfg.addr}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if resp, err := http.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("the server exited (%d); see %s", p.code, log.Name())
		case <-ctx.Done():
			p.stop(syscall.SIGTERM)
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop(syscall.SIGTERM)
			return nil, fmt.Errorf("the server did not become ready; see %s", log.Name())
		}
	}
}

// stop shuts the server down gracefully.
func (s *server) stop() { s.p.stop(syscall.SIGTERM) }

// loadRun is the load tool running.
type loadRun struct {
	p       *proc
	outPath string
	started time.Time // when its load phase began
}

// startLoad runs the load tool, its output in dir/load.out, and returns
// once its load phase has begun (after its setup).
func startLoad(ctx context.Context, bin string, cfg *config, dsn string) (*loadRun, error) {
	outPath := filepath.Join(cfg.dir, "load.out")
	out, err := os.Create(outPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(bin, "load"), "-url", "http://"+cfg.addr+"/graphql", "-admin-password", adminPassword,
		"-phones", fmt.Sprint(cfg.phones), "-rate", fmt.Sprint(cfg.rate), "-duration", cfg.duration.String(),
		"-windows", cfg.window.String(), "-settle-timeout", "5m", "-db", "mysql", "-dsn", dsn)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = out
	p, err := spawn(cmd)
	if err != nil {
		return nil, err
	}
	l := &loadRun{p: p, outPath: outPath}
	began := make(chan time.Time, 1)
	go copyWatching(pipe, out, "load: ", began)
	select {
	case l.started = <-began:
		return l, nil
	case <-p.exited:
		return nil, fmt.Errorf("the load tool exited (%d) before its load phase; see %s", p.code, outPath)
	case <-ctx.Done():
		p.stop(syscall.SIGTERM)
		return nil, ctx.Err()
	}
}

// wait returns the load tool's exit code once it has exited.
func (l *loadRun) wait() int {
	<-l.p.exited
	return l.p.code
}

// copyWatching copies r to w line by line, sending the time on seen when
// a line begins with prefix (once), and closes w at the end.
func copyWatching(r io.Reader, w io.WriteCloser, prefix string, seen chan<- time.Time) {
	defer w.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		if !sent && strings.HasPrefix(sc.Text(), prefix) {
			seen <- time.Now()
			sent = true
		}
		fmt.Fprintln(w, sc.Text())
	}
}

// errNoTable is readWindows' error for output without the window table.
var errNoTable = errors.New("no window table in the load tool's output")
