package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/ledger"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/store"
)

// ledgerKeyFile is the ledger key file of cfg: the configured one, or
// onsite-ledger-key beside the JWT keys.
func ledgerKeyFile(cfg config) string { return besideKeys(cfg, cfg.LedgerKeyFile, "onsite-ledger-key") }

// ledgerSigner loads (or creates, 0600) the checkpoint key set and returns
// its signer; created says the key is new.
func ledgerSigner(cfg config) (*ledger.Signer, bool, error) {
	keys, created, err := ledger.LoadOrCreateKeyFile(ledgerKeyFile(cfg), cfg.LedgerOrigin)
	if err != nil {
		return nil, false, err
	}
	s, err := ledger.NewSigner(cfg.LedgerOrigin, keys)
	return s, created, err
}

// openLedger builds the ledger service of a server and logs the verifier
// key the inspectors hold.
func openLedger(cfg config, st *store.Store, log *slog.Logger, now func() time.Time, reg prometheus.Registerer) (*evidencelog.Service, error) {
	signer, created, err := ledgerSigner(cfg)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("generated a new ledger checkpoint key; keep the file safe and give the inspectors its verifier key", "file", ledgerKeyFile(cfg))
	}
	vkeys := signer.VerifierKeys()
	log.Info("ledger checkpoints", "origin", signer.Origin(), "verifier_key", vkeys[0], "older_verifier_keys", vkeys[1:])
	return &evidencelog.Service{Store: st, Signer: signer, Now: now, Log: log, Interval: cfg.LedgerInterval, Observe: ledgerMetrics(reg)}, nil
}

// ledgerMetrics exports sequencing: leaves per step, step time, tree size.
func ledgerMetrics(reg prometheus.Registerer) func(evidencelog.Step) {
	leaves := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_ledger_step_leaves",
		Help: "Leaves integrated by one sequencing step.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)})
	took := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_ledger_step_seconds",
		Help: "Sequencing step time, begin to commit.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	size := prometheus.NewGauge(prometheus.GaugeOpts{Name: "onsite_ledger_tree_size", Help: "Leaves in the latest signed tree."})
	reg.MustRegister(leaves, took, size)
	return func(s evidencelog.Step) {
		leaves.Observe(float64(s.Leaves))
		took.Observe(s.Took.Seconds())
		size.Set(float64(s.Size))
	}
}

// startLedger runs the sequencer beside the server until stopLedger.
func (a *app) startLedger(ctx context.Context) {
	ctx, a.ledgerStop = context.WithCancel(ctx)
	a.ledgerDone = make(chan struct{})
	go func() {
		defer close(a.ledgerDone)
		a.ledger.Run(ctx)
	}()
}

// stopLedger stops the sequencer after its step in flight and waits.
func (a *app) stopLedger() {
	if a.ledgerStop != nil {
		a.ledgerStop()
		<-a.ledgerDone
	}
}

// ledgerRoutes publishes the checkpoint and consistency proofs over plain
// HTTP: they hold no record, and a witness needs no account to fetch them.
func (a *app) ledgerRoutes(mux *http.ServeMux) {
	public := authz.System("ledger publication")
	mux.HandleFunc("GET /ledger/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		note, err := a.store.LatestCheckpoint(r.Context())
		if err != nil {
			ledgerHTTPError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(note)
	})
	mux.HandleFunc("GET /ledger/consistency", func(w http.ResponseWriter, r *http.Request) {
		from, err1 := strconv.ParseUint(r.URL.Query().Get("from"), 10, 64)
		to, err2 := strconv.ParseUint(r.URL.Query().Get("to"), 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			http.Error(w, "from and to must be tree sizes", http.StatusBadRequest)
			return
		}
		_, proof, err := a.ledger.Consistency(r.Context(), public, from, &to)
		if err != nil {
			ledgerHTTPError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, h := range proof {
			io.WriteString(w, base64.StdEncoding.EncodeToString(h)+"\n")
		}
	})
}

// ledgerHTTPError answers a ledger endpoint's error with its status.
func ledgerHTTPError(w http.ResponseWriter, err error) {
	switch models.CodeOf(err) {
	case models.CodeNotFound:
		http.Error(w, "no checkpoint yet", http.StatusNotFound)
	case models.CodeInvalid:
		http.Error(w, strings.TrimPrefix(err.Error(), "INVALID: "), http.StatusBadRequest)
	default:
		http.Error(w, "ledger unavailable", http.StatusServiceUnavailable)
	}
}

// ledgerKey is the ledger-key subcommand: it prints the verifier keys of
// the configured key file (creating it when absent), the current one
// first, for the inspectors; with -rotate it first replaces the signing
// key, keeping the old verifier key. Servers pick a new key up at their
// next start; every server of a deployment uses the same file.
func ledgerKey(args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig("ledger-key", nil, getenv, stdout)
	if err != nil {
		return err
	}
	fs := newFlagSet("ledger-key", stdout)
	rotate := fs.Bool("rotate", false, "replace the signing key; the old verifier key is kept")
	fs.StringVar(&cfg.LedgerKeyFile, "ledger-key-file", ledgerKeyFile(cfg), "ledger checkpoint key file (ONSITE_LEDGER_KEY_FILE)")
	fs.StringVar(&cfg.LedgerOrigin, "ledger-origin", cfg.LedgerOrigin, "checkpoint origin (ONSITE_LEDGER_ORIGIN)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	keys, _, err := ledger.LoadOrCreateKeyFile(cfg.LedgerKeyFile, cfg.LedgerOrigin)
	if err != nil {
		return err
	}
	if *rotate {
		if err := keys.Rotate(cfg.LedgerOrigin); err != nil {
			return err
		}
		if err := ledger.WriteKeyFile(cfg.LedgerKeyFile, keys, true); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "# origin %s; verifier keys of %s, the current one first\n", cfg.LedgerOrigin, cfg.LedgerKeyFile)
	for _, v := range keys.VerifierKeys() {
		fmt.Fprintln(stdout, v)
	}
	return nil
}
