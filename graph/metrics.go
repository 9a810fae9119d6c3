package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
)

// metrics counts GraphQL operations and their latency by their first root
// field (operationLabel).
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
	name := operationLabel(graphql.GetOperationContext(ctx))
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

// operationLabel names an operation in the metrics by its first root field
// ("checkIn", "syncCheckIns", "ping"), which the schema bounds, rather than
// by the client's operation name: every distinct label value is a new
// series held until the process ends, so a label a client chooses would let
// any caller grow the server's memory without limit. An operation that
// opens with a fragment is "fragment"; one that did not parse, "invalid".
func operationLabel(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil || len(oc.Operation.SelectionSet) == 0 {
		return "invalid"
	}
	if f, ok := oc.Operation.SelectionSet[0].(*ast.Field); ok {
		return f.Name
	}
	return "fragment"
}
