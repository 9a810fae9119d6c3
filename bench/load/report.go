package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// summary merges the recorders of every phone for one phase.
type summary struct {
	wall     time.Duration
	lat      map[string][]time.Duration
	sched    map[string][]time.Duration // from the due time (recorder.request)
	reqs     map[string]int
	errs     map[string]map[string]int
	itemErrs map[string]int
	items    int

	acked, ackedOffline int
	rejected, unknown   int
	rejectedBy          map[string]int
	unknownBy           map[string]int // by the last error code
	byStatus            map[string]int
	byKind              map[string]map[string]int // kind → status → n
	flags               map[string]int            // flags raised on acknowledged check-ins

	replayOK, replayBad int
	replayedFirst       int
	settled             settleTally // resends of the outcomes the load left unknown
	timeline            *timeline   // checkIn over time (-windows); nil without
	problems            []string
	renewals            int
	hiccups             hiccups // of the machine during the phase (hiccup.go)
}

// summarize merges the phones' recorders.
func summarize(phones []*phone, wall time.Duration) *summary {
	s := &summary{
		wall: wall, lat: map[string][]time.Duration{}, sched: map[string][]time.Duration{}, reqs: map[string]int{}, errs: map[string]map[string]int{},
		itemErrs: map[string]int{}, rejectedBy: map[string]int{}, unknownBy: map[string]int{}, byStatus: map[string]int{}, byKind: map[string]map[string]int{},
		flags: map[string]int{}, settled: settleTally{unknownBy: map[string]int{}},
	}
	for _, p := range phones {
		r := p.rec
		for k, v := range r.lat {
			s.lat[k] = append(s.lat[k], v...)
		}
		for k, v := range r.sched {
			s.sched[k] = append(s.sched[k], v...)
		}
		for k, v := range r.reqs {
			s.reqs[k] += v
		}
		for k, m := range r.errs {
			if s.errs[k] == nil {
				s.errs[k] = map[string]int{}
			}
			for c, n := range m {
				s.errs[k][c] += n
			}
		}
		for c, n := range r.itemErrs {
			s.itemErrs[c] += n
		}
		s.items += r.items
		s.replayOK += r.replayOK
		s.replayBad += r.replayBad
		s.replayedFirst += r.replayedFirst
		s.renewals += r.renewals
		for c, n := range r.settled.unknownBy {
			s.settled.unknownBy[c] += n
		}
		s.settled.found += r.settled.found
		s.settled.stored += r.settled.stored
		s.settled.rejected += r.settled.rejected
		if r.timeline != nil {
			if s.timeline == nil {
				s.timeline = &timeline{start: r.timeline.start, width: r.timeline.width}
			}
			s.timeline.merge(r.timeline)
		}
		for _, pr := range r.problems {
			if len(s.problems) < maxProblems {
				s.problems = append(s.problems, p.username+": "+pr)
			}
		}
		for _, x := range r.order {
			s.add(x)
		}
	}
	return s
}

// add counts one input by outcome, status and kind.
func (s *summary) add(x *sent) {
	switch x.outcome {
	case outcomeAcked:
		s.acked++
		if x.offline {
			s.ackedOffline++
		}
		s.byStatus[x.ack.Status]++
		if s.byKind[x.kind] == nil {
			s.byKind[x.kind] = map[string]int{}
		}
		s.byKind[x.kind][x.ack.Status]++
		for _, f := range x.ack.Flags {
			s.flags[f]++
		}
	case outcomeRejected:
		s.rejected++
		s.rejectedBy[x.code]++
	default:
		s.unknown++
		s.unknownBy[x.code]++
	}
}

// total is the sum of m's counts.
func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// okCount returns the error-free requests of series.
func (s *summary) okCount(series string) int {
	n := s.reqs[series]
	for _, c := range s.errs[series] {
		n -= c
	}
	return n
}

// percentile returns the q-quantile (0 < q ≤ 1) of ds by the nearest-rank
// method, or 0 for no samples. ds is not modified.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// perSecond returns n per second of wall, 0 for no time.
func perSecond(n int, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return float64(n) / wall.Seconds()
}

// codes formats counts by code, largest first: "INVALID 3, CONFLICT 1".
func codes(m map[string]int) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// printTable writes the latency table for the given series of s. Under a
// series measured from its due times too, a row "  from schedule" gives
// those (recorder.request).
func printTable(w io.Writer, s *summary, series ...string) {
	fmt.Fprintf(w, "%-22s %9s %9s %9s %9s %9s %9s %9s\n", "operation", "requests", "ok", "ok/s", "p50", "p95", "p99", "max")
	for _, k := range series {
		if s.reqs[k] == 0 {
			continue
		}
		fmt.Fprintf(w, "%-22s %9d %9d %9.1f %s\n", k, s.reqs[k], s.okCount(k), perSecond(s.okCount(k), s.wall), quantiles(s.lat[k]))
		if l := s.sched[k]; len(l) > 0 {
			fmt.Fprintf(w, "%-22s %9s %9d %9s %s\n", "  from schedule", "", len(l), "", quantiles(l))
		}
	}
}

