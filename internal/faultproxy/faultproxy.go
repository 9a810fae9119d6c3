// Package faultproxy is a TCP proxy for tests that puts faults between a
// client (the store) and its server (MariaDB) on command: it stalls every
// connection (no byte moves either way, as when the server is paused),
// drops or resets them, or resets a connection at the moment the client
// sends given bytes (a COMMIT), with or without letting the server run
// them. It runs in the test's process; nothing of it is in the product.
package faultproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Action is what a rule does to the connection whose client sent its
// pattern.
type Action int

const (
	// ResetBefore resets the connection without passing on the bytes that
	// matched: the server never sees them.
	ResetBefore Action = iota
	// LoseReply passes the bytes on and resets the client's side at once;
	// the server's side stays open and its replies are read and discarded,
	// so the server runs the statement to its end and the client never
	// learns the outcome (a commit whose answer is lost).
	LoseReply
)

// Proxy forwards connections from Addr to a target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	links   map[*link]bool
	stalled chan struct{} // non-nil while stalled; closed by Resume
	rule    *rule
	fired   int
	wg      sync.WaitGroup
}

// rule is an armed fault: the first client bytes containing pattern
// trigger act.
type rule struct {
	pattern []byte
	act     Action
}

// link is one proxied connection.
type link struct {
	client, server net.Conn
	once           sync.Once
	lost           atomic.Bool  // LoseReply fired: the server's bytes are discarded
	pumps          atomic.Int32 // directions still running; the link is forgotten at 0
}

// Start listens on a free loopback port and forwards every connection to
// target; the proxy and its connections are closed when the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, links: map[*link]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the address clients dial instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Stall stops every byte in both directions, on the connections open now
// and on new ones (which are accepted and connected, as a paused server's
// kernel would), until Resume. Bytes already read are held, not lost.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stalled == nil {
		p.stalled = make(chan struct{})
	}
}

// Resume lets bytes move again after Stall.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stalled != nil {
		close(p.stalled)
		p.stalled = nil
	}
}

// Drop closes every open connection in an orderly way (FIN on both sides).
func (p *Proxy) Drop() { p.each(func(l *link) { l.close(false) }) }

// Reset resets every open connection (RST on both sides).
func (p *Proxy) Reset() { p.each(func(l *link) { l.close(true) }) }

// Arm makes every connection whose client sends bytes containing pattern
// suffer act, until Disarm. A pattern split across two reads of a
// connection still matches.
func (p *Proxy) Arm(pattern string, act Action) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule = &rule{pattern: []byte(pattern), act: act}
}

// Disarm ends the rule of Arm and returns how many times it fired.
func (p *Proxy) Disarm() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule = nil
	n := p.fired
	p.fired = 0
	return n
}

func (p *Proxy) each(fn func(*link)) {
	p.mu.Lock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		fn(l)
	}
}

func (p *Proxy) close() {
	p.ln.Close()
	p.Resume()
	p.Reset()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		l := &link{client: c, server: s}
		l.pumps.Store(2)
		p.mu.Lock()
		p.links[l] = true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(l, true)
		go p.pump(l, false)
	}
}

// gate waits while the proxy is stalled. A link closed meanwhile finds
// out from the write that follows.
func (p *Proxy) gate() {
	p.mu.Lock()
	ch := p.stalled
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// match reports the armed rule's action if chunk (after tail, the end of
// the previous read) contains its pattern, counting it as fired.
func (p *Proxy) match(tail, chunk []byte) (Action, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.rule
	if r == nil || !bytes.Contains(append(tail, chunk...), r.pattern) {
		return 0, false
	}
	p.fired++
	return r.act, true
}

// pump copies one direction of l until either side fails: up is client to
// server, where rules apply.
func (p *Proxy) pump(l *link, up bool) {
	defer p.wg.Done()
	defer func() {
		if l.pumps.Add(-1) == 0 {
			p.mu.Lock()
			delete(p.links, l)
			p.mu.Unlock()
		}
	}()
	src, dst := l.server, l.client
	if up {
		src, dst = l.client, l.server
	}
	buf := make([]byte, 64<<10)
	var tail []byte
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.gate()
			chunk := buf[:n]
			if up {
				if act, ok := p.match(tail, chunk); ok {
					p.fault(l, act, chunk)
					return
				}
				tail = lastBytes(append(tail, chunk...), 64)
			}
			if !up && l.lost.Load() {
				continue // the client is gone; the server finishes what it was sent
			}
			if _, werr := dst.Write(chunk); werr != nil {
				l.close(true)
				return
			}
		}
		if err != nil {
			if !up && l.lost.Load() {
				l.server.Close()
				return
			}
			if errors.Is(err, io.EOF) {
				closeWrite(dst) // pass the FIN on; the other direction ends by itself
				return
			}
			l.close(true)
			return
		}
	}
}

// fault applies act to l, whose client just sent chunk.
func (p *Proxy) fault(l *link, act Action, chunk []byte) {
	if act == ResetBefore {
		l.close(true)
		return
	}
	l.lost.Store(true) // before the server can reply
	l.server.Write(chunk)
	reset(l.client)
}

// close ends both sides of l, once; with rst, as a reset.
func (l *link) close(rst bool) {
	l.once.Do(func() {
		if rst {
			reset(l.client)
			reset(l.server)
			return
		}
		l.client.Close()
		l.server.Close()
	})
}

// reset closes c with an RST rather than a FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		return
	}
	c.Close()
}

// lastBytes returns at most n bytes from the end of b, in a fresh slice.
func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return append([]byte(nil), b...)
}
