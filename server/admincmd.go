package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// createAdmin is the create-admin subcommand: it creates an account of one
// of the three administrator roles in the root org unit — or, for an
// existing account of that role and name, replaces its password (a lost
// one) — with a random password printed once, which must be changed at
// first sign-in. The API never creates the security and audit
// administrators; this command and the first start do.
func createAdmin(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now func() time.Time) error {
	cfg, err := parseConfig("create-admin", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(stdout)
	role := fs.String("role", "", "SECURITY_ADMIN, AUDIT_ADMIN or ADMIN")
	username := fs.String("username", "", "the account's username")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "SQLite file or MySQL DSN (ONSITE_DSN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := models.Role(strings.ToUpper(*role))
	if fs.NArg() > 0 || *username == "" || (r != models.RoleAdmin && !r.Separated()) {
		return fmt.Errorf("usage: server create-admin -role SECURITY_ADMIN|AUDIT_ADMIN|ADMIN -username NAME [-db sqlite|mysql] [-dsn DSN]")
	}
	st, err := store.Open(ctx, store.Config{Driver: cfg.DB, DSN: cfg.DSN, Log: newLogger(stdout, cfg.LogLevel), Now: now})
	if err != nil {
		return err
	}
	defer st.Close()
	pw := auth.RandomPassword()
	hash, err := auth.Hasher{Cost: cfg.BcryptCost}.Hash(pw)
	if err != nil {
		return err
	}
	u, err := st.CreateAdministrator(ctx, authz.System("create-admin"), r, *username, hash)
	if models.CodeOf(err) == models.CodeNotFound {
		return fmt.Errorf("the database has no root org unit yet: start the server once first")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s account %q (id %d): password %s\nshown once; it must be changed at first sign-in\n", u.Role, u.Username, u.ID, pw)
	return nil
}