// quantiles formats the p50, p95, p99 and max columns of a table row.
func quantiles(l []time.Duration) string {
	return fmt.Sprintf("%9s %9s %9s %9s", ms(percentile(l, .50)), ms(percentile(l, .95)), ms(percentile(l, .99)), ms(percentile(l, 1)))
}

// report prints the check-in phase and, when base is not nil, the baseline
// and the ratios. Latencies are of round trips answered without error.
func report(w io.Writer, cfg *config, s, base *summary) {
	fmt.Fprintf(w, "\n== check-ins: %d phones, concurrency %d, %.1fs wall ==\n", cfg.phones, cfg.concurrency, s.wall.Seconds())
	printTable(w, s, seriesCheckIn, seriesCheckInReplay, seriesSync, seriesSyncReplay, seriesSettle)
	printHiccups(w, s.hiccups)
	rate := perSecond(s.acked, s.wall)
	fmt.Fprintf(w, "check-ins acknowledged: %d (live %d, offline %d in %d batch items) = %.1f check-ins/s\n",
		s.acked, s.acked-s.ackedOffline, s.ackedOffline, s.items, rate)
	fmt.Fprintf(w, "  by status: %s\n", codes(s.byStatus))
	kinds := slices.Sorted(maps.Keys(s.byKind))
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-14s %s\n", k+":", codes(s.byKind[k]))
	}
	fmt.Fprintf(w, "  flags raised: %s\n", codes(s.flags))
	fmt.Fprintf(w, "not acknowledged: %d rejected (%s)\n", s.rejected, codes(s.rejectedBy))
	st := s.settled
	fmt.Fprintf(w, "unknown outcomes after the load: %d (%s); resent with their ids until answered: %d found stored (replayed), %d stored now, %d rejected; %d still unknown (%s)\n",
		total(st.unknownBy), codes(st.unknownBy), st.found, st.stored, st.rejected, s.unknown, codes(s.unknownBy))
	if s.replayedFirst > 0 {
		fmt.Fprintf(w, "first answers that were replays (an earlier attempt was stored, its answer lost): %d\n", s.replayedFirst)
	}
	for _, k := range []string{seriesCheckIn, seriesCheckInReplay, seriesSync, seriesSyncReplay, seriesSettle} {
		if len(s.errs[k]) > 0 {
			fmt.Fprintf(w, "request errors, %s: %s\n", k, codes(s.errs[k]))
		}
	}
	if len(s.itemErrs) > 0 {
		fmt.Fprintf(w, "syncCheckIns item errors: %s\n", codes(s.itemErrs))
	}
	fmt.Fprintf(w, "retries of acknowledged inputs: %d answered replayed with the same id, %d wrong\n", s.replayOK, s.replayBad)
	if s.renewals > 0 {
		fmt.Fprintf(w, "access tokens renewed: %d\n", s.renewals)
	}
	for _, p := range s.problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	printWindows(w, s.timeline)
	if base == nil {
		return
	}
	fmt.Fprintf(w, "\n== baseline %q: same phones, %.1fs wall ==\n", cfg.baselineOp, base.wall.Seconds())
	printTable(w, base, seriesBaseline)
	printHiccups(w, base.hiccups)
	if len(base.errs[seriesBaseline]) > 0 {
		fmt.Fprintf(w, "request errors, baseline: %s\n", codes(base.errs[seriesBaseline]))
	}
	bok := base.okCount(seriesBaseline)
	if bok == 0 {
		fmt.Fprintln(w, "baseline: no request succeeded; does the server expose the baseline operation (ping: Boolean!)?")
		return
	}
	brate := perSecond(bok, base.wall)
	bl, cl := base.lat[seriesBaseline], s.lat[seriesCheckIn]
	fmt.Fprintf(w, "\n== ratio ==\n")
	fmt.Fprintf(w, "throughput: %.1f check-ins/s vs %.1f baseline/s = %.3f of baseline, baseline %.1f× (checkIn requests alone: %.3f)\n",
		rate, brate, rate/brate, brate/max(rate, 1e-9), perSecond(s.okCount(seriesCheckIn), s.wall)/brate)
	for _, q := range []float64{.50, .99} {
		c, b := percentile(cl, q), percentile(bl, q)
		if b > 0 {
			fmt.Fprintf(w, "checkIn p%.0f %s vs baseline %s = %.2f×\n", q*100, ms(c), ms(b), float64(c)/float64(b))
		}
	}
	if cs, bs := s.sched[seriesCheckIn], base.sched[seriesBaseline]; len(cs) > 0 && len(bs) > 0 {
		if c, b := percentile(cs, .99), percentile(bs, .99); b > 0 {
			fmt.Fprintf(w, "checkIn p99 from schedule %s vs baseline %s = %.2f×\n", ms(c), ms(b), float64(c)/float64(b))
		}
	}
}
