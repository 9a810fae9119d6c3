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
	"syscall"
)

func main() {
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
