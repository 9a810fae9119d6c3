// Command server runs the onsite API.
//
//	go run ./server                 # SQLite file onsite.db in the working directory
//	ONSITE_DB=mysql ONSITE_DSN='user:pw@tcp(host:3306)/onsite' go run ./server
//	go run ./server import-regions --kind campus [--datum WGS84] FILE.geojson
//	go run ./server create-admin -role SECURITY_ADMIN -username secadmin2
//	go run ./server ledger-key [-rotate]       # the ledger's verifier keys, for the inspectors
//	go run ./server witness -url URL -state DIR -key VKEY
//	go run ./server export-ledger -o FILE
//	go run ./server verify-ledger -checkpoint CP [-export FILE]
//	go run ./server verify-draw -seminar N | -preimage FILE   # recompute a seminar's speaker draw (R9)
//	go run ./server verify-spot-check -document F [-leaf H]   # redo a spot check's draw offline (R11)
//
// The first word is the command: serve (the default), import-regions,
// create-admin or one of the ledger's (docs/ledger.md); any other word, or
// an argument left after the flags, is an error.
// Configuration is environment variables with matching flags (see
// config.go and the README). SIGINT or SIGTERM shut it down gracefully:
// a drain first (answers close their connections, drain.go), then
// in-flight requests finish.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// gcPercent is the server's GOGC unless the environment sets one. Its live
// heap is small and every request allocates, so Go's default collects
// often under load; a larger heap between collections does a quarter of
// them (docs/performance.md).
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "onsite:", err)
		os.Exit(1)
	}
}

// commandList names run's commands, for the errors that refuse others.
const commandList = "commands: serve (the default: run the API server), import-regions (load counties or campuses from GeoJSON), " +
	"create-admin (an administrator account with a one-time password), " +
	"ledger-key (print or rotate the checkpoint key), witness (check the server's checkpoint), export-ledger, verify-ledger, " +
	"erase-contacts (erase interviewees' contacts older than the retention), demo (build a demonstration province), " +
	"verify-draw (recompute a seminar's speaker draw), verify-spot-check (redo a spot check's draw from its document)"

// run starts the server (or a subcommand) and returns when ctx is cancelled
// and in-flight requests have finished, or on a start-up error: an unknown
// command, a setting that does not parse, a database that does not open.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return runWith(ctx, args, getenv, stdout, runOptions{now: time.Now})
}

// runOptions are what tests change in run: the clock, and hooks that tell
// them when the server has reached a state instead of making them wait.
type runOptions struct {
	now      func() time.Time                // the clock of every part; never nil
	started  func(a *app, addr net.Addr)     // the server listens at addr; may be nil
	handler  func(http.Handler) http.Handler // wraps the server's handler; may be nil
	stopping func()                          // shutdown has begun: listeners closed, requests in flight; may be nil
}

// runWith is run with the clock and hooks in opts.
func runWith(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, opts runOptions) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseConfig("serve", args, getenv, stdout)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, opts)
	case "import-regions":
		return importRegions(ctx, args, getenv, stdout, opts.now)
	case "create-admin":
		return createAdmin(ctx, args, getenv, stdout, opts.now)
	case "ledger-key":
		return ledgerKey(args, getenv, stdout)
	case "witness":
		return witness(ctx, args, getenv, stdout, opts.now)
	case "export-ledger":
		return exportLedger(ctx, args, getenv, stdout)
	case "verify-ledger":
		return verifyLedger(ctx, args, getenv, stdout)
	case "erase-contacts":
		return eraseContacts(ctx, args, getenv, stdout, opts.now)
	case "demo":
		return demoProvince(ctx, args, getenv, stdout, opts.now)
	case "verify-draw":
		return verifyDraw(ctx, args, getenv, stdout)
	case "verify-spot-check":
		return verifySpotCheck(args, stdout)
	}
	return fmt.Errorf("unknown command %q; %s", cmd, commandList)
}
