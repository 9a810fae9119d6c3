package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/henan-youth/onsite/absence"
	"github.com/henan-youth/onsite/accesslog"
	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/activity"
	"github.com/henan-youth/onsite/auth"
	"github.com/henan-youth/onsite/checkin"
	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/console"
	"github.com/henan-youth/onsite/evidencelog"
	"github.com/henan-youth/onsite/graph"
	"github.com/henan-youth/onsite/inspect"
	"github.com/henan-youth/onsite/makeup"
	"github.com/henan-youth/onsite/notify"
	"github.com/henan-youth/onsite/policy"
	"github.com/henan-youth/onsite/presence"
	"github.com/henan-youth/onsite/regions"
	"github.com/henan-youth/onsite/report"
	"github.com/henan-youth/onsite/seminar"
	"github.com/henan-youth/onsite/store"
	"github.com/henan-youth/onsite/summary"
	"github.com/henan-youth/onsite/tasks"
	"github.com/henan-youth/onsite/verdict"
)

// app is everything a running server holds.
type app struct {
	cfg      config
	log      *slog.Logger
	store    *store.Store
	tokens   *auth.Tokens
	accounts *account.Service
	regions  *regions.Service
	checkins *checkin.Service
	acts     *activity.Service
	seminars *seminar.Service // R9
	tasks    *tasks.Service   // R10
	policies *policy.Service  // the versioned policy of the rules (verdicts.go)
	verdicts *verdict.Service // every rule's verdict per cadre
	reports  *report.Service  // units' compliance reports, closings, appraisals, spreadsheets
	makeups  *makeup.Service  // make-up requests (补卡)
	absences *absence.Service // approved absences
	access   *accesslog.Log   // who read a cadre's data (inspect.go)
	inspect  *inspect.Service // the discipline group's toolkit
	metrics  *prometheus.Registry

	summaries  *summary.Service  // R8 (notifications.go)
	notify     *notify.Service   // inboxes and subscriptions
	scheduler  *notify.Scheduler // reminders, on the server holding its lease
	notifyStop func()            // stops delivery and the scheduler; nil until started
	notifyDone *sync.WaitGroup

	ledger     *evidencelog.Service // the evidence ledger: sequencer, checkpoints, proofs (ledger.go)
	ledgerStop func()               // stops the sequencer; nil until started
	ledgerDone chan struct{}        // closed when the sequencer has stopped
	opsAddr    net.Addr             // where /metrics and /debug/pprof/ listen; nil when off
	docs       graph.TrustedDocuments
	drain      *drain // shutdown's first step; /readyz answers 503 during it
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// open builds the app: store (with migrations), keys, services and the first
// admin on an empty database. now is the clock every part uses.
func open(ctx context.Context, cfg config, stdout io.Writer, now func() time.Time) (*app, error) {
	log := newLogger(stdout, cfg.LogLevel)
	docs, err := loadDocuments(cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Config{Driver: cfg.DB, DSN: cfg.DSN, Log: log, Now: now})
	if err != nil {
		return nil, err
	}
	keys, created, err := auth.LoadOrCreateKeyFile(cfg.KeyFile)
	if err != nil {
		st.Close()
		return nil, err
	}
	if created {
		log.Warn("generated a new token signing key; set ONSITE_JWT_KEY_FILE to a managed key in production", "file", cfg.KeyFile, "kid", keys.SigningKID())
	}
	tokens := &auth.Tokens{Keys: keys, Issuer: cfg.Issuer, Audience: cfg.Audience, AccessTTL: cfg.AccessTTL, Now: now}
	hasher := auth.Hasher{Cost: cfg.BcryptCost}
	acc, err := account.New(st, tokens, hasher, auth.NewLimiter(cfg.LoginAttempts, cfg.LoginWindow, now), now)
	if err != nil {
		st.Close()
		return nil, err
	}
	configureAccounts(acc, cfg, now)
	a := &app{cfg: cfg, log: log, store: st, tokens: tokens, accounts: acc, docs: docs, drain: newDrain(),
		notify: notify.New(st, now, log)} // first: every feature may send notifications
	if err := a.bootstrap(ctx, hasher); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.recordConfiguration(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if a.regions, err = regions.New(ctx, st, log); err != nil {
		st.Close()
		return nil, err
	}
	a.checkins = &checkin.Service{Store: st, Regions: a.regions, Policy: presence.DefaultPolicy(), PolicyVersion: "province-default-3", Now: now}
	a.metrics = prometheus.NewRegistry()
	a.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if a.ledger, err = openLedger(cfg, st, log, now, a.metrics); err != nil {
		st.Close()
		return nil, err
	}
	if a.acts, err = openActivities(ctx, cfg, a, log, now); err != nil {
		st.Close()
		return nil, err
	}
	a.seminars = &seminar.Service{Store: st, Location: a.checkins.Policy.Location, Notifier: a.notify, Log: log, Now: now}
	a.tasks = &tasks.Service{Store: st, Blobs: a.acts.Blobs, Location: a.checkins.Policy.Location, Notifier: a.notify,
		Log: log, Now: now}
	if err := openVerdicts(ctx, a); err != nil {
		st.Close()
		return nil, err
	}
	a.openSummaries(log, now)
	a.makeups = &makeup.Service{Store: st, Blobs: a.acts.Blobs, Policy: a.checkins.Policy, Policies: a.policies,
		MaxPhotoBytes: a.acts.Photos.MaxBytes, Now: now}
	a.absences = &absence.Service{Store: st, Now: now}
	openInspection(a, log, now)
	a.checkins.StartGroupCommit(checkin.QueueConfig{MaxBatch: cfg.CheckInBatch, Workers: cfg.CheckInWorkers,
		Observe: batchMetrics(a.metrics, log)})
	return a, nil
}

// slowBatch is the batch time above which a batch is logged: every
// check-in waiting behind it waits that long too. The log line splits the
// time between the reads (lock waits show there) and the writes with the
// commit (a slow log flush shows there).
const slowBatch = 250 * time.Millisecond

// batchMetrics exports group commit: how many check-ins share a
// transaction, how long the oldest waited for it, how long it took. A
// failed batch (its items are then stored one by one) and a slow one are
// logged.
func batchMetrics(reg prometheus.Registerer, log *slog.Logger) func(checkin.BatchStats) {
	size := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_checkin_batch_size",
		Help: "Check-ins per group-commit transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 8)})
	queued := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_checkin_batch_queued_seconds",
		Help: "Longest wait of a check-in for its batch.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	took := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_checkin_batch_seconds",
		Help: "Group-commit transaction time, begin to commit.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	reads := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_checkin_batch_reads_seconds",
		Help: "Of a batch's time, the reads: begin, cadre locks, priors.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	writes := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "onsite_checkin_batch_writes_seconds",
		Help: "Of a batch's time, the rest: judging, writes and commit.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	failed := prometheus.NewCounter(prometheus.CounterOpts{Name: "onsite_checkin_batch_failures_total",
		Help: "Batches that failed and were retried item by item."})
	reg.MustRegister(size, queued, took, reads, writes, failed)
	return func(b checkin.BatchStats) {
		size.Observe(float64(b.Size))
		queued.Observe(b.Queued.Seconds())
		took.Observe(b.Took.Seconds())
		reads.Observe(b.Reads.Seconds())
		writes.Observe(b.Writes.Seconds())
		if b.Took >= slowBatch {
			log.Warn("slow check-in batch", "size", b.Size, "took", b.Took, "reads", b.Reads, "writes_and_commit", b.Writes, "queued", b.Queued)
		}
		if b.Failed {
			failed.Inc()
			log.Warn("check-in batch failed; storing its items one by one", "size", b.Size, "err", b.Err)
		}
	}
}

