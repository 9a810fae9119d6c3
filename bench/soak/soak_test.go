package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadWindows reads the load tool's window table (as bench/load
// prints it) and tells the windows near a restart from the others.
func TestReadWindows(t *testing.T) {
	out := `check-ins acknowledged: 10
== checkIn by 30s window ==
from            ok    errors       p50       p99       max  error codes
0s            2900         0     6.1ms    41.0ms    90.2ms  none
30s           2950         0     6.0ms    39.5ms    80.0ms  none
1m0s          2100       310     6.3ms   512.0ms  1000.1ms  UNAVAILABLE 300, TRANSPORT 10
1m30s         2990         0     6.2ms    44.0ms    70.0ms  none

== verification ==
`
	path := filepath.Join(t.TempDir(), "load.out")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &results{cfg: &config{window: 30 * time.Second}}
	if err := r.readWindows(path); err != nil {
		t.Fatal(err)
	}
	if len(r.windows) != 4 || r.windows[2].from != time.Minute || r.windows[2].errs != 310 || r.windows[2].p99 != 512 {
		t.Fatalf("windows %+v", r.windows)
	}
	r.restartsD = []restartEvent{{at: 65 * time.Second, down: 5 * time.Second}}
	var near []time.Duration
	for _, w := range r.windows {
		if r.nearRestart(w.from) {
			near = append(near, w.from)
		}
	}
	if len(near) != 2 || near[0] != time.Minute || near[1] != 90*time.Second {
		t.Errorf("windows near the restart at 1m5s (down 5s): %v, want 1m0s and 1m30s", near)
	}
	var b strings.Builder
	r.printLatency(&b)
	if !strings.Contains(b.String(), "2 windows away from restarts: min 39.5, median 41.0, max 41.0 ms") {
		t.Errorf("printed %s", b.String())
	}
}

func TestParseFlagsRefusesSharedPort(t *testing.T) {
	if _, err := parseFlags([]string{"-db-port", "3306"}); err == nil {
		t.Error("-db-port 3306 accepted")
	}
	c, err := parseFlags(nil)
	if err != nil || c.dbPort == 3306 || c.duration != 30*time.Minute || c.restartEvery != 5*time.Minute || c.rate != 1000 {
		t.Errorf("defaults %+v, %v", c, err)
	}
}

// TestReadMetricsRefusesOtherPages: a page that is not 200 is an error, so
// a soak reading the wrong address fails instead of recording zeros.
func TestReadMetricsRefusesOtherPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "# HELP go_goroutines x\ngo_goroutines 42\nprocess_resident_memory_bytes 1.5e+07\n")
	}))
	defer srv.Close()
	m, err := readMetrics(context.Background(), srv.URL+"/metrics")
	if err != nil || m["go_goroutines"] != 42 || m["process_resident_memory_bytes"] != 1.5e7 {
		t.Errorf("the metrics page: %v, %v", m, err)
	}
	if _, err := readMetrics(context.Background(), srv.URL+"/other"); err == nil {
		t.Error("a 404 page read as metrics")
	}
}
