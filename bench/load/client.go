package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// codeTransport labels a request that got no GraphQL answer at all: a
// connection error, a timeout, or an HTTP error without a JSON body. Its
// outcome on the server is unknown.
const codeTransport = "TRANSPORT"

// gqlError is one entry of a GraphQL response's errors list.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code, or "NO_CODE" when the server sent none.
func (e gqlError) Code() string {
	if c, ok := e.Extensions["code"].(string); ok && c != "" {
		return c
	}
	return "NO_CODE"
}

// response is one GraphQL round trip. Transport is set (and Data and Errors
// are empty) when no GraphQL answer came back.
type response struct {
	Data      json.RawMessage `json:"data"`
	Errors    []gqlError      `json:"errors"`
	Status    int             `json:"-"`
	Latency   time.Duration   `json:"-"`
	Transport error           `json:"-"`
}

// Code returns the first error's code, codeTransport for a transport
// failure, or "" when the response carries no error.
func (r *response) Code() string {
	switch {
	case r.Transport != nil:
		return codeTransport
	case len(r.Errors) > 0:
		return r.Errors[0].Code()
	}
	return ""
}

// Err returns nil for an error-free response and otherwise an error naming
// the code and message.
func (r *response) Err() error {
	switch {
	case r.Transport != nil:
		return fmt.Errorf("%s: %w", codeTransport, r.Transport)
	case len(r.Errors) > 0:
		return fmt.Errorf("%s: %s", r.Errors[0].Code(), r.Errors[0].Message)
	}
	return nil
}

// decode unmarshals Data into v; it fails on errors in the response too.
func (r *response) decode(v any) error {
	if err := r.Err(); err != nil {
		return err
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("decode %.200s: %w", r.Data, err)
	}
	return nil
}

// client posts GraphQL documents to one endpoint over a shared, keep-alive
// HTTP transport.
type client struct {
	url     string
	http    *http.Client
	timeout time.Duration
}

// newClient returns a client for url whose connection pool keeps up to
// conns idle connections, one per simulated phone, and whose requests each
// time out after timeout.
func newClient(url string, conns int, timeout time.Duration) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns + 16
	tr.MaxIdleConnsPerHost = conns + 16
	return &client{url: url, http: &http.Client{Transport: tr}, timeout: timeout}
}

// do sends one document with variables, bearing token when not empty, and
// measures the HTTP round trip (request written to body read). It never
// returns an error: failures are in the response (Transport or Errors).
func (c *client) do(ctx context.Context, token, query string, vars map[string]any) *response {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return &response{Transport: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return &response{Transport: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return &response{Transport: err, Latency: time.Since(start)}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return &response{Status: resp.StatusCode, Latency: time.Since(start), Transport: err}
	}
	return parseAnswer(resp.StatusCode, raw, time.Since(start))
}

// parseAnswer turns an HTTP answer into a response: Transport is set when
// the body is not a GraphQL answer.
func parseAnswer(status int, raw []byte, latency time.Duration) *response {
	out := &response{Status: status, Latency: latency}
	if err := json.Unmarshal(raw, out); err != nil || (out.Data == nil && len(out.Errors) == 0) {
		out.Transport = fmt.Errorf("HTTP %d, not a GraphQL answer: %.200s", status, raw)
		out.Data, out.Errors = nil, nil
	}
	return out
}

// gqlBody appends a GraphQL request body to dst: the document, already a
// JSON string (quoted), and the variables, already JSON (nil for none).
func gqlBody(dst, q, vars []byte) []byte {
	dst = append(dst, `{"query":`...)
	dst = append(dst, q...)
	if vars != nil {
		dst = append(dst, `,"variables":`...)
		dst = append(dst, vars...)
	}
	return append(dst, '}')
}

// wire is one phone's own keep-alive HTTP/1.1 connection for the load
// phases. A phone has one request in flight at a time, so the request is
// written and its answer parsed (http.ReadResponse) on the phone's own
// goroutine: no connection pool and no reader and writer goroutines per
// connection as in net/http's client, whose hand-offs cost the tool a large
// share of the processors it shares with the server it measures.
// Any failure closes the connection; the next request dials again.
type wire struct {
	addr, host, path string
	timeout          time.Duration
	conn             net.Conn
	br               *bufio.Reader
	req              []byte // the request being written, reused
}

// newWire returns an unconnected wire to the endpoint rawURL (http only).
func newWire(rawURL string, timeout time.Duration) (*wire, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%s: the load phases speak plain http", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	path := u.RequestURI()
	return &wire{addr: addr, host: u.Host, path: path, timeout: timeout}, nil
}

// do posts body, bearing token when not empty, and measures the round
// trip (dialling if needed, writing, reading the whole answer).
// It never returns an error: failures are in the response (Transport or
// Errors). A transport failure after the request was written leaves its
// outcome on the server unknown, as with any client.
func (w *wire) do(ctx context.Context, token string, body []byte) *response {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return &response{Transport: err}
	}
	if w.conn == nil {
		d := net.Dialer{Timeout: w.timeout}
		c, err := d.DialContext(ctx, "tcp", w.addr)
		if err != nil {
			return &response{Transport: err, Latency: time.Since(start)}
		}
		w.conn, w.br = c, bufio.NewReaderSize(c, 16<<10)
	}
	deadline := time.Now().Add(w.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	w.conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { w.conn.SetDeadline(time.Now()) })
	defer stop()
	w.req = append(w.req[:0], "POST "...)
	w.req = append(w.req, w.path...)
	w.req = append(w.req, " HTTP/1.1\r\nHost: "...)
	w.req = append(w.req, w.host...)
	w.req = append(w.req, "\r\nContent-Type: application/json\r\n"...)
	if token != "" {
		w.req = append(w.req, "Authorization: Bearer "...)
		w.req = append(w.req, token...)
		w.req = append(w.req, "\r\n"...)
	}
	w.req = append(w.req, "Content-Length: "...)
	w.req = strconv.AppendInt(w.req, int64(len(body)), 10)
	w.req = append(w.req, "\r\n\r\n"...)
	w.req = append(w.req, body...)
	if _, err := w.conn.Write(w.req); err != nil {
		return w.fail(err, start)
	}
	resp, err := http.ReadResponse(w.br, nil)
	if err != nil {
		return w.fail(err, start)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return w.fail(err, start)
	}
	latency := time.Since(start)
	if resp.Close {
		w.close()
	}
	return parseAnswer(resp.StatusCode, raw, latency)
}

// fail closes the connection after a transport error.
func (w *wire) fail(err error, start time.Time) *response {
	w.close()
	return &response{Transport: err, Latency: time.Since(start)}
}

// close drops the connection, if any.
func (w *wire) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn, w.br = nil, nil
	}
}
