// Command soak runs the server for a long time under the load tool while
// a private MariaDB is restarted at intervals, and samples the server's
// memory and goroutines, so that slow leaks and what a restart does to
// latency and to acknowledged check-ins show (docs/performance.md, "Soak").
//
//	go run ./bench/soak                                  # 30 min, a restart every 5 min
//	go run ./bench/soak -duration 3m -restart-every 90s -warmup 1m
//
// It never touches another MariaDB: it initialises its own data directory
// (mariadb-install-db) under -dir and runs mariadbd on -db-port with its
// own socket, and it refuses port 3306. It builds the server and the load
// tool from this checkout, starts the server on that MariaDB, and runs the
// load tool at -rate with -windows, which verifies the database at the end
// (every acknowledged check-in once, unknown outcomes settled). Meanwhile
// it restarts mariadbd every -restart-every (SIGTERM, or -restart-signal
// KILL) and reads the server's /metrics every -sample-every. At the end it
// prints, and writes to -dir/summary.txt, the restarts, the samples, the
// memory and goroutines after -warmup, and the checkIn p99 per window away
// from restarts and across them; the run's files stay in -dir. It exits 1
// when the load tool's verification fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	duration, restartEvery, sampleEvery, window, warmup time.Duration
	restartSignal                                       string
	rate                                                float64
	phones, dbPort                                      int
	addr, metricsAddr, dir, mariadbd, installDB         string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	ok, err := run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.DurationVar(&c.duration, "duration", 30*time.Minute, "length of the load")
	fs.DurationVar(&c.restartEvery, "restart-every", 5*time.Minute, "restart the private MariaDB this often during the load")
	fs.StringVar(&c.restartSignal, "restart-signal", "TERM", "how MariaDB is stopped for a restart: TERM (clean shutdown) or KILL (a crash)")
	fs.DurationVar(&c.sampleEvery, "sample-every", 10*time.Second, "read the server's /metrics this often")
	fs.DurationVar(&c.window, "window", 30*time.Second, "the load tool's latency window (-windows)")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Minute, "memory and goroutines are judged after this much of the load")
	fs.Float64Var(&c.rate, "rate", 1000, "requests per second offered by the load tool")
	fs.IntVar(&c.phones, "phones", 200, "simulated phones")
	fs.IntVar(&c.dbPort, "db-port", 3407, "port of the private MariaDB (never 3306)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:18480", "the server's listen address")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "127.0.0.1:18481", "the server's operations listener (ONSITE_METRICS_ADDR), read for /metrics")
	fs.StringVar(&c.dir, "dir", "", "working directory for the database, binaries, logs and results (default: a new one under the system's temporary directory)")
	fs.StringVar(&c.mariadbd, "mariadbd", "/usr/sbin/mariadbd", "the MariaDB server binary")
	fs.StringVar(&c.installDB, "install-db", "mariadb-install-db", "the MariaDB data directory initialiser")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.dbPort == 3306:
		return nil, errors.New("-db-port 3306 is the shared MariaDB's; the soak restarts its database and needs one of its own")
	case c.restartSignal != "TERM" && c.restartSignal != "KILL":
		return nil, fmt.Errorf("-restart-signal %q: want TERM or KILL", c.restartSignal)
	case c.duration <= 0 || c.restartEvery <= 0 || c.sampleEvery <= 0 || c.window <= 0:
		return nil, errors.New("durations must be positive")
	}
	return c, nil
}

// run is the whole soak; ok is whether the load tool's verification passed.
func run(ctx context.Context, cfg *config, stdout io.Writer) (ok bool, err error) {
	if cfg.dir == "" {
		if cfg.dir, err = os.MkdirTemp("", "onsite-soak-"); err != nil {
			return false, err
		}
	}
	if cfg.dir, err = filepath.Abs(cfg.dir); err != nil {
		return false, err
	}
	fmt.Fprintf(stdout, "soak in %s: %s at %.0f requests/s, MariaDB on port %d restarted (SIG%s) every %s\n",
		cfg.dir, cfg.duration, cfg.rate, cfg.dbPort, cfg.restartSignal, cfg.restartEvery)
	bin, err := build(ctx, cfg.dir)
	if err != nil {
		return false, err
	}
	db := &mariadb{bin: cfg.mariadbd, installDB: cfg.installDB, dir: filepath.Join(cfg.dir, "mariadb"), port: cfg.dbPort}
	if err := db.init(ctx); err != nil {
		return false, err
	}
	if err := db.start(ctx); err != nil {
		return false, err
	}
	defer db.stop(syscall.SIGTERM)
	if err := db.createDatabase(ctx, "onsite_soak"); err != nil {
		return false, err
	}
	dsn := db.dsn("onsite_soak")
	srv, err := startServer(ctx, bin, cfg, dsn)
	if err != nil {
		return false, err
	}
	defer srv.stop()

	load, err := startLoad(ctx, bin, cfg, dsn)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(stdout, "load started (its output: %s)\n", load.outPath)
	res := &results{cfg: cfg, loadStart: load.started}
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() { defer close(sampled); res.sample(ctx, "http://"+cfg.metricsAddr+"/metrics", done) }()
	restarted := make(chan struct{})
	go func() { defer close(restarted); res.restarts(ctx, db, done, stdout) }()
	code := load.wait()
	close(done)
	<-sampled
	<-restarted
	srv.stop()
	db.stop(syscall.SIGTERM)

	if err := res.readWindows(load.outPath); err != nil {
		fmt.Fprintf(stdout, "reading the load's windows: %v\n", err)
	}
	summary, err := os.Create(filepath.Join(cfg.dir, "summary.txt"))
	if err != nil {
		return false, err
	}
	defer summary.Close()
	w := io.MultiWriter(stdout, summary)
	res.print(w)
	if err := res.writeSamples(filepath.Join(cfg.dir, "samples.csv")); err != nil {
		return false, err
	}
	verification, err := verificationLines(load.outPath)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "\nthe load tool (exit %d):\n%s", code, verification)
	fmt.Fprintf(w, "\nfiles: %s (samples.csv, load.out, server.log, mariadb/)\n", cfg.dir)
	if res.failedReads > 0 {
		fmt.Fprintf(w, "metrics: %d reads of /metrics failed, the last: %v\n", res.failedReads, res.lastReadErr)
	}
	if len(res.samples) == 0 {
		fmt.Fprintf(w, "FAILED: no reading of the server's /metrics succeeded; memory and goroutines are unknown\n")
		return false, nil
	}
	return code == 0, nil
}

// mb formats bytes in MiB.
func mb(b float64) string { return strconv.FormatFloat(b/(1<<20), 'f', 1, 64) }
