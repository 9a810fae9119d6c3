// Command load drives a running onsite server with simulated phones and
// checks afterwards that the database holds exactly what was acknowledged
// (docs/performance.md).
//
//	go run ./bench/load -url http://127.0.0.1:8080/graphql -admin-password … \
//	    -phones 200 -duration 20s -baseline -db mysql -dsn 'user:pw@tcp(127.0.0.1:3306)/onsite'
//
// Setup (not timed): as admin it creates an org unit and one cadre per phone
// (names carry a run id, so reruns do not collide), assigns each cadre to a
// bundled Henan county round-robin, and logs every phone in on its own device.
//
// Load (timed): each phone is a goroutine sending requests one after another,
// like a real phone: live checkIn mutations at points inside its county (some
// outside Henan, some on the county edge, some with a mock-location flag),
// offline syncCheckIns batches dated up to three days back, and resends of
// acknowledged inputs with the same clientId, which must be answered
// replayed with the same check-in id. A transport failure or UNAVAILABLE is
// retried with the same id and payload a few times; if no attempt answers,
// the outcome is unknown. After the load every unknown outcome is settled:
// the input is resent with its id until answered (-settle-timeout).
//
// With -ledger-sample N (200 by default) it then checks the evidence
// ledger: N acknowledged check-ins at random, each in a signed checkpoint
// within the server's bound (-ledger-bound plus -ledger-margin, measured
// from its acknowledgement by reading GET /ledger/checkpoint throughout the
// load), and each one's inclusion proof, fetched over GraphQL as admin,
// verified against that checkpoint's root (inclusion.go).
//
// With -baseline the same phones then send -baseline-op (by default
// `mutation { ping }`, an authenticated mutation that writes nothing) for
// the same duration, and the ratios are printed.
//
// Verification reads the database (-db, -dsn) read-only: every acknowledged
// check-in exists exactly once with the answered id, status, date and
// region, and no check-in is stored twice under different client ids (the
// same cadre, device time and coordinates); nothing answered with an error
// was stored; no outcome is still unknown; presence_days equals a
// recomputation from the counting check-ins. Without -db and -dsn it
// refuses to run unless -no-verify says that nothing is to be verified. It
// exits 1 when verification fails, 2 on a usage or setup error.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	url, adminUser, adminPassword, password string
	phones, concurrency, checkins           int
	setupConcurrency                        int
	rate                                    float64
	duration, timeout                       time.Duration
	offlineFraction, retryFraction          float64
	outsideFraction, borderFraction         float64
	mockFraction                            float64
	baseline                                bool
	baselineOp                              string
	db, dsn, runID                          string
	noVerify                                bool
	settleTimeout, windows                  time.Duration
	ledgerSample                            int
	ledgerBound, ledgerMargin               time.Duration
	ledgerKey                               string
	cpuProfile                              string
	seed                                    int64
}

// errVerify marks a run whose verification failed.
var errVerify = errors.New("verification failed")

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // a small live heap churned by every request: collect less often (the server does the same)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errVerify):
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
}

