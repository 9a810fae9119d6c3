package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// rawGet sends GET path on conn and reads the answer.
func rawGet(t *testing.T, conn net.Conn, br *bufio.Reader, host, path string) (*http.Response, string) {
	t.Helper()
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("GET %s: no answer: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestShutdownDrainsKeepAlives: a client holds an idle keep-alive
// connection when shutdown begins. Its next request on that connection is
// still answered, with Connection: close, rather than finding the
// connection closed under it; /readyz says 503 meanwhile; and once that
// connection has closed the drain ends without waiting out its time.
func TestShutdownDrainsKeepAlives(t *testing.T) {
	s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_SHUTDOWN_DRAIN=10m"))
	host := strings.TrimPrefix(s.URL, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	if resp, _ := rawGet(t, conn, br, host, "/healthz"); resp.Close {
		t.Fatal("an answer before shutdown closed its connection")
	}

	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for draining := false; !draining; {
		resp, err := fresh.Get(s.URL + "/readyz")
		if err != nil {
			t.Fatalf("/readyz after shutdown began: %v (the server stopped listening without a drain)", err)
		}
		resp.Body.Close()
		draining = resp.StatusCode == http.StatusServiceUnavailable
	}

	resp, body := rawGet(t, conn, br, host, "/healthz")
	if !resp.Close || body != "ok\n" { // resp.Close: the answer said Connection: close
		t.Errorf("the idle connection's next answer during the drain: close %v, body %q; want ok with Connection: close", resp.Close, body)
	}
	conn.Close()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("run after the drain: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the drain did not end when the last connection closed")
	}
}

// TestWriteTimeoutLeavesRoom: the write timeout ends after both the
// request's deadline and the body's read timeout, with room to answer.
func TestWriteTimeoutLeavesRoom(t *testing.T) {
	for _, rt := range []time.Duration{time.Second, 15 * time.Second, 45 * time.Second} {
		if got := writeTimeout(rt); got < rt+answerRoom || got < readTimeout+answerRoom {
			t.Errorf("writeTimeout(%v) = %v, want at least %v after both it and the read timeout %v", rt, got, answerRoom, readTimeout)
		}
	}
}
