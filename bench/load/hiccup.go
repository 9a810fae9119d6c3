package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// The hiccup meter says how much of a latency tail is the machine's rather
// than the server's, the way jHiccup does for the JVM: during a phase a
// goroutine of this tool asks to sleep hiccupTick again and again and
// records how much later than asked it woke. A wake-up 100 ms late means
// that for 100 ms this process got no processor — the host paused the
// virtual machine (steal), or every core was taken — and whatever the
// server was doing then was most likely paused as well: every request in
// flight over that time comes back at least that late, whatever the code.
// At the target rate one pause of 150 ms holds up a sizeable share of the
// 1 % of requests a run's p99 may spend.
//
// Beside it the meter reads the host's steal time (Linux /proc/stat): the
// processor time the hypervisor gave to someone else while the host had
// work. Both are printed under each phase's table; neither changes
// what is measured or verified.

const hiccupTick = time.Millisecond

// hiccupMeter measures one phase; stop it with stop.
type hiccupMeter struct {
	quit  chan struct{}
	done  chan hiccups
	steal float64 // processor-seconds of steal at the start; -1 when unknown
	start time.Time
}

// hiccups is what the meter saw over a phase.
type hiccups struct {
	samples  int
	max      time.Duration // the latest wake-up, beyond the tick asked for
	over10   int           // wake-ups more than 10 ms late
	over50   int           // wake-ups more than 50 ms late
	lateOver time.Duration // the lateness of the wake-ups over 10 ms, summed
	steal    float64       // processor-seconds stolen by the host in the phase; -1 when unknown
	wall     time.Duration
}

// startHiccups starts measuring.
func startHiccups() *hiccupMeter {
	m := &hiccupMeter{quit: make(chan struct{}), done: make(chan hiccups, 1), steal: readSteal(), start: time.Now()}
	go func() {
		h := hiccups{steal: -1}
		for {
			select {
			case <-m.quit:
				m.done <- h
				return
			default:
			}
			t := time.Now()
			time.Sleep(hiccupTick)
			h.add(time.Since(t) - hiccupTick)
		}
	}()
	return m
}

// stop ends the measurement and returns what it saw.
func (m *hiccupMeter) stop() hiccups {
	close(m.quit)
	h := <-m.done
	h.wall = time.Since(m.start)
	if end := readSteal(); end >= 0 && m.steal >= 0 {
		h.steal = end - m.steal
	}
	return h
}

// add counts one wake-up that came late by late (early counts as on time).
func (h *hiccups) add(late time.Duration) {
	late = max(late, 0)
	h.samples++
	h.max = max(h.max, late)
	if late > 10*time.Millisecond {
		h.over10++
		h.lateOver += late
	}
	if late > 50*time.Millisecond {
		h.over50++
	}
}

// String is the line printed under a phase's table.
func (h hiccups) String() string {
	s := fmt.Sprintf("machine hiccups (this tool's %v sleeps woken late): max %s, %d over 10ms (%s late in all), %d over 50ms",
		hiccupTick, ms(h.max), h.over10, ms(h.lateOver), h.over50)
	if h.steal >= 0 && h.wall > 0 {
		s += fmt.Sprintf("; host steal %.2f processor-s (%.2f cores)", h.steal, h.steal/h.wall.Seconds())
	}
	return s
}

// printHiccups writes h's line, if the phase was measured.
func printHiccups(w io.Writer, h hiccups) {
	if h.samples > 0 {
		fmt.Fprintln(w, h)
	}
}

// readSteal returns the host's steal time so far in processor-seconds, from
// /proc/stat, or -1 where there is none (not Linux, no permission).
func readSteal() float64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return -1
	}
	defer f.Close()
	return parseSteal(f)
}

// userHZ is the clock tick of /proc/stat (USER_HZ): 100 on the
// architectures Go runs Linux on.
const userHZ = 100

// parseSteal reads the steal column (the eighth value) of the "cpu" line of
// a /proc/stat, in ticks of 1/userHZ s; -1 when the line or column is missing.
func parseSteal(r io.Reader) float64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		if len(f) < 9 {
			return -1
		}
		n, err := strconv.ParseFloat(f[8], 64)
		if err != nil {
			return -1
		}
		return n / userHZ
	}
	return -1
}
