package graph

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/codegen/templates"
	gqlcomplexity "github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/henan-youth/onsite/presence"
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
		{intp(1000), 9, 1 + 100*10},   // over the page limit, which the store refuses
		{intp(100), maxCost, maxCost}, // saturates rather than wrapping
		{intp(100), maxCost / 50, maxCost},
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
		{"my check-ins, first 100", `{ myCheckIns(from: "2024-01-01T00:00:00Z", to: "2024-04-01T00:00:00Z", first: 100) { edges { node { id lat } } } }`, nil,
			1 + 100*(4+1)},
		{"my check-ins, the default 50", `{ myCheckIns(from: "2024-01-01T00:00:00Z", to: "2024-04-01T00:00:00Z") { edges { node { id } } } }`, nil,
			1 + 50*(3+1)},
		{"check-ins with flags", `{ checkIns(first: 10) { edges { node { flags { code } } } } }`, nil,
			1 + 10*(1+1+(1+len(presence.AllFlags())*2)+1)},
		{"work groups with members", `{ workGroups(first: 10) { edges { node { members { id } } } } }`, nil,
			1 + 10*(1+1+(1+membersPerGroup*2)+1)},
		{"assignments", `{ assignments(first: 30) { edges { node { id } } } }`, nil, 1 + 30*(3+1)},
		{"an offline queue of 3", `mutation($in: [CheckInInput!]!) { syncCheckIns(inputs: $in) { clientId } }`,
			map[string]any{"in": []any{map[string]any{}, map[string]any{}, map[string]any{}}}, 1 + 3*(1+1)},
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

// TestEveryListHasACost walks the schema: every list field and every
// connection field must have a complexity function, or the executor would
// charge a page of 100 as one item.
func TestEveryListHasACost(t *testing.T) {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}})
	costs := reflect.ValueOf(complexity())
	n := 0
	for _, typ := range es.Schema().Types {
		if typ.Kind != ast.Object || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			if strings.HasPrefix(f.Name, "__") || (f.Type.Elem == nil && !strings.HasSuffix(f.Type.Name(), "Connection")) {
				continue
			}
			n++
			fn := costs.FieldByName(typ.Name).FieldByName(templates.ToGo(f.Name))
			if !fn.IsValid() {
				t.Fatalf("%s.%s: no such complexity function; is the schema generated?", typ.Name, f.Name)
			}
			if fn.IsNil() {
				t.Errorf("%s.%s (%s) has no cost rule in complexity()", typ.Name, f.Name, f.Type)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d list fields; the walk is broken", n)
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