// parseFlags reads the command line; the admin password may come from
// ONSITE_ADMIN_PASSWORD. It fails on a bad flag or an impossible mix.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint of the running server")
	fs.StringVar(&c.adminUser, "admin-user", "admin", "admin username for setup")
	fs.StringVar(&c.adminPassword, "admin-password", getenv("ONSITE_ADMIN_PASSWORD"), "admin password (default $ONSITE_ADMIN_PASSWORD)")
	fs.StringVar(&c.password, "password", "load-pass-123", "password of the created cadres")
	fs.IntVar(&c.phones, "phones", 200, "simulated phones, one cadre and device each")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "length of the load phase (and of the baseline)")
	fs.IntVar(&c.checkins, "checkins", 0, "new check-ins per phone instead of -duration (baseline: requests per phone)")
	fs.IntVar(&c.concurrency, "concurrency", 0, "requests in flight at most (default: -phones, one per phone)")
	fs.Float64Var(&c.rate, "rate", 0, "requests per second offered by all phones together, each phone on its own schedule (0: every phone sends its next request as soon as it is answered — a closed loop, for the maximum throughput)")
	fs.IntVar(&c.setupConcurrency, "setup-concurrency", 4, "parallel setup requests (logins are rate-limited per address)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.Float64Var(&c.offlineFraction, "offline-fraction", 0.1, "fraction of check-ins sent in syncCheckIns batches of 5–20")
	fs.Float64Var(&c.retryFraction, "retry-fraction", 0.05, "fraction of requests that resend an acknowledged input unchanged")
	fs.Float64Var(&c.outsideFraction, "outside-fraction", 0.05, "fraction of fixes far outside Henan")
	fs.Float64Var(&c.borderFraction, "border-fraction", 0.05, "fraction of fixes within ~30 m of the county edge (50 m accuracy)")
	fs.Float64Var(&c.mockFraction, "mock-fraction", 0.02, "fraction of fixes with mockLocation: true")
	fs.BoolVar(&c.baseline, "baseline", false, "also run -baseline-op with the same phones and duration, and print the ratio")
	fs.StringVar(&c.baselineOp, "baseline-op", "mutation { ping }", "the baseline: a trivial authenticated operation that writes nothing")
	fs.StringVar(&c.db, "db", "", "database of the server for verification: sqlite or mysql (required unless -no-verify)")
	fs.StringVar(&c.dsn, "dsn", "", "SQLite file path or MySQL DSN of that database")
	fs.BoolVar(&c.noVerify, "no-verify", false, "measure only: verify nothing against the database (instead of -db and -dsn)")
	fs.DurationVar(&c.windows, "windows", 0, "also print checkIn answers, errors and latency per window of this width (0: not)")
	fs.DurationVar(&c.settleTimeout, "settle-timeout", 2*time.Minute, "after the load, how long to go on resending inputs whose outcome is unknown")
	fs.IntVar(&c.ledgerSample, "ledger-sample", 200, "acknowledged check-ins whose inclusion in a signed ledger checkpoint is checked after the load (0: none)")
	fs.DurationVar(&c.ledgerBound, "ledger-bound", 2*time.Second, "the server's bound from a check-in's commit to a signed checkpoint covering it: its ledger interval plus one step (docs/ledger.md)")
	fs.DurationVar(&c.ledgerMargin, "ledger-margin", time.Second, "added to -ledger-bound before an inclusion delay fails: the checkpoint is read every 100ms over HTTP on a shared host")
	fs.StringVar(&c.ledgerKey, "ledger-key", "", "the ledger's verifier key (go run ./server ledger-key): the checkpoint's signature is checked too")
	fs.StringVar(&c.runID, "run-id", "", "names the org unit and users (default: time and random suffix)")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write this tool's CPU profile of the load phase (and baseline) to this file")
	fs.Int64Var(&c.seed, "seed", 0, "random seed for the mix and the points (0: pick one; it is printed)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./bench/load [flags]\n\nDrives a running onsite server with simulated phones, reports throughput and latency,\nthen verifies the database against what was acknowledged.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.concurrency <= 0 {
		c.concurrency = c.phones
	}
	if c.runID == "" {
		var b [2]byte
		_, _ = rand.Read(b[:])
		c.runID = time.Now().Format("0102-150405") + "-" + hex.EncodeToString(b[:])
	}
	if c.seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		c.seed = int64(binary.LittleEndian.Uint64(b[:])>>2) + 1
	}
	for name, f := range map[string]float64{"offline": c.offlineFraction, "retry": c.retryFraction,
		"outside": c.outsideFraction, "border": c.borderFraction, "mock": c.mockFraction} {
		if f < 0 || f > 1 {
			return nil, fmt.Errorf("-%s-fraction %v is not in [0, 1]", name, f)
		}
	}
	switch {
	case c.phones < 1:
		return nil, fmt.Errorf("-phones must be at least 1")
	case c.offlineFraction >= 1:
		return nil, fmt.Errorf("-offline-fraction must be below 1")
	case c.outsideFraction+c.borderFraction > 1:
		return nil, fmt.Errorf("-outside-fraction plus -border-fraction exceed 1")
	case c.checkins == 0 && c.duration <= 0:
		return nil, fmt.Errorf("give a positive -duration or -checkins")
	case c.adminPassword == "":
		return nil, fmt.Errorf("no admin password: give -admin-password or set ONSITE_ADMIN_PASSWORD")
	case (c.db == "") != (c.dsn == ""):
		return nil, fmt.Errorf("-db and -dsn go together")
	case c.db == "" && !c.noVerify:
		return nil, fmt.Errorf("no -db and -dsn: nothing would be verified; give the server's database, or -no-verify to measure without verifying")
	case c.db != "" && c.noVerify:
		return nil, fmt.Errorf("-no-verify and -db exclude each other")
	case c.ledgerSample < 0 || c.ledgerBound <= 0 || c.ledgerMargin < 0:
		return nil, fmt.Errorf("-ledger-sample and -ledger-margin cannot be negative, -ledger-bound must be positive")
	}
	return c, nil
}

