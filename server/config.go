package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"
)

// config is the server's configuration. Every setting is an environment
// variable with a matching flag; a flag given on the command line wins.
type config struct {
	Addr           string
	DB             string
	DSN            string
	AdminPassword  string
	Dev            bool
	KeyFile        string
	Issuer         string
	Audience       string
	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	BcryptCost     int
	RequestTimeout time.Duration
	LogLevel       slog.Level
	LoginAttempts  int
	LoginWindow    time.Duration
	CheckInBatch   int
	CheckInWorkers int
	ShutdownDrain  time.Duration
}

// parseConfig reads the environment through getenv, then the flags in args.
// It fails on an environment variable that does not parse (naming every
// such variable), on an unknown flag or a flag value that does not parse,
// on an argument left after the flags, and on an unknown database.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	e := &environment{getenv: getenv}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", e.str("ONSITE_ADDR", "127.0.0.1:8080"), "listen address (ONSITE_ADDR)")
	fs.StringVar(&c.DB, "db", e.str("ONSITE_DB", "sqlite"), "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&c.DSN, "dsn", e.str("ONSITE_DSN", ""), "SQLite file (default onsite.db) or MySQL DSN (ONSITE_DSN)")
	fs.StringVar(&c.AdminPassword, "admin-password", e.str("ONSITE_ADMIN_PASSWORD", ""), "first admin's password; random when empty (ONSITE_ADMIN_PASSWORD)")
	fs.BoolVar(&c.Dev, "dev", e.boolean("ONSITE_DEV", false), "dev mode: GraphiQL, introspection, suggestions (ONSITE_DEV)")
	fs.StringVar(&c.KeyFile, "jwt-key-file", e.str("ONSITE_JWT_KEY_FILE", "onsite-jwt-key.pem"), "Ed25519 signing key set, PEM; created when absent (ONSITE_JWT_KEY_FILE)")
	fs.StringVar(&c.Issuer, "jwt-issuer", e.str("ONSITE_JWT_ISSUER", "onsite"), "access token iss (ONSITE_JWT_ISSUER)")
	fs.StringVar(&c.Audience, "jwt-audience", e.str("ONSITE_JWT_AUDIENCE", "onsite-api"), "access token aud (ONSITE_JWT_AUDIENCE)")
	fs.DurationVar(&c.AccessTTL, "access-ttl", e.duration("ONSITE_ACCESS_TTL", 15*time.Minute), "access token lifetime (ONSITE_ACCESS_TTL)")
	fs.DurationVar(&c.RefreshTTL, "refresh-ttl", e.duration("ONSITE_REFRESH_TTL", 720*time.Hour), "refresh token lifetime (ONSITE_REFRESH_TTL)")
	fs.IntVar(&c.BcryptCost, "bcrypt-cost", e.integer("ONSITE_BCRYPT_COST", 12), "bcrypt cost (ONSITE_BCRYPT_COST)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", e.duration("ONSITE_REQUEST_TIMEOUT", 15*time.Second), "per-request deadline (ONSITE_REQUEST_TIMEOUT)")
	fs.TextVar(&c.LogLevel, "log-level", e.level("ONSITE_LOG_LEVEL", slog.LevelInfo), "debug, info, warn or error (ONSITE_LOG_LEVEL)")
	fs.IntVar(&c.LoginAttempts, "login-attempts", e.integer("ONSITE_LOGIN_ATTEMPTS", 10), "failed logins allowed per account and per address in a window (ONSITE_LOGIN_ATTEMPTS)")
	fs.DurationVar(&c.LoginWindow, "login-window", e.duration("ONSITE_LOGIN_WINDOW", 15*time.Minute), "login attempt window (ONSITE_LOGIN_WINDOW)")
	fs.IntVar(&c.CheckInBatch, "checkin-batch", e.integer("ONSITE_CHECKIN_BATCH", 64), "most check-ins committed in one transaction (ONSITE_CHECKIN_BATCH)")
	fs.IntVar(&c.CheckInWorkers, "checkin-workers", e.integer("ONSITE_CHECKIN_WORKERS", 0), "most check-in transactions in flight on MySQL (a second starts only when a full batch is waiting); 0: the default, 3 (ONSITE_CHECKIN_WORKERS)")
	fs.DurationVar(&c.ShutdownDrain, "shutdown-drain", e.duration("ONSITE_SHUTDOWN_DRAIN", 2*time.Second), "on SIGTERM, how long answers close their connections and /readyz says 503 before the rest shut down (ONSITE_SHUTDOWN_DRAIN)")
	if err := errors.Join(e.errs...); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: flags follow the command; %s", fs.Arg(0), commandList)
	}
	return c, c.database()
}

// database checks the database settings and fills in SQLite's default file.
func (c *config) database() error {
	switch c.DB {
	case "sqlite":
		if c.DSN == "" {
			c.DSN = "onsite.db"
		}
		return nil
	case "mysql":
		if c.DSN == "" {
			return fmt.Errorf("ONSITE_DSN is required for %s", c.DB)
		}
		return nil
	}
	return fmt.Errorf("ONSITE_DB: unknown database %q (want sqlite or mysql)", c.DB)
}

// environment reads settings through getenv. An empty variable is unset and
// gives the default; one that does not parse gives the default too and is
// kept in errs with its name, so that start-up fails naming it.
type environment struct {
	getenv func(string) string
	errs   []error
}

func (e *environment) str(k, def string) string {
	if v := e.getenv(k); v != "" {
		return v
	}
	return def
}

// parse reads k with p, or returns def when k is unset or does not parse.
func parse[T any](e *environment, k string, def T, p func(string) (T, error)) T {
	v := e.getenv(k)
	if v == "" {
		return def
	}
	x, err := p(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: %v", k, v, err))
		return def
	}
	return x
}

func (e *environment) boolean(k string, def bool) bool {
	return parse(e, k, def, func(v string) (bool, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, errors.New("not a boolean (true or false)")
		}
		return b, nil
	})
}

func (e *environment) duration(k string, def time.Duration) time.Duration {
	return parse(e, k, def, time.ParseDuration)
}

func (e *environment) integer(k string, def int) int {
	return parse(e, k, def, func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, errors.New("not a whole number")
		}
		return n, nil
	})
}

func (e *environment) level(k string, def slog.Level) slog.Level {
	return parse(e, k, def, func(v string) (slog.Level, error) {
		var l slog.Level
		return l, l.UnmarshalText([]byte(v))
	})
}
