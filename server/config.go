package main

import (
	"flag"
	"fmt"
	"io"
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
	LogLevel       string
	LoginAttempts  int
	LoginWindow    time.Duration
	CheckInBatch   int
	CheckInWorkers int
}

// parseConfig reads the environment through getenv, then the flags in args.
// It fails on an unparsable value or an unknown flag, naming it.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var errs []error
	dur := func(k, def string) time.Duration {
		d, err := time.ParseDuration(env(k, def))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", k, err))
		}
		return d
	}
	num := func(k, def string) int {
		n, err := strconv.Atoi(env(k, def))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", k, err))
		}
		return n
	}
	fs.StringVar(&c.Addr, "addr", env("ONSITE_ADDR", "127.0.0.1:8080"), "listen address (ONSITE_ADDR)")
	fs.StringVar(&c.DB, "db", env("ONSITE_DB", "sqlite"), "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&c.DSN, "dsn", env("ONSITE_DSN", ""), "SQLite file (default onsite.db) or MySQL DSN (ONSITE_DSN)")
	fs.StringVar(&c.AdminPassword, "admin-password", env("ONSITE_ADMIN_PASSWORD", ""), "first admin's password; random when empty (ONSITE_ADMIN_PASSWORD)")
	devDefault, _ := strconv.ParseBool(env("ONSITE_DEV", "false"))
	fs.BoolVar(&c.Dev, "dev", devDefault, "dev mode: GraphiQL, introspection, suggestions (ONSITE_DEV)")
	fs.StringVar(&c.KeyFile, "jwt-key-file", env("ONSITE_JWT_KEY_FILE", "onsite-jwt-key.pem"), "Ed25519 signing key set, PEM; created when absent (ONSITE_JWT_KEY_FILE)")
	fs.StringVar(&c.Issuer, "jwt-issuer", env("ONSITE_JWT_ISSUER", "onsite"), "access token iss (ONSITE_JWT_ISSUER)")
	fs.StringVar(&c.Audience, "jwt-audience", env("ONSITE_JWT_AUDIENCE", "onsite-api"), "access token aud (ONSITE_JWT_AUDIENCE)")
	fs.DurationVar(&c.AccessTTL, "access-ttl", dur("ONSITE_ACCESS_TTL", "15m"), "access token lifetime (ONSITE_ACCESS_TTL)")
	fs.DurationVar(&c.RefreshTTL, "refresh-ttl", dur("ONSITE_REFRESH_TTL", "720h"), "refresh token lifetime (ONSITE_REFRESH_TTL)")
	fs.IntVar(&c.BcryptCost, "bcrypt-cost", num("ONSITE_BCRYPT_COST", "12"), "bcrypt cost (ONSITE_BCRYPT_COST)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", dur("ONSITE_REQUEST_TIMEOUT", "15s"), "per-request deadline (ONSITE_REQUEST_TIMEOUT)")
	fs.StringVar(&c.LogLevel, "log-level", env("ONSITE_LOG_LEVEL", "info"), "debug, info, warn or error (ONSITE_LOG_LEVEL)")
	fs.IntVar(&c.LoginAttempts, "login-attempts", num("ONSITE_LOGIN_ATTEMPTS", "10"), "failed logins allowed per account and per address in a window (ONSITE_LOGIN_ATTEMPTS)")
	fs.DurationVar(&c.LoginWindow, "login-window", dur("ONSITE_LOGIN_WINDOW", "15m"), "login attempt window (ONSITE_LOGIN_WINDOW)")
	fs.IntVar(&c.CheckInBatch, "checkin-batch", num("ONSITE_CHECKIN_BATCH", "64"), "most check-ins committed in one transaction (ONSITE_CHECKIN_BATCH)")
	fs.IntVar(&c.CheckInWorkers, "checkin-workers", num("ONSITE_CHECKIN_WORKERS", "0"), "most check-in transactions in flight on MySQL (a second starts only when a full batch is waiting); 0: the default, 3 (ONSITE_CHECKIN_WORKERS)")
	if len(errs) > 0 {
		return c, errs[0]
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.DSN == "" && c.DB == "sqlite" {
		c.DSN = "onsite.db"
	}
	if c.DSN == "" {
		return c, fmt.Errorf("ONSITE_DSN is required for %s", c.DB)
	}
	return c, nil
}
