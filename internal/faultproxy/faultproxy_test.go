package faultproxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lineServer answers every line it reads with "ok <line>" and keeps the
// lines it read, in order.
type lineServer struct {
	ln    net.Listener
	mu    sync.Mutex
	lines []string
	got   chan string
}

func startLineServer(t *testing.T) *lineServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &lineServer{ln: ln, got: make(chan string, 100)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					s.mu.Lock()
					s.lines = append(s.lines, sc.Text())
					s.mu.Unlock()
					s.got <- sc.Text()
					io.WriteString(c, "ok "+sc.Text()+"\n")
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *lineServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

type client struct {
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, p *Proxy) *client {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c, bufio.NewReader(c)}
}

func (c *client) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(c.c, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (c *client) read() (string, error) {
	s, err := c.br.ReadString('\n')
	return strings.TrimSuffix(s, "\n"), err
}

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func TestForwards(t *testing.T) {
	srv := startLineServer(t)
	c := dial(t, Start(t, srv.ln.Addr().String()))
	c.send(t, "hello")
	if got, err := c.read(); got != "ok hello" {
		t.Errorf("answer %q (%v), want ok hello", got, err)
	}
}

// TestStallHoldsBytesUntilResume: nothing reaches the server during a
// stall; everything sent does after Resume.
func TestStallHoldsBytesUntilResume(t *testing.T) {
	srv := startLineServer(t)
	p := Start(t, srv.ln.Addr().String())
	c := dial(t, p)
	c.send(t, "before")
	if got, _ := c.read(); got != "ok before" {
		t.Fatalf("before the stall: %q", got)
	}
	p.Stall()
	c.send(t, "during")
	c.c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if got, err := c.read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("during the stall: %q, %v; want no answer", got, err)
	}
	if got := srv.seen(); len(got) != 1 {
		t.Fatalf("the server saw %q during the stall", got)
	}
	c.c.SetReadDeadline(time.Time{})
	p.Resume()
	if got, err := c.read(); got != "ok during" {
		t.Errorf("after Resume: %q, %v", got, err)
	}
}

func TestResetAndDrop(t *testing.T) {
	srv := startLineServer(t)
	p := Start(t, srv.ln.Addr().String())
	c := dial(t, p)
	c.send(t, "one")
	c.read()
	p.Reset()
	if _, err := c.read(); !isReset(err) {
		t.Errorf("after Reset: %v, want a connection reset", err)
	}
	d := dial(t, p)
	d.send(t, "two")
	d.read()
	p.Drop()
	if _, err := d.read(); !errors.Is(err, io.EOF) {
		t.Errorf("after Drop: %v, want EOF", err)
	}
}

// TestRules: ResetBefore keeps the matching bytes from the server;
// LoseReply delivers them and the client gets a reset instead of the
// answer. Disarm counts the firings.
func TestRules(t *testing.T) {
	srv := startLineServer(t)
	p := Start(t, srv.ln.Addr().String())

	p.Arm("COMMIT", ResetBefore)
	c := dial(t, p)
	c.send(t, "BEGIN")
	c.read()
	c.send(t, "COMMIT 1")
	if _, err := c.read(); !isReset(err) {
		t.Errorf("ResetBefore: %v, want a reset", err)
	}

	p.Arm("COMMIT", LoseReply)
	d := dial(t, p)
	d.send(t, "COMMIT 2")
	if got := <-srv.got; got != "BEGIN" {
		t.Fatalf("first line at the server %q", got)
	}
	if got := <-srv.got; got != "COMMIT 2" {
		t.Errorf("LoseReply: the server got %q, want COMMIT 2", got)
	}
	if got, err := d.read(); !isReset(err) {
		t.Errorf("LoseReply: the client read %q, %v; want a reset", got, err)
	}
	if n := p.Disarm(); n != 2 {
		t.Errorf("fired %d times, want 2", n)
	}
	for _, l := range srv.seen() {
		if l == "COMMIT 1" {
			t.Error("ResetBefore let the matching bytes through")
		}
	}
	e := dial(t, p)
	e.send(t, "COMMIT 3")
	if got, _ := e.read(); got != "ok COMMIT 3" {
		t.Errorf("after Disarm: %q", got)
	}
}
