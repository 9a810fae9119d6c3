//go:build linux

// Command burn takes a share of every processor in bursts, so the check-in
// load tool can be run against a host that is slower or that stalls, on
// demand, instead of waiting for an hour when the hypervisor steals time.
//
//	go build -o /tmp/burn ./bench/burn
//	/tmp/burn -share 0.25 -burst 2ms &              # a busier host: a neighbour at normal priority
//	chrt -f 10 /tmp/burn -share 0.05 -burst 20ms &  # a stalling host: 20 ms stalls, like steal
//
// One thread per processor, pinned to it, spins for -burst and then sleeps
// for an exponentially distributed time with the mean that makes spinning
// -share of its processor's time. Bursts on different processors start
// independently, or with -together at the same instants. Under SCHED_FIFO
// (chrt -f) nothing else of the same or lower class runs on that processor
// during a burst: the machine stalls there as it does when the host takes
// the processor away. At normal priority the scheduler shares a busy
// processor, so the burner gets less than it asks for. It runs until
// interrupted (SIGINT, SIGTERM) or for -for, and then prints the processor
// time it used (getrusage), which is what it took from the rest.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	share := flag.Float64("share", 0.25, "fraction of each processor to take, in (0, 1)")
	burst := flag.Duration("burst", 2*time.Millisecond, "length of one burst")
	total := flag.Duration("for", 0, "stop after this long (0: run until interrupted)")
	together := flag.Bool("together", false, "stall every processor at the same times (the whole machine stalls) instead of each on its own")
	flag.Parse()
	if *share <= 0 || *share >= 1 || *burst <= 0 {
		fmt.Fprintln(os.Stderr, "burn: -share must be in (0, 1) and -burst positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *total > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *total)
		defer cancel()
	}
	start := time.Now()
	seed := rand.Uint64()
	var wg sync.WaitGroup
	for cpu := range runtime.NumCPU() {
		wg.Go(func() { burnOn(ctx, cpu, start, schedule(seed, cpu, *together), *share, *burst) })
	}
	wg.Wait()
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		fmt.Fprintf(os.Stderr, "burn: getrusage: %v\n", err)
		os.Exit(1)
	}
	used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	elapsed := time.Since(start)
	fmt.Printf("burn: used %.2f processor-s in %.1f s (%.3f cores)\n", used.Seconds(), elapsed.Seconds(), used.Seconds()/elapsed.Seconds())
}

// schedule is the random source of processor cpu's gaps: the same for every
// processor when together, so all of them burst at the same times (burnOn
// keeps an absolute timetable, which does not drift apart).
func schedule(seed uint64, cpu int, together bool) *rand.Rand {
	if together {
		cpu = 0
	}
	return rand.New(rand.NewPCG(seed, uint64(cpu)))
}

// burnOn spins on processor cpu in bursts until ctx is done. Its bursts
// keep a timetable from start: each begins a gap drawn from gaps after the
// previous one's end. It exits the process when the thread cannot be
// pinned: unpinned bursts would not be the per-processor stalls asked for.
func burnOn(ctx context.Context, cpu int, start time.Time, gaps *rand.Rand, share float64, burst time.Duration) {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		fmt.Fprintf(os.Stderr, "burn: pin to processor %d: %v\n", cpu, err)
		os.Exit(1)
	}
	meanGap := float64(burst) * (1 - share) / share
	next := start
	for ctx.Err() == nil {
		next = next.Add(time.Duration(gaps.ExpFloat64() * meanGap))
		time.Sleep(time.Until(next))
		end := next.Add(burst)
		for time.Now().Before(end) {
		}
		next = end
	}
}
