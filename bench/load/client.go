package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
	out := &response{Status: resp.StatusCode, Latency: time.Since(start)}
	if err != nil {
		out.Transport = err
		return out
	}
	if err := json.Unmarshal(raw, out); err != nil || (out.Data == nil && len(out.Errors) == 0) {
		out.Transport = fmt.Errorf("HTTP %d, not a GraphQL answer: %.200s", resp.StatusCode, raw)
		out.Data, out.Errors = nil, nil
	}
	return out
}
