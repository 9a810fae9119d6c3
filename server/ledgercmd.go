package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/store"
)

// newFlagSet returns a flag set of a subcommand that reports to w.
func newFlagSet(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}

// parseFlags parses args and refuses arguments left after the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// openStore opens the configured database for a subcommand (migrating it
// like the server does, a no-op on a current schema).
func openStore(ctx context.Context, cfg config, stdout io.Writer) (*store.Store, error) {
	return store.Open(ctx, store.Config{Driver: cfg.DB, DSN: cfg.DSN, Log: newLogger(stdout, cfg.LogLevel)})
}

// dbFlags adds the database settings to a subcommand's flags.
func dbFlags(fs *flag.FlagSet, cfg *config) {
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite or mysql (ONSITE_DB)")
	fs.StringVar(&cfg.DSN, "dsn", cfg.DSN, "SQLite file or MySQL DSN (ONSITE_DSN)")
}

// exportLedger is the export-ledger subcommand: it writes every leaf in
// index order with its record's canonical bytes as the database holds it
// now, then every record without a leaf, to -o (ledger.ExportLine).
func exportLedger(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig("export-ledger", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := newFlagSet("export-ledger", stdout)
	out := fs.String("o", "", "the export file to write (JSON Lines)")
	dbFlags(fs, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: server export-ledger -o FILE [-db sqlite|mysql] [-dsn DSN]")
	}
	if err := cfg.database(); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	svc := &evidencelog.Service{Store: st}
	leaves, orphans, err := svc.Export(ctx, authz.System("export-ledger"), f)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d leaves and %d records without a leaf to %s\n", leaves, orphans, *out)
	return nil
}

// verifyLedger is the verify-ledger subcommand: it recomputes every leaf
// from the records (an export file, or the database), rebuilds the root
// and checks it against the held checkpoints, printing each record that
// no longer matches. It fails (exit status 1) unless everything matches.
func verifyLedger(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig("verify-ledger", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := newFlagSet("verify-ledger", stdout)
	var cps, keys listFlag
	fs.Var(&cps, "checkpoint", "a held checkpoint: a file, or a witness's state directory (repeatable)")
	fs.Var(&keys, "key", "a verifier key, or a file of them (repeatable); default: the key file's")
	export := fs.String("export", "", "verify this export file instead of the database")
	earlier := fs.String("earlier", "", "an earlier export of the log: name the fields of changed records")
	fs.StringVar(&cfg.LedgerOrigin, "origin", cfg.LedgerOrigin, "the log's origin (ONSITE_LEDGER_ORIGIN)")
	fs.StringVar(&cfg.LedgerKeyFile, "ledger-key-file", cfg.LedgerKeyFile, "take the verifier keys from this key file when no -key is given (ONSITE_LEDGER_KEY_FILE)")
	dbFlags(fs, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(cps) == 0 {
		return errors.New("usage: server verify-ledger -checkpoint CP [-key VKEY|FILE] [-export FILE | -db sqlite|mysql -dsn DSN] [-earlier FILE]")
	}
	if len(keys) == 0 {
		keys = listFlag{ledgerKeyFile(cfg)}
	}
	verifiers, err := loadVerifiers(keys)
	if err != nil {
		return err
	}
	held, err := loadCheckpoints(cps, cfg.LedgerOrigin, verifiers)
	if err != nil {
		return err
	}
	report := func(p ledger.Problem) { fmt.Fprintln(stdout, "MISMATCH", p) }
	v := ledger.NewVerifier(held, report)
	var prev *ledger.Earlier
	if *earlier != "" {
		f, err := os.Open(*earlier)
		if err != nil {
			return err
		}
		defer f.Close()
		if prev, err = ledger.NewEarlier(f); err != nil {
			return err
		}
	}
	add := func(e ledger.Entry) error {
		if err := v.Add(e); err != nil {
			return err
		}
		if prev == nil || e.Record == nil {
			return nil
		}
		old, err := prev.At(e.Index)
		if err == nil && old != nil && !bytes.Equal(old, e.Record) {
			v.Mismatch(e, old)
		}
		return err
	}
	var res ledger.Result
	if *export != "" {
		res, err = verifyExport(*export, v, add)
	} else {
		res, err = verifyDatabase(ctx, cfg, v, add)
	}
	if err != nil {
		return err
	}
	for _, c := range res.Checkpoints {
		fmt.Fprintln(stdout, c)
	}
	if !res.OK() {
		return fmt.Errorf("verify-ledger: %d leaves read; %d problems; the records do not reproduce every held checkpoint", res.Size, res.Problems)
	}
	fmt.Fprintf(stdout, "OK: %d leaves; every record matches its leaf and every held checkpoint\n", res.Size)
	return nil
}

// verifyExport feeds an export file to a verifier.
func verifyExport(path string, v *ledger.Verifier, add func(ledger.Entry) error) (ledger.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return ledger.Result{}, err
	}
	defer f.Close()
	err = ledger.ReadExport(f, func(l *ledger.ExportLine) error {
		if l.Index < 0 {
			v.Unledgered(l.Key(), l.ID)
			return nil
		}
		return add(l.Entry())
	})
	return v.Finish(), err
}

// verifyDatabase feeds the database's leaves and records to a verifier.
func verifyDatabase(ctx context.Context, cfg config, v *ledger.Verifier, add func(ledger.Entry) error) (ledger.Result, error) {
	if err := cfg.database(); err != nil {
		return ledger.Result{}, err
	}
	st, err := openStore(ctx, cfg, io.Discard)
	if err != nil {
		return ledger.Result{}, err
	}
	defer st.Close()
	svc := &evidencelog.Service{Store: st}
	return svc.VerifyWith(ctx, authz.System("verify-ledger"), v, add)
}

// loadVerifiers reads verifier keys: each argument is a key, or a file of
// keys one a line (a ledger key file gives its signing key's verifier key
// and the older ones). It fails when none parses.
func loadVerifiers(args []string) ([]note.Verifier, error) {
	var lines []string
	for _, a := range args {
		raw, err := os.ReadFile(a)
		if err != nil {
			if _, kerr := note.NewVerifier(a); kerr == nil {
				lines = append(lines, a)
				continue
			}
			return nil, fmt.Errorf("-key %q is neither a verifier key nor a readable file: %w", a, err)
		}
		if keys, err := ledger.ParseKeySet(string(raw)); err == nil {
			lines = append(lines, keys.VerifierKeys()...)
			continue
		}
		lines = append(lines, string(raw))
	}
	return ledger.ParseVerifierKeys(strings.Join(lines, "\n"))
}

// loadCheckpoints reads held checkpoints: files, or witness state
// directories (every checkpoint the witness accepted). Each must verify
// with verifiers.
func loadCheckpoints(paths []string, origin string, verifiers []note.Verifier) ([]*ledger.Checkpoint, error) {
	var files []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			found, err := filepath.Glob(filepath.Join(p, "checkpoints", "*"))
			if err != nil {
				return nil, err
			}
			files = append(files, found...)
			continue
		}
		files = append(files, p)
	}
	var out []*ledger.Checkpoint
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cp, err := ledger.OpenCheckpoint(raw, origin, verifiers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, cp)
	}
	if len(out) == 0 {
		return nil, errors.New("no held checkpoint found")
	}
	return out, nil
}
