package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sample is one reading of the server's /metrics.
type sample struct {
	at         time.Duration // since the load began
	rss        float64       // process_resident_memory_bytes
	heapInuse  float64       // go_memstats_heap_inuse_bytes
	liveHeap   float64       // the heap live after the last collection: next GC target ÷ (1 + GOGC/100)
	goroutines float64
	dbDown     bool // MariaDB was being restarted
}

// restartEvent is one restart of MariaDB.
type restartEvent struct {
	at, down time.Duration
	err      error
}

// windowRow is one line of the load tool's per-window table.
type windowRow struct {
	from     time.Duration
	ok, errs int
	p99      float64 // ms
}

// results collects what the soak measured.
type results struct {
	cfg       *config
	loadStart time.Time
	mu        sync.Mutex
	dbDown    bool
	samples   []sample
	restartsD []restartEvent
	windows   []windowRow

	failedReads int   // readings of /metrics that failed
	lastReadErr error // the last failure's error
}

// sample reads url every cfg.sampleEvery until done.
func (r *results) sample(ctx context.Context, url string, done <-chan struct{}) {
	t := time.NewTicker(r.cfg.sampleEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m, err := readMetrics(ctx, url)
		if err == nil && m["go_goroutines"] == 0 {
			err = errors.New("the page has no go_goroutines: not the server's metrics")
		}
		if err != nil {
			r.mu.Lock()
			r.failedReads, r.lastReadErr = r.failedReads+1, err
			r.mu.Unlock()
			continue
		}
		r.mu.Lock()
		s := sample{at: time.Since(r.loadStart), rss: m["process_resident_memory_bytes"], heapInuse: m["go_memstats_heap_inuse_bytes"],
			goroutines: m["go_goroutines"], dbDown: r.dbDown}
		if gogc := m["go_gc_gogc_percent"]; gogc > 0 {
			s.liveHeap = m["go_memstats_next_gc_bytes"] / (1 + gogc/100)
		}
		r.samples = append(r.samples, s)
		r.mu.Unlock()
	}
}

// readMetrics returns the unlabelled metrics of a Prometheus text page.
func readMetrics(ctx context.Context, url string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// restarts restarts db every cfg.restartEvery after the load began, while
// the load runs, and logs each to out.
func (r *results) restarts(ctx context.Context, db *mariadb, done <-chan struct{}, out io.Writer) {
	sig := syscall.SIGTERM
	if r.cfg.restartSignal == "KILL" {
		sig = syscall.SIGKILL
	}
	for k := 1; time.Duration(k)*r.cfg.restartEvery < r.cfg.duration; k++ {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-time.After(time.Until(r.loadStart.Add(time.Duration(k) * r.cfg.restartEvery))):
		}
		at := time.Since(r.loadStart)
		r.setDown(true)
		down, err := db.restart(ctx, sig)
		r.setDown(false)
		r.mu.Lock()
		r.restartsD = append(r.restartsD, restartEvent{at: at, down: down, err: err})
		r.mu.Unlock()
		fmt.Fprintf(out, "restart %d at %s: MariaDB answered again after %s (err %v)\n", k, at.Round(time.Second), down.Round(100*time.Millisecond), err)
		if err != nil {
			return
		}
	}
}

func (r *results) setDown(v bool) {
	r.mu.Lock()
	r.dbDown = v
	r.mu.Unlock()
}

// readWindows reads the load tool's per-window table from its output.
func (r *results) readWindows(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "== checkIn by "):
			in = true
			sc.Scan() // the header
			continue
		case !in:
			continue
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "=="):
			return nil
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		from, err1 := time.ParseDuration(f[0])
		ok, err2 := strconv.Atoi(f[1])
		errs, err3 := strconv.Atoi(f[2])
		p99, err4 := strconv.ParseFloat(strings.TrimSuffix(f[4], "ms"), 64)
		if err1 == nil && err2 == nil && err3 == nil && err4 == nil {
			r.windows = append(r.windows, windowRow{from: from, ok: ok, errs: errs, p99: p99})
		}
	}
	if !in {
		return errNoTable
	}
	return sc.Err()
}

// nearRestart reports whether the window beginning at from overlaps a
// restart or the window after it (the phones' retries and the settling
// pool).
func (r *results) nearRestart(from time.Duration) bool {
	for _, e := range r.restartsD {
		if from < e.at+e.down+r.cfg.window && from+r.cfg.window > e.at {
			return true
		}
	}
	return false
}

