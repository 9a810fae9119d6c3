package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/henan-youth/onsite/demo"
)

// demoProvince is the demo subcommand: it builds a demonstration province
// (demo package) into the configured database, which must hold nothing but
// the bootstrap, and prints how to sign in. Its accounts' password hashes
// are made at bcrypt cost 4, so that 300 accounts are made in seconds: the
// demo's accounts and password are public.
func demoProvince(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now func() time.Time) error {
	cfg, err := parseConfig("demo", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	seed := fs.Uint64("seed", 2022, "the same seed gives the same province")
	cadres := fs.Int("cadres", 300, "dispatched cadres, about")
	password := fs.String("password", "Demo-pass-2022", "every demo account's password")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "SQLite file or MySQL DSN (ONSITE_DSN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("usage: server demo [-db sqlite|mysql] [-dsn DSN] [-seed N] [-cadres N] [-password P]")
	}
	cfg.BcryptCost = 4
	clock := &demo.Clock{}
	clock.Set(now())
	a, err := open(ctx, cfg, stdout, clock.Now)
	if err != nil {
		return err
	}
	defer a.close()
	sum, err := demo.Seed(ctx, demo.Deps{Store: a.store, Accounts: a.accounts, CheckIns: a.checkins, Activities: a.acts, Clock: clock,
		Summaries: a.summaries, MakeUps: a.makeups, Absences: a.absences, Seminars: a.seminars},
		demo.Options{Seed: *seed, Cadres: *cadres, Today: now(), Password: *password, Log: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo province: %d org units, %d cadres in %d work groups, %d check-ins, %d activities, %d rulings, "+
		"%d work summaries (%d returned), %d annual reports, %d make-up requests, %d absences (%d withdrawn), %d seminars with %d talks\n",
		sum.Units, sum.Cadres, sum.Groups, sum.CheckIns, sum.Activities, sum.Reviews, sum.Summaries, sum.Returned, sum.Reports,
		sum.MakeUps, sum.Absences, sum.Withdrawn, sum.Seminars, sum.Talks)
	fmt.Fprintf(stdout, "sign in with password %q as:\n", *password)
	for _, acc := range sum.Accounts {
		fmt.Fprintf(stdout, "  %-16s %-11s %s\n", acc.Username, acc.Role, acc.Unit)
	}
	return nil
}
