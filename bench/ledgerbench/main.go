// Command ledgerbench measures verify-ledger's own work over a large log
// without a database: it synthesises check-in records, encodes each to its
// canonical bytes, and feeds them to the verifier that verify-ledger runs
// (ledger.Verifier: the leaf hash, the comparison with the stored hash, and
// two compact ranges, one of the recomputed and one of the stored hashes),
// then prints leaves per second and the memory it held.
//
//	go run ./bench/ledgerbench -n 10000000
//
// It runs on one processor (GOMAXPROCS=1). Records are made, with their
// stored leaf hashes, a block at a time untimed; what is timed is the
// verifier's work on them. Reading the records from a database or an
// export is not measured.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
)

func main() {
	n := flag.Int("n", 10_000_000, "leaves")
	profile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	runtime.GOMAXPROCS(1)
	// A block of records and their stored leaf hashes is made untimed,
	// then verified timed; the block's memory is the bench's, not the
	// verifier's.
	const block = 4096
	recs, stored := make([]*models.CheckIn, block), make([][]byte, block)
	for i := range recs {
		recs[i] = record()
	}
	var v *ledger.Verifier
	var buf []byte
	var took, cpu time.Duration
	var peakHeap uint64
	var ms runtime.MemStats
	for i := 0; i < *n; i += block {
		m := min(block, *n-i)
		for k, c := range recs[:m] {
			c.UserID = int64((i + k) % 20000)
			c.ClientID = "c-" + strconv.Itoa(i+k)
			c.Lat = 34.5 + float64((i+k)%1000)*1e-4
			c.ReceivedAt = c.ReceivedAt.Add(time.Millisecond)
			b, _ := ledger.Canonical(c)
			stored[k] = ledger.HashLeaf(b)
		}
		if v == nil {
			v = ledger.NewVerifier(nil, nil)
		}
		began, cpuBegan := time.Now(), cpuTime()
		for k, c := range recs[:m] {
			buf, _ = ledger.Append(buf[:0], c)
			if err := v.Add(ledger.Entry{Index: uint64(i + k), Key: c.LeafKey(), Stored: stored[k], Record: buf}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		took += time.Since(began)
		cpu += cpuTime() - cpuBegan
		if i%(256*block) == 0 {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapAlloc)
		}
	}
	res := v.Finish()
	if res.Problems > 0 {
		fmt.Fprintf(os.Stderr, "%d problems\n", res.Problems)
		return
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("%d leaves verified in %v (%v of processor time): %.2f million leaves/s, %.2f million per processor-second\n",
		res.Size, took.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(res.Size)/took.Seconds()/1e6, float64(res.Size)/cpu.Seconds()/1e6)
	fmt.Printf("peak heap in use %.1f MiB, peak resident %.1f MiB (a block of %d records included)\n", float64(peakHeap)/(1<<20), float64(ru.Maxrss)/1024, block)
}

// cpuTime is the processor time the process has used: on a shared host
// it leaves out the time other processes held the processor.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// record is a typical check-in: inside a county, no flags.
func record() *models.CheckIn {
	region, t := int64(157), time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	return &models.CheckIn{PayloadHash: "9f2c3b6d0a6e4f1b8c7d5e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b", Lon: 114.820572, AccuracyM: 15,
		CoordSystem: "GCJ02", WGSLat: 34.828, WGSLon: 114.814, Provider: "gps", DeviceID: "3f1e9c2a-phone", DeviceTime: t, ReceivedAt: t,
		OccurredAt: t, LocalDate: "2026-11-02", RegionID: &region, RegionVersion: 1, Verdict: "INSIDE", EdgeDistanceM: 812.25, Flags: "[]",
		Located: models.Located{{RegionID: 157, RegionVersion: 1, Verdict: "INSIDE", EdgeDistanceM: 812.25}},
		Status:  models.CheckInAccepted, PolicyVersion: "province-default-1"}
}
