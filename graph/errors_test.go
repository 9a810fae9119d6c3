package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/henan-youth/onsite/models"
)

// logBuffer collects JSON log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestLog() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// TestPresenter: domain errors keep their message and publish their code;
// executor errors pass through; anything else is masked as INTERNAL with
// the request id, and its detail goes only to the log.
func TestPresenter(t *testing.T) {
	const rid = "0123456789abcdef"
	secret := errors.New("dial tcp 10.0.0.5:3306: connection refused")
	for _, tc := range []struct {
		name      string
		err       error
		wantMsg   string
		wantCode  string // extensions.code; "" for none
		wantRID   bool   // extensions.requestId
		wantLog   string // a part of the log, "" for no log line
		wantLevel string
	}{
		{"domain error", models.E(models.CodeNotFound, "user 9 not found"), "user 9 not found", "NOT_FOUND", false, "", ""},
		{"wrapped domain error", fmt.Errorf("resolving: %w", models.E(models.CodeForbidden, "not yours")), "not yours", "FORBIDDEN", false, "", ""},
		{"domain error with a cause", models.Wrap(models.CodeUnavailable, secret, "database unavailable"), "database unavailable", "UNAVAILABLE", false, "connection refused", "WARN"},
		{"executor error", gqlerror.Errorf("Cannot query field \"nope\" on type \"Query\"."), "Cannot query field \"nope\" on type \"Query\".", "", false, "", ""},
		{"plain error", secret, "internal error (request id " + rid + ")", "INTERNAL", true, "connection refused", "ERROR"},
		{"INTERNAL domain error", models.Wrap(models.CodeInternal, secret, "hashing password"), "internal error (request id " + rid + ")", "INTERNAL", true, "connection refused", "ERROR"},
		{"gqlerror wrapping a plain error", gqlerror.WrapPath(nil, secret), "internal error (request id " + rid + ")", "INTERNAL", true, "connection refused", "ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log, logs := newTestLog()
			ctx := context.WithValue(context.Background(), keyRequestID, rid)
			got := presenter(log)(ctx, tc.err)
			if got.Message != tc.wantMsg {
				t.Errorf("message %q, want %q", got.Message, tc.wantMsg)
			}
			if code, _ := got.Extensions["code"].(string); code != tc.wantCode {
				t.Errorf("extensions.code %q, want %q", code, tc.wantCode)
			}
			if r, _ := got.Extensions["requestId"].(string); (r == rid) != tc.wantRID {
				t.Errorf("extensions.requestId %q, want it present %v", r, tc.wantRID)
			}
			if strings.Contains(got.Message, "10.0.0.5") {
				t.Errorf("message %q leaks the cause", got.Message)
			}
			out := logs.String()
			switch {
			case tc.wantLog == "" && out != "":
				t.Errorf("logged %s, want nothing", out)
			case tc.wantLog != "" && (!strings.Contains(out, tc.wantLog) || !strings.Contains(out, rid) || !strings.Contains(out, `"level":"`+tc.wantLevel+`"`)):
				t.Errorf("log %s, want a %s line with %q and the request id", out, tc.wantLevel, tc.wantLog)
			}
		})
	}
}

// TestRecoverer: a panic becomes an INTERNAL error, which the presenter
// masks, and the stack goes to the log.
func TestRecoverer(t *testing.T) {
	log, logs := newTestLog()
	ctx := context.WithValue(context.Background(), keyRequestID, "rid-1")
	err := recoverer(log)(ctx, "index out of range")
	if got := models.CodeOf(err); got != models.CodeInternal {
		t.Errorf("code %s, want INTERNAL", got)
	}
	if got := presenter(log)(ctx, err).Message; got != "internal error (request id rid-1)" {
		t.Errorf("presented as %q, want the masked message", got)
	}
	if out := logs.String(); !strings.Contains(out, "index out of range") || !strings.Contains(out, "goroutine") {
		t.Errorf("log %s, want the panic value and a stack", out)
	}
}

// TestPresentable: a per-item error reads as the presenter would show it.
func TestPresentable(t *testing.T) {
	log, logs := newTestLog()
	r := &Resolver{deps: Deps{Log: log}}
	ctx := context.WithValue(context.Background(), keyRequestID, "rid-2")
	if got, want := r.presentable(ctx, models.E(models.CodeConflict, "clientId reused")), "clientId reused"; got != want {
		t.Errorf("domain error: %q, want %q", got, want)
	}
	if logs.String() != "" {
		t.Errorf("a domain error was logged: %s", logs.String())
	}
	if got, want := r.presentable(ctx, errors.New("disk full")), "internal error (request id rid-2)"; got != want {
		t.Errorf("other error: %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), "disk full") {
		t.Errorf("log %s, want the cause", logs.String())
	}
}
