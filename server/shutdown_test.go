package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestGracefulShutdownFinishesInFlight cancels the server's context while a
// login is in flight: the request is held at the server's door until
// shutdown has begun (the listener is closed), then goes on, still gets its
// tokens, and run returns cleanly afterwards. A new connection is refused
// once shutdown has begun.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})  // the login reached the handler
	stopping := make(chan struct{}) // run's stopping hook: shutdown has begun
	var enter, stop sync.Once
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/graphql" {
				enter.Do(func() { close(entered) })
				<-stopping
			}
			next.ServeHTTP(w, r)
		})
	}
	s := start(t, storetest.Backends(t)[0], withHooks(hold, func() { stop.Do(func() { close(stopping) }) }))
	body, _ := json.Marshal(map[string]any{"query": `mutation { login(username: "admin", password: "admin-password-1", deviceId: "d") { accessToken } }`})
	answered := make(chan string, 1)
	go func() {
		resp, err := s.client.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- string(b)
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	select {
	case <-stopping:
	case err := <-stopped:
		t.Fatalf("run returned (%v) without its stopping hook: shutdown did not begin gracefully", err)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Get(s.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a new request after shutdown began got %s, want the connection refused", resp.Status)
	}
	if got := <-answered; !bytes.Contains([]byte(got), []byte("accessToken")) {
		t.Errorf("in-flight login during shutdown: %s", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("run after shutdown: %v", err)
	}
}