// close stops the notifications, the ledger's sequencer and group commit
// (after the batches in flight), then the store.
func (a *app) close() {
	a.stopNotifications()
	a.stopLedger()
	a.checkins.Close()
	a.access.Close()
	a.store.Close()
}

// routes mounts the API, the console and the health checks; metrics and profiles are
// on the operations listener (ops.go).
func (a *app) routes() http.Handler {
	reg := a.metrics
	deps := graph.Deps{
		Store: a.store, Accounts: a.accounts, Tokens: a.tokens, Regions: a.regions, CheckIns: a.checkins, Ledger: a.ledger,
		Activities: a.acts, Seminars: a.seminars, Tasks: a.tasks, Summaries: a.summaries, Notify: a.notify,
		Policies: a.policies, Verdicts: a.verdicts, Reports: a.reports, MakeUps: a.makeups, Absences: a.absences, Rules: compliance.DefaultPolicy(),
		Inspect: a.inspect, Access: a.access, Log: a.log, Metrics: reg, Dev: a.cfg.Dev,
		RequestTimeout: a.cfg.RequestTimeout, MaxUploadBytes: a.cfg.MaxUploadBytes, Documents: a.docs,
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(deps))
	mux.Handle("GET /photos/{sha256}", graph.PhotoHandler(deps))
	mux.Handle("GET /task-photos/{sha256}", graph.TaskPhotoHandler(deps))
	mux.Handle("GET /inspect/spot-checks/{id}/document", graph.SpotCheckDocumentHandler(deps))
	mux.Handle("GET /export/compliance.xlsx", graph.ComplianceExportHandler(deps))
	a.ledgerRoutes(mux)
	mux.Handle("/", console.Handler()) // the web console (GET and HEAD); its pages call /graphql
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if a.drain.draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.store.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	var h http.Handler = a.drain.handler(mux)
	if a.cfg.TLSCert != "" {
		h = withHSTS(h)
	}
	return withClientAddr(a.cfg.TrustedProxies, h)
}

