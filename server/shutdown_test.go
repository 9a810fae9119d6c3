package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/henan-youth/onsite/store/storetest"
)

// TestGracefulShutdownFinishesInFlight cancels the server's context while a
// login (bcrypt cost 12, a few hundred milliseconds) is in flight: the
// request still gets its tokens, and run returns cleanly afterwards.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	s := start(t, storetest.Backends(t)[0], withEnv("ONSITE_BCRYPT_COST=12"))
	body, _ := json.Marshal(map[string]any{"query": `mutation { login(username: "admin", password: "admin-password-1", deviceId: "d") { accessToken } }`})
	answered := make(chan string, 1)
	go func() {
		resp, err := http.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- string(b)
	}()
	time.Sleep(50 * time.Millisecond) // the login is hashing now
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	if got := <-answered; !bytes.Contains([]byte(got), []byte("accessToken")) {
		t.Errorf("in-flight login during shutdown: %s", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("run after shutdown: %v", err)
	}
}
