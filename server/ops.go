package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// opsRoutes serves what operators read and clients must not: Prometheus
// metrics and Go's profiles. They are on their own listener
// (ONSITE_METRICS_ADDR, loopback by default), never on the API's: metrics
// describe the traffic, and a CPU profile costs the server CPU.
func (a *app) opsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// startOps listens on the operations address and serves opsRoutes until
// the returned stop is called; with the address "off" it serves nothing.
// It fails when the address cannot be listened on.
func (a *app) startOps() (stop func(), err error) {
	if a.cfg.MetricsAddr == "off" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, err
	}
	a.opsAddr = ln.Addr()
	srv := &http.Server{Handler: a.opsRoutes(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Warn("the operations listener stopped", "err", err)
		}
	}()
	a.log.Info("operations listener", "addr", ln.Addr().String(), "paths", "/metrics /debug/pprof/")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// applyMemoryLimit sets the runtime's soft memory limit from the
// configuration; 0 leaves the runtime's own (GOMEMLIMIT, or none).
func (a *app) applyMemoryLimit() {
	if a.cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(a.cfg.MemoryLimit)
		a.log.Info("memory limit", "bytes", a.cfg.MemoryLimit)
	}
}
