package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts GraphQL operations and their latency by operation name.
type metrics struct {
	ops     *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onsite_graphql_operations_total", Help: "GraphQL operations by name and outcome.",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "onsite_graphql_operation_seconds", Help: "GraphQL operation latency.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"operation"}),
	}
	reg.MustRegister(m.ops, m.latency)
	return m
}

func (m *metrics) around(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	start := time.Now()
	name := "unnamed"
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.OperationName != "" {
		name = oc.OperationName
	}
	rh := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		outcome := "ok"
		if resp != nil && len(resp.Errors) > 0 {
			outcome = "error"
		}
		m.ops.WithLabelValues(name, outcome).Inc()
		m.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
		return resp
	}
}
