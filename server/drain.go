package main

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// drain is the first step of a graceful shutdown. Closing an idle
// keep-alive connection races a client that is sending its next request on
// it, which then gets no answer at all; so for a while (the drain time)
// the server goes on serving, every answer carries Connection: close (the
// connection closes after it, and the client dials afresh) and /readyz
// answers 503 so that load balancers stop sending. The drain ends when
// every connection has closed or the drain time has passed; only then are
// keep-alives turned off and the rest shut down (http.Server.Shutdown).
type drain struct {
	draining atomic.Bool
	mu       sync.Mutex
	open     int           // connections accepted and not yet closed
	empty    chan struct{} // closed once open is 0 while draining
	closed   bool          // empty is closed
}

func newDrain() *drain { return &drain{empty: make(chan struct{})} }

// connState counts the server's connections (http.Server.ConnState).
func (d *drain) connState(_ net.Conn, st http.ConnState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch st {
	case http.StateNew:
		d.open++
	case http.StateClosed, http.StateHijacked:
		d.open--
	}
	d.signal()
}

// signal closes empty when draining and no connection is open; d.mu held.
func (d *drain) signal() {
	if d.draining.Load() && d.open == 0 && !d.closed {
		d.closed = true
		close(d.empty)
	}
}

// run drains for at most wait: from now on answers close their
// connections. It returns when no connection is open or wait has passed.
func (d *drain) run(wait time.Duration) {
	d.mu.Lock()
	d.draining.Store(true)
	d.signal()
	d.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-d.empty:
	case <-t.C:
	}
}

// handler marks every answer written during the drain Connection: close,
// requests in flight when it began included.
func (d *drain) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&closingWriter{ResponseWriter: w, d: d}, r)
	})
}

// closingWriter adds Connection: close to an answer begun while draining.
type closingWriter struct {
	http.ResponseWriter
	d       *drain
	started bool
}

func (w *closingWriter) begin() {
	if !w.started {
		w.started = true
		if w.d.draining.Load() {
			w.Header().Set("Connection", "close")
		}
	}
}

func (w *closingWriter) WriteHeader(code int) {
	w.begin()
	w.ResponseWriter.WriteHeader(code)
}

func (w *closingWriter) Write(b []byte) (int, error) {
	w.begin()
	return w.ResponseWriter.Write(b)
}

// Flush passes a flush on when the underlying writer can.
func (w *closingWriter) Flush() {
	w.begin()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *closingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
