package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// eraseContacts is the erase-contacts subcommand: it erases the contact
// fields of interviewees whose interview is older than the retention
// (ONSITE_CONTACT_RETENTION, default three years, or -older-than), keeps
// the activities and the rest of each interviewee, and prints how many it
// erased. Run it daily (cron or a systemd timer) against the server's
// database.
func eraseContacts(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now func() time.Time) error {
	cfg, err := parseConfig("erase-contacts", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("erase-contacts", flag.ContinueOnError)
	fs.SetOutput(stdout)
	olderThan := fs.Duration("older-than", cfg.ContactRetention, "erase contacts of interviews older than this (ONSITE_CONTACT_RETENTION)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "SQLite file or MySQL DSN (ONSITE_DSN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *olderThan <= 0 {
		return fmt.Errorf("usage: server erase-contacts [-db sqlite|mysql] [-dsn DSN] [-older-than DURATION]")
	}
	a, err := open(ctx, cfg, stdout, now)
	if err != nil {
		return err
	}
	defer a.close()
	n, err := a.acts.EraseContacts(ctx, *olderThan)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased the contacts of %d interviewees older than %v\n", n, *olderThan)
	return nil
}
