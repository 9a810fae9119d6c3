// Command server runs the onsite API.
//
//	go run ./server                 # SQLite file onsite.db in the working directory
//	ONSITE_DB=mysql ONSITE_DSN='user:pw@tcp(host:3306)/onsite' go run ./server
//	go run ./server import-regions --kind campus [--datum WGS84] FILE.geojson
//
// Configuration is environment variables with matching flags (see
// config.go and the README). SIGINT or SIGTERM shut it down gracefully:
// in-flight requests finish first.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// gcPercent is the server's GOGC unless the environment sets one. Its live
// heap is small (about 12 MB with the Henan counties) and every request
// allocates, so Go's default of 100 collected about five times a second
// under load, about a tenth of the server's CPU; 400 lets the heap grow to
// some 60 MB between collections and does a quarter of the collections.
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

// run starts the server (or a subcommand) and returns when ctx is cancelled
// and in-flight requests have finished, or on a start-up error.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			args = args[1:]
		case "import-regions":
			return importRegions(ctx, args[1:], getenv, stdout)
		}
	}
	cfg, err := parseConfig("server", args, getenv, stdout)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, stdout)
}