// print writes the summary.
func (r *results) print(w io.Writer) {
	fmt.Fprintf(w, "\n== soak: %s at %.0f requests/s, %d phones ==\n", r.cfg.duration, r.cfg.rate, r.cfg.phones)
	for i, e := range r.restartsD {
		fmt.Fprintf(w, "restart %d at %s: MariaDB down %s (SIG%s)", i+1, e.at.Round(time.Second), e.down.Round(100*time.Millisecond), r.cfg.restartSignal)
		if e.err != nil {
			fmt.Fprintf(w, ", failed: %v", e.err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n%-8s %8s %14s %13s %11s\n", "t", "RSS MiB", "heap in use", "live heap", "goroutines")
	every := max(time.Minute, r.cfg.sampleEvery)
	if len(r.samples) <= 40 {
		every = r.cfg.sampleEvery
	}
	next := time.Duration(0)
	for _, s := range r.samples {
		if s.at < next && !s.dbDown {
			continue
		}
		next = s.at.Truncate(every) + every
		mark := ""
		if s.dbDown {
			mark = "  (MariaDB restarting)"
		}
		fmt.Fprintf(w, "%-8s %8s %14s %13s %11.0f%s\n", s.at.Round(time.Second), mb(s.rss), mb(s.heapInuse), mb(s.liveHeap), s.goroutines, mark)
	}
	r.printSteady(w)
	r.printLatency(w)
}

// printSteady writes memory and goroutines after the warm-up.
func (r *results) printSteady(w io.Writer) {
	var after []sample
	for _, s := range r.samples {
		if s.at >= r.cfg.warmup {
			after = append(after, s)
		}
	}
	if len(after) < 2 {
		fmt.Fprintf(w, "\nfewer than two samples after the %s warm-up\n", r.cfg.warmup)
		return
	}
	first, last := after[0], after[len(after)-1]
	var maxRSS, maxLive float64
	gmin, gmax := first.goroutines, first.goroutines
	var gsteady []float64
	for _, s := range after {
		maxRSS, maxLive = max(maxRSS, s.rss), max(maxLive, s.liveHeap)
		gmin, gmax = min(gmin, s.goroutines), max(gmax, s.goroutines)
		if !s.dbDown {
			gsteady = append(gsteady, s.goroutines)
		}
	}
	fmt.Fprintf(w, "\nafter the %s warm-up (%s to %s):\n", r.cfg.warmup, first.at.Round(time.Second), last.at.Round(time.Second))
	fmt.Fprintf(w, "  RSS %s → %s MiB (max %s)\n", mb(first.rss), mb(last.rss), mb(maxRSS))
	fmt.Fprintf(w, "  live heap %s → %s MiB (max %s)\n", mb(first.liveHeap), mb(last.liveHeap), mb(maxLive))
	fmt.Fprintf(w, "  goroutines %.0f → %.0f (range %.0f–%.0f; median outside restarts %.0f)\n", first.goroutines, last.goroutines, gmin, gmax, median(gsteady))
}

// printLatency writes checkIn p99 per window, apart from the restarts and
// across them.
func (r *results) printLatency(w io.Writer) {
	var clear, near []float64
	nearErrs := 0
	for _, win := range r.windows {
		if win.ok == 0 {
			continue
		}
		if r.nearRestart(win.from) {
			near = append(near, win.p99)
			nearErrs += win.errs
		} else {
			clear = append(clear, win.p99)
		}
	}
	if len(clear) == 0 {
		fmt.Fprintln(w, "\nno latency windows read from the load tool")
		return
	}
	slices.Sort(clear)
	fmt.Fprintf(w, "\ncheckIn p99 per %s window, %d windows away from restarts: min %.1f, median %.1f, max %.1f ms\n",
		r.cfg.window, len(clear), clear[0], median(clear), clear[len(clear)-1])
	if len(near) > 0 {
		fmt.Fprintf(w, "  %d windows with or right after a restart: p99 max %.1f ms, %d errors answered (UNAVAILABLE, transport)\n",
			len(near), slices.Max(near), nearErrs)
	}
}

// median of v (0 for none); v need not be sorted.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// writeSamples writes every sample as CSV.
func (r *results) writeSamples(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, "seconds,rss_bytes,heap_inuse_bytes,live_heap_bytes,goroutines,mariadb_restarting")
	for _, s := range r.samples {
		fmt.Fprintf(f, "%.0f,%.0f,%.0f,%.0f,%.0f,%v\n", s.at.Seconds(), s.rss, s.heapInuse, s.liveHeap, s.goroutines, s.dbDown)
	}
	return f.Close()
}

// verificationLines returns the load tool's lines about outcomes and its
// verification.
func verificationLines(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "== verification ==") {
			in = true
		}
		if in || strings.HasPrefix(line, "check-ins acknowledged:") || strings.HasPrefix(line, "unknown outcomes after the load:") ||
			strings.HasPrefix(line, "first answers that were replays") || strings.HasPrefix(line, "checkIn ") || strings.HasPrefix(line, "load: ") {
			out.WriteString("  " + line + "\n")
		}
	}
	return out.String(), nil
}
