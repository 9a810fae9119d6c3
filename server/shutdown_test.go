package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestGracefulShutdownFinishesInFlight cancels the server's context while a
// login (bcrypt cost 12, a few hundred milliseconds) is in flight: the
// request still gets its tokens, and run returns cleanly afterwards.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ONSITE_ADDR": "127.0.0.1:0", "ONSITE_DSN": filepath.Join(dir, "onsite.db"),
		"ONSITE_JWT_KEY_FILE": filepath.Join(dir, "k.pem"), "ONSITE_ADMIN_PASSWORD": "admin-password-1", "ONSITE_BCRYPT_COST": "12"}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, pw); pw.Close() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a + "/graphql"
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	body, _ := json.Marshal(map[string]any{"query": `mutation { login(username: "admin", password: "admin-password-1", deviceId: "d") { accessToken } }`})
	answered := make(chan string, 1)
	go func() {
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- string(b)
	}()
	time.Sleep(50 * time.Millisecond) // the login is hashing now
	cancel()
	if got := <-answered; !bytes.Contains([]byte(got), []byte("accessToken")) {
		t.Errorf("in-flight login during shutdown: %s", got)
	}
	if err := <-done; err != nil {
		t.Errorf("run after shutdown: %v", err)
	}
}
