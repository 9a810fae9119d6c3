package main

import (
	"fmt"
	"io"
	"time"
)

// timeline keeps one phone's checkIn answers by when they came, in windows
// of a fixed width from the start of the load (-windows), so that a long
// run shows how latency and errors moved over time — around a database
// restart, say — where the whole run's quantiles would hide it.
type timeline struct {
	start time.Time
	width time.Duration
	wins  []*window
}

// window is the checkIn answers of one stretch of the load.
type window struct {
	lat  []time.Duration // round trips answered without error
	errs map[string]int  // the others, by code
}

// add records one answer (code "" for success) at the present time.
func (tl *timeline) add(code string, latency time.Duration) {
	i := max(int(time.Since(tl.start)/tl.width), 0)
	for len(tl.wins) <= i {
		tl.wins = append(tl.wins, &window{errs: map[string]int{}})
	}
	if code == "" {
		tl.wins[i].lat = append(tl.wins[i].lat, latency)
	} else {
		tl.wins[i].errs[code]++
	}
}

// merge adds o's windows to tl's.
func (tl *timeline) merge(o *timeline) {
	for i, w := range o.wins {
		for len(tl.wins) <= i {
			tl.wins = append(tl.wins, &window{errs: map[string]int{}})
		}
		tl.wins[i].lat = append(tl.wins[i].lat, w.lat...)
		for c, n := range w.errs {
			tl.wins[i].errs[c] += n
		}
	}
}

// printWindows writes one line per window: when it began (from the start
// of the load), the answers, the errors and the latency quantiles.
func printWindows(w io.Writer, tl *timeline) {
	if tl == nil || len(tl.wins) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== checkIn by %s window ==\n", tl.width)
	fmt.Fprintf(w, "%-8s %9s %9s %9s %9s %9s  %s\n", "from", "ok", "errors", "p50", "p99", "max", "error codes")
	for i, win := range tl.wins {
		fmt.Fprintf(w, "%-8s %9d %9d %9s %9s %9s  %s\n", (time.Duration(i) * tl.width).String(), len(win.lat), total(win.errs),
			ms(percentile(win.lat, .50)), ms(percentile(win.lat, .99)), ms(percentile(win.lat, 1)), codes(win.errs))
	}
}
