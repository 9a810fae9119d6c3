package storetest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type closeBuffer struct {
	strings.Builder
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }

// TestWriteNotice: the notice goes to the terminal when there is one, else
// to standard output, and never to both.
func TestWriteNotice(t *testing.T) {
	for _, tc := range []struct {
		name            string
		hasTTY          bool
		wantTTY, wantSO string
	}{
		{"terminal", true, "msg\n", ""},
		{"no terminal", false, "", "msg\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tty := &closeBuffer{}
			var stdout strings.Builder
			open := func() (io.WriteCloser, error) {
				if !tc.hasTTY {
					return nil, errors.New("no such device or address")
				}
				return tty, nil
			}
			writeNotice("msg\n", open, &stdout)
			if got := tty.String(); got != tc.wantTTY {
				t.Errorf("terminal got %q, want %q", got, tc.wantTTY)
			}
			if got := stdout.String(); got != tc.wantSO {
				t.Errorf("stdout got %q, want %q", got, tc.wantSO)
			}
			if tc.hasTTY && !tty.closed {
				t.Error("terminal left open")
			}
		})
	}
}

func TestSkipNotice(t *testing.T) {
	got := skipNotice("example.com/p")
	for _, want := range []string{"example.com/p:", "MariaDB half skipped", EnvMySQLDSN + "='root@tcp(127.0.0.1:3306)/test?parseTime=true' go test ./..."} {
		if !strings.Contains(got, want) {
			t.Errorf("notice %q, want it to contain %q", got, want)
		}
	}
	if !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 1 {
		t.Errorf("notice %q, want one line", got)
	}
}

func TestTestedPackage(t *testing.T) {
	if got, want := testedPackage(), "github.com/henan-youth/onsite/store/storetest"; got != want {
		t.Errorf("testedPackage() = %q, want %q", got, want)
	}
}
