package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/henan-youth/onsite/blob"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
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

	// Security settings (docs/security.md).
	SecurityAdminPassword string         // first security administrator's password; random when empty
	AuditAdminPassword    string         // first audit administrator's password; random when empty
	LoginAddrAttempts     int            // failed logins per client address per window
	IdlePhone             time.Duration  // refresh-token idle timeout of cadres' (phone) sessions
	IdleBrowser           time.Duration  // of every other role's (browser) sessions
	PasswordMaxAge        time.Duration  // 0: passwords do not expire
	AuditRetention        time.Duration  // security audit entries are kept this long (≥ 180 days)
	TLSCert, TLSKey       string         // serve TLS directly when both are set
	TrustedProxies        []netip.Prefix // proxies whose X-Forwarded-For names the client
	LedgerKeyFile         string         // empty: onsite-ledger-key beside KeyFile (ledgerKeyFile)
	LedgerOrigin          string         // the checkpoints' origin line
	LedgerInterval        time.Duration  // between sequencing steps
	BlobDir               string         // evidence photos, when no S3 endpoint is set
	S3                    blob.S3Config
	ContactKeyFile        string
	ContactRetention      time.Duration
	MaxUploadBytes        int64
	MetricsAddr           string // the operations listener (/metrics, /debug/pprof/); "off" for none
	MemoryLimit           int64  // the Go runtime's soft memory limit in bytes; 0 for none

	TrustedDocuments  string        // manifest of registered documents; "" for none
	UnregisteredOpen  []models.Role // roles that may send unregistered documents, when restricted
	UnregisteredLimit bool          // restrict unregistered documents to UnregisteredOpen
	ShutdownDrain     time.Duration
	// CheckStoredVerdicts judges again every stored verdict served
	// (verdict.Service.Check).
	CheckStoredVerdicts bool
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
	fs.IntVar(&c.LoginAttempts, "login-attempts", e.integer("ONSITE_LOGIN_ATTEMPTS", 10), "failed logins allowed per account from one address in a window; more lock out that address only (ONSITE_LOGIN_ATTEMPTS)")
	fs.DurationVar(&c.LoginWindow, "login-window", e.duration("ONSITE_LOGIN_WINDOW", 15*time.Minute), "login attempt window (ONSITE_LOGIN_WINDOW)")
	fs.IntVar(&c.CheckInBatch, "checkin-batch", e.integer("ONSITE_CHECKIN_BATCH", 64), "most check-ins committed in one transaction (ONSITE_CHECKIN_BATCH)")
	fs.IntVar(&c.CheckInWorkers, "checkin-workers", e.integer("ONSITE_CHECKIN_WORKERS", 0), "most check-in transactions in flight on MySQL (a second starts only when a full batch is waiting); 0: the default, 3 (ONSITE_CHECKIN_WORKERS)")
	securityFlags(fs, e, &c)
	fs.StringVar(&c.LedgerKeyFile, "ledger-key-file", e.str("ONSITE_LEDGER_KEY_FILE", ""), "ledger checkpoint signing keys; created 0600 when absent; default onsite-ledger-key beside the JWT key file (ONSITE_LEDGER_KEY_FILE)")
	fs.StringVar(&c.LedgerOrigin, "ledger-origin", e.str("ONSITE_LEDGER_ORIGIN", ledger.DefaultOrigin), "the ledger's name, the first line of every checkpoint (ONSITE_LEDGER_ORIGIN)")
	fs.DurationVar(&c.LedgerInterval, "ledger-interval", e.duration("ONSITE_LEDGER_INTERVAL", evidencelog.DefaultInterval), "time between ledger sequencing steps; a leaf is in a signed checkpoint within it plus one step (ONSITE_LEDGER_INTERVAL)")
	fs.StringVar(&c.BlobDir, "blob-dir", e.str("ONSITE_BLOB_DIR", ""), "directory of evidence photos, content-addressed; default onsite-blobs beside the JWT key file (ONSITE_BLOB_DIR)")
	fs.StringVar(&c.S3.Endpoint, "s3-endpoint", e.str("ONSITE_S3_ENDPOINT", ""), "S3-compatible store for evidence photos, host:port; when set, photos go there instead of -blob-dir (ONSITE_S3_ENDPOINT)")
	fs.StringVar(&c.S3.Bucket, "s3-bucket", e.str("ONSITE_S3_BUCKET", "onsite-evidence"), "bucket of evidence photos (ONSITE_S3_BUCKET)")
	fs.StringVar(&c.S3.AccessKey, "s3-access-key", e.str("ONSITE_S3_ACCESS_KEY", ""), "S3 access key (ONSITE_S3_ACCESS_KEY)")
	fs.StringVar(&c.S3.SecretKey, "s3-secret-key", e.str("ONSITE_S3_SECRET_KEY", ""), "S3 secret key (ONSITE_S3_SECRET_KEY)")
	fs.BoolVar(&c.S3.TLS, "s3-tls", e.boolean("ONSITE_S3_TLS", true), "speak HTTPS to the S3 endpoint (ONSITE_S3_TLS)")
	fs.StringVar(&c.S3.Region, "s3-region", e.str("ONSITE_S3_REGION", ""), "S3 region, when the store wants one (ONSITE_S3_REGION)")
	fs.StringVar(&c.S3.Prefix, "s3-prefix", e.str("ONSITE_S3_PREFIX", ""), "key prefix of evidence photos in the bucket (ONSITE_S3_PREFIX)")
	fs.StringVar(&c.ContactKeyFile, "contact-key-file", e.str("ONSITE_CONTACT_KEY_FILE", ""), "AES-256 keys encrypting interviewees' contacts, PEM; created 0600 when absent; default onsite-contact-key.pem beside the JWT key file (ONSITE_CONTACT_KEY_FILE)")
	fs.DurationVar(&c.ContactRetention, "contact-retention", e.duration("ONSITE_CONTACT_RETENTION", 3*365*24*time.Hour), "how long interviewees' contacts are kept before erase-contacts erases them (ONSITE_CONTACT_RETENTION)")
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", int64(e.integer("ONSITE_MAX_UPLOAD_BYTES", 80<<20)), "largest multipart request with photos (ONSITE_MAX_UPLOAD_BYTES)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", e.str("ONSITE_METRICS_ADDR", "127.0.0.1:8081"), "listen address of /metrics and /debug/pprof/, or off (ONSITE_METRICS_ADDR)")
	// GOMEMLIMIT, read by the runtime at start, wins unless the setting is given.
	defLimit := int64(defaultMemoryLimit)
	if getenv("GOMEMLIMIT") != "" {
		defLimit = 0
	}
	fs.Var(&byteSize{&c.MemoryLimit}, "memory-limit", "soft memory limit, e.g. 512MiB, or off (ONSITE_MEMORY_LIMIT; default 512MiB)")
	c.MemoryLimit = e.size("ONSITE_MEMORY_LIMIT", defLimit)
	fs.StringVar(&c.TrustedDocuments, "trusted-documents", e.str("ONSITE_TRUSTED_DOCUMENTS", ""), "registered documents: a JSON manifest from SHA-256 to document (ONSITE_TRUSTED_DOCUMENTS)")
	unregistered := fs.String("unregistered-documents", e.str("ONSITE_UNREGISTERED_DOCUMENTS", "all"), "who may send documents not registered: all, none, or roles such as SUPERVISOR,DISCIPLINE,ADMIN (ONSITE_UNREGISTERED_DOCUMENTS)")
	fs.BoolVar(&c.CheckStoredVerdicts, "check-stored-verdicts", e.boolean("ONSITE_CHECK_STORED_VERDICTS", false), "judge again every stored verdict a report serves and fail when it differs; slow, a diagnostic (ONSITE_CHECK_STORED_VERDICTS)")
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
	if err := c.security(); err != nil {
		return c, err
	}
	if err := c.documents(*unregistered); err != nil {
		return c, err
	}
	return c, c.database()
}