// run is the whole tool: setup, load, optional baseline, report, verify.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	at, err := loadAtlas()
	if err != nil {
		return err
	}
	cl := newClient(cfg.url, cfg.phones, cfg.timeout)
	fmt.Fprintf(stdout, "run %s, seed %d, %d phones against %s\n", cfg.runID, cfg.seed, cfg.phones, cfg.url)
	t0 := time.Now()
	fl, err := setup(ctx, cfg, cl, at, stdout)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fmt.Fprintf(stdout, "setup done in %.1fs\n", time.Since(t0).Seconds())
	var v *verifier
	if cfg.db != "" {
		if v, err = openVerifier(ctx, cfg.db, cfg.dsn); err != nil {
			return err
		}
		defer v.db.Close()
		if err := v.snapshot(ctx, fl.phones); err != nil {
			return fmt.Errorf("read check_ins before the run: %w", err)
		}
		if len(v.pre) > 0 {
			fmt.Fprintf(stdout, "note: the load users already have %d check-ins (rerun of run id %s); they are left out\n", len(v.pre), cfg.runID)
		}
	}
	d := &driver{cfg: cfg, cl: cl, at: at, sem: make(chan struct{}, cfg.concurrency)}
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	var pl *poller
	if cfg.ledgerSample > 0 {
		cpURL, err := checkpointURL(cfg.url)
		if err != nil {
			return err
		}
		pl = startPoller(ctx, cpURL, cl.http)
	}
	fmt.Fprintf(stdout, "load: %s\n", describeLength(cfg))
	meter := startHiccups()
	wall := d.run(ctx, fl.phones, false)
	hiccups := meter.stop()
	d.settle(ctx, fl.phones, cfg.settleTimeout)
	var inc *inclusion
	if pl != nil {
		if inc, err = checkInclusion(context.WithoutCancel(ctx), cfg, cl, pl, fl.phones); err != nil {
			return err
		}
	}
	sum := summarize(fl.phones, wall)
	sum.hiccups = hiccups
	var base *summary
	if cfg.baseline && ctx.Err() == nil {
		recs := make([]*recorder, len(fl.phones))
		for i, p := range fl.phones {
			recs[i], p.rec = p.rec, newRecorder()
		}
		fmt.Fprintf(stdout, "baseline: %s\n", cfg.baselineOp)
		meter := startHiccups()
		base = summarize(fl.phones, d.run(ctx, fl.phones, true))
		base.hiccups = meter.stop()
		for i, p := range fl.phones {
			p.rec = recs[i]
		}
	}
	report(stdout, cfg, sum, base)
	if sum.acked == 0 {
		return fmt.Errorf("%w: no check-in was acknowledged", errVerify)
	}
	ok := true
	if v == nil {
		fmt.Fprintln(stdout, "\nNOT VERIFIED (-no-verify): nothing above was checked against the database")
	} else {
		vd, err := v.verify(context.WithoutCancel(ctx), fl.phones, stdout)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		ok = vd.ok() && sum.replayBad == 0
	}
	if inc != nil {
		inc.print(stdout)
		ok = ok && inc.ok()
	}
	if !ok {
		return errVerify
	}
	return nil
}

// describeLength says how long the load phase runs.
func describeLength(cfg *config) string {
	if cfg.checkins > 0 {
		return fmt.Sprintf("%d check-ins per phone", cfg.checkins)
	}
	return cfg.duration.String()
}

// startCPUProfile profiles this process into path until the returned
// function is called; it fails when path cannot be created.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
