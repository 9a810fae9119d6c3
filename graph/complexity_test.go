package graph

import (
	"context"
	"strconv"
	"testing"

	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
)

func TestListCost(t *testing.T) {
	for _, tc := range []struct {
		first *int
		child int
		want  int
	}{
		{nil, 3, 1 + 20*4}, // the default page
		{intp(0), 3, 1 + 20*4},
		{intp(-5), 3, 1 + 20*4},
		{intp(1), 3, 1 + 1*4},
		{intp(100), 0, 1 + 100*1},
		{intp(100), 9, 1 + 100*10},
	} {
		if got := listCost(tc.first, tc.child); got != tc.want {
			t.Errorf("listCost(%s, %d) = %d, want %d", showInt(tc.first), tc.child, got, tc.want)
		}
	}
}

// showInt prints an optional argument.
func showInt(p *int) string {
	if p == nil {
		return "nil"
	}
	return strconv.Itoa(*p)
}

// TestComplexityOfQueries computes what the executor will charge for
// queries against the real schema, so that a connection field without its
// complexity function (charged as one item) shows.
func TestComplexityOfQueries(t *testing.T) {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}, Complexity: complexity()})
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"users, first 50", `{ users(first: 50) { edges { node { id } } } }`, nil, 1 + 50*(3+1)},
		{"users, the default 20", `{ users { edges { node { id } } } }`, nil, 1 + 20*(3+1)},
		{"first from a variable", `query($n: Int) { devices(first: $n) { edges { node { id } } } }`, map[string]any{"n": 100}, 1 + 100*(3+1)},
		{"regions with geometry", `{ regions(first: 5) { edges { node { geometry } } } }`, nil, 1 + 5*(12+1)},
		{"a user's devices count as five", `{ users(first: 10) { edges { node { devices { id } } } } }`, nil, 1 + 10*(13+1)},
		{"nested children", `{ orgUnits(first: 10) { edges { node { children(first: 10) { edges { node { id } } } } } } }`, nil,
			1 + 10*(1+1+(1+10*(3+1))+1)},
		{"a unit's users", `{ orgUnits(first: 2) { edges { node { users(first: 30) { edges { node { id } } } } } } }`, nil,
			1 + 2*(1+1+(1+30*(3+1))+1)},
		{"a plain field", `{ me { id username } }`, nil, 1 + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(es.Schema(), tc.query)
			if len(errs) > 0 {
				t.Fatalf("query does not validate: %v", errs)
			}
			if got := gqlcomplexity.Calculate(context.Background(), es, doc.Operations[0], tc.vars); got != tc.want {
				t.Errorf("complexity = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestComplexityLimit: the endpoint refuses a query over its limit before
// running it, and runs one under it.
func TestComplexityLimit(t *testing.T) {
	a := newAPI(t, func(d *Deps) { d.ComplexityLimit = 300 })
	for _, tc := range []struct {
		query    string
		wantCode string
	}{
		{`{ users(first: 100) { edges { node { id } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"}, // 401
		{`{ users(first: 50) { edges { node { id } } } }`, ""},                           // 201
	} {
		r := a.post(t, "Bearer "+a.admin, tc.query)
		if got := r.code(); got != tc.wantCode {
			t.Errorf("%s: code %q, want %q (%s)", tc.query, got, tc.wantCode, r.raw)
		}
	}
}