// documents reads who may send unregistered documents: all (no
// restriction), none, or a comma-separated list of roles. A restriction
// needs registered documents, or nobody could even sign in.
func (c *config) documents(v string) error {
	if v == "all" {
		return nil
	}
	c.UnregisteredLimit = true
	if v != "none" {
		for _, r := range strings.Split(v, ",") {
			role := models.Role(strings.TrimSpace(r))
			if !role.Valid() {
				return fmt.Errorf("ONSITE_UNREGISTERED_DOCUMENTS: %q is not a role (want all, none, or roles such as SUPERVISOR,ADMIN)", r)
			}
			c.UnregisteredOpen = append(c.UnregisteredOpen, role)
		}
	}
	if c.TrustedDocuments == "" {
		return errors.New("ONSITE_UNREGISTERED_DOCUMENTS restricts documents, but ONSITE_TRUSTED_DOCUMENTS registers none")
	}
	return nil
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

// defaultMemoryLimit is the soft memory limit: the collector works harder
// as the heap nears it instead of letting it grow with GOGC, and the budget
// it leaves is in docs/performance.md ("Memory").
const defaultMemoryLimit = 512 << 20

func (e *environment) size(k string, def int64) int64 {
	return parse(e, k, def, parseSize)
}

// parseSize reads a byte count: a whole number with an optional unit B,
// KiB, MiB or GiB, or "off" (0).
func parseSize(v string) (int64, error) {
	if v == "off" {
		return 0, nil
	}
	n, unit := v, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(v, u.suffix); ok {
			n, unit = rest, u.mult
			break
		}
	}
	x, err := strconv.ParseInt(n, 10, 64)
	if err != nil || x < 0 || x > math.MaxInt64/unit {
		return 0, errors.New("not a size such as 512MiB, or off")
	}
	return x * unit, nil
}

// byteSize is a flag holding a size.
type byteSize struct{ p *int64 }

func (b *byteSize) String() string {
	if b.p == nil {
		return ""
	}
	return strconv.FormatInt(*b.p, 10)
}

func (b *byteSize) Set(v string) error {
	x, err := parseSize(v)
	if err == nil {
		*b.p = x
	}
	return err
}

func (e *environment) level(k string, def slog.Level) slog.Level {
	return parse(e, k, def, func(v string) (slog.Level, error) {
		var l slog.Level
		return l, l.UnmarshalText([]byte(v))
	})
}