// refreshRegions reloads the region index when another server imported
// regions, checking every interval until ctx ends.
func (a *app) refreshRegions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.regions.Reload(ctx); err != nil {
				a.log.Warn("region index refresh failed", "err", err)
			}
		}
	}
}

// readTimeout bounds reading a request, headers and body.
const readTimeout = 30 * time.Second

// answerRoom is what the write timeout leaves for writing an answer after
// the handler's deadline.
const answerRoom = 10 * time.Second

// writeTimeout is the HTTP write timeout for requests that time out after
// requestTimeout. It runs from the end of the request's headers, as does
// the handler: the handler answers by its request's deadline, or once its
// body read fails (readTimeout), so the write timeout ends answerRoom
// after the later of the two and never races the answer — an answer that
// misses it reaches the client as a connection closed without one.
func writeTimeout(requestTimeout time.Duration) time.Duration {
	return max(requestTimeout, readTimeout) + answerRoom
}

// httpServer is the HTTP server for h, with its timeouts and limits.
func (a *app) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout(a.cfg.RequestTimeout),
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		ConnState:         a.drain.connState,
	}
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully,
// calling opts' hooks on the way.
func serve(ctx context.Context, cfg config, stdout io.Writer, opts runOptions) error {
	a, err := open(ctx, cfg, stdout, opts.now)
	if err != nil {
		return err
	}
	defer a.close()
	a.applyMemoryLimit()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		tc, err := tlsConfig(cfg)
		if err != nil {
			ln.Close()
			return err
		}
		ln, scheme = tls.NewListener(ln, tc), "https"
	}
	stopOps, err := a.startOps()
	if err != nil {
		ln.Close()
		return err
	}
	defer stopOps()
	h := a.routes()
	if opts.handler != nil {
		h = opts.handler(h)
	}
	srv := a.httpServer(h)
	if opts.stopping != nil {
		srv.RegisterOnShutdown(opts.stopping)
	}
	mode := "production"
	if cfg.Dev {
		mode = "dev (GraphiQL and introspection on)"
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String()+"/graphql", "db", cfg.DB, "mode", mode)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.refreshRegions(ctx, time.Minute)
	go a.pruneAudit(ctx, 24*time.Hour)
	go a.hashPhotos(ctx, time.Minute)
	a.startLedger(ctx)
	a.startNotifications(ctx)
	if opts.started != nil {
		opts.started(a, ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down; draining connections", "drain", cfg.ShutdownDrain)
	a.notify.Close() // subscriptions end and their clients reconnect elsewhere
	a.drain.run(cfg.ShutdownDrain)
	srv.SetKeepAlivesEnabled(false)
	a.log.Info("finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), writeTimeout(cfg.RequestTimeout))
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}
