package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// repeat returns n copies of s separated by spaces.
func repeat(s string, n int) string {
	return strings.TrimSpace(strings.Repeat(s+" ", n))
}

// numbered returns n copies of format, each given its index.
func numbered(format string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format+" ", i)
	}
	return b.String()
}

// doublingFragments returns n fragments, each spreading the next twice, so
// that spreading the first expands to 2^n selections.
func doublingFragments(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on OrgUnit { parent { ...F%d } children { edges { node { ...F%d } } } } ", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on OrgUnit { id }", n)
	return b.String()
}

// attack is a document that would cost the validator or the executor far
// more than its size, and the code that refuses it.
type attack struct {
	name     string
	query    string
	wantCode string
	vars     map[string]any
}

// body is the attack's POST body.
func (a attack) body() []byte {
	b, _ := json.Marshal(map[string]any{"query": a.query, "variables": a.vars})
	return b
}

// checkIns returns n offline check-ins as variables.
func checkIns(n int) map[string]any {
	in := map[string]any{"clientId": "0123456789abcdef0123456789abcdef", "lat": 34.83, "lon": 114.81, "accuracy": 10,
		"coordSystem": "WGS84", "deviceTime": "2024-03-01T08:30:00+08:00"}
	list := make([]any, n)
	for i := range list {
		list[i] = in
	}
	return map[string]any{"in": list}
}

// attacks are each within the body limit and the parser's token limit.
func attacks() []attack {
	return []attack{
		{"__typename ×9990", "{ " + repeat("__typename", 9990) + " }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"one alias ×3000", "{ " + repeat("a: __typename", 3000) + " }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"distinct aliases ×3000", "{ " + numbered("a%d: __typename", 3000) + " }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"inline fragments ×1500", "{ " + repeat("... on Query { __typename }", 1500) + " }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"one fragment spread ×4000", "{ " + repeat("...F", 4000) + " } fragment F on Query { __typename }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"distinct fragments ×1000", "{ " + numbered("...F%d", 1000) + " } " + numbered("fragment F%d on Query { __typename }", 1000), "GRAPHQL_VALIDATION_FAILED", nil},
		{"fragments doubling ×40", "{ me { orgUnit { ...F0 } } } " + doublingFragments(40), "GRAPHQL_VALIDATION_FAILED", nil},
		{"deep nesting ×900", "{ me { orgUnit " + strings.Repeat("{ parent ", 900) + "{ id }" + strings.Repeat(" }", 900) + " } }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"repeated nested fields 8×8×8", "{ " + repeat("me { "+repeat("orgUnit { "+repeat("id", 8)+" }", 8)+" }", 8) + " }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"aliased pages ×90", "{ " + numbered("a%d: users(first: 100) { edges { node { id username } } }", 90) + " }", "COMPLEXITY_LIMIT_EXCEEDED", nil},
		{"variables: 6500 check-ins", "mutation($in: [CheckInInput!]!) { syncCheckIns(inputs: $in) { clientId } }", "INVALID", checkIns(6500)},
	}
}

// largeDocuments pass the document limits and are as large as the token
// limit allows; validation or authentication refuses them.
func largeDocuments() []attack {
	return []attack{
		{"unknown arguments ×3000", "{ users(" + numbered("a%d: 1", 3000) + ") { edges { cursor } } }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"unknown input fields ×3000", `mutation { createWorkGroup(input: {name: "x", orgUnitId: 1, leaderId: 1, memberIds: [1], ` +
			numbered("f%d: 1", 3000) + "}) { id } }", "GRAPHQL_VALIDATION_FAILED", nil},
		{"a list of 9000 ids", `mutation { createWorkGroup(input: {name: "x", orgUnitId: 1, leaderId: 1, memberIds: [` +
			repeat("1", 9000) + "]}) { id } }", "UNAUTHENTICATED", nil},
	}
}

// TestAttacksRefusedBeforeValidation: each attack is refused, without a
// token, by the document limits or the complexity limit, with a message
// naming the limit and nothing executed.
func TestAttacksRefusedBeforeValidation(t *testing.T) {
	a := newAPI(t, nil)
	for _, at := range attacks() {
		body := at.body()
		if len(body) > 1<<20 {
			t.Fatalf("%s: %d bytes, over the body limit", at.name, len(body))
		}
		r := a.do(t, request("POST", string(body), "application/json", ""))
		if r.code() != at.wantCode || strings.Contains(r.raw, `"data"`) || !strings.Contains(r.Errors[0].Message, "limit") {
			t.Errorf("%s: %.300s, want %s naming the limit, without data", at.name, r.raw, at.wantCode)
		}
	}
	if logs := a.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("refusals logged errors: %s", logs)
	}
}

// TestDocumentLimitsAllowOrdinaryDocuments: documents as clients write
// them — fragments, a few aliases, the same field from two fragments —
// pass the limits.
func TestDocumentLimitsAllowOrdinaryDocuments(t *testing.T) {
	a := newAPI(t, nil)
	for _, q := range []string{
		`{ me { id ...U ...U } } fragment U on User { id username orgUnit { name } }`,
		`{ a: me { id } b: me { username } me { id } me { displayName } }`,
		`query Q($n: Int) { users(first: $n) { edges { node { ... on User { id } id } } pageInfo { hasNextPage } } }`,
		"{ me { orgUnit " + strings.Repeat("{ parent ", 10) + "{ id }" + strings.Repeat(" }", 10) + " } }",
	} {
		if r := a.post(t, "Bearer "+a.admin, q); len(r.Errors) > 0 {
			t.Errorf("%s: %s", q, r.raw)
		}
	}
}

// TestDocumentLimits: each limit at its edge.
func TestDocumentLimits(t *testing.T) {
	l := DocumentLimits{Fields: 10, Aliases: 2, Depth: 3, Repeats: 2, Fragments: 1}
	for _, tc := range []struct {
		query   string
		wantErr string // a part of the error, "" for none
	}{
		{"{ " + repeat("__typename", 2) + " }", ""},
		{"{ " + repeat("__typename", 3) + " }", `"__typename" is selected more than 2 times`},
		{"{ a: me { id } b: me { id } }", ""},
		{"{ a: me { id } b: me { id } c: me { id } }", "more than 2 aliases"},
		{"{ me { orgUnit { id } } }", ""},
		{"{ me { orgUnit { parent { id } } } }", "4 deep"},
		{"{ " + numbered("f%d: __typename", 2) + repeat("me { id }", 2) + " ... on Query { __typename } }", ""},
		{"{ me { ...U } } fragment U on User { " + repeat("id", 2) + " username }", ""},
		{"{ me { ...U id } } fragment U on User { " + repeat("id", 2) + " }", `"id" is selected more than 2 times`},
		{"{ me { ...U ...U } } fragment U on User { id }", ""},
		{"{ me { ...U ...U ...U } } fragment U on User { id }", `"id" is selected more than 2 times`},
		{"{ me { ...U } } fragment U on User { ...V } fragment V on User { id }", "2 fragments"},
		{"{ me { ...U } } fragment U on User { ...U }", ""}, // a cycle is validation's to report
		{"{ " + repeat("__typename", 2) + " " + numbered("f%d: me { id }", 2) + repeat("users { edges { cursor } }", 2) + " }", "more than 10 fields"},
	} {
		err := l.check(mustParse(t, tc.query))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.query, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Message, tc.wantErr)):
			t.Errorf("%s: %v, want an error with %q", tc.query, err, tc.wantErr)
		}
	}
}

// BenchmarkRefusal measures the whole request — HTTP handler, body, scan,
// and whatever else runs before the refusal — for each attack and for a
// trivial query, without a token. The ratio of an attack's ns/op to the
// trivial query's is its cost relative to the cheapest request.
func BenchmarkRefusal(b *testing.B) {
	a := newAPI(b, nil)
	cases := append([]attack{{"trivial { __typename }", "{ __typename }", "", nil}}, attacks()...)
	cases = append(cases, largeDocuments()...)
	for _, at := range cases {
		body := at.body()
		b.Run(at.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				if at.wantCode != "" && !strings.Contains(rec.Body.String(), at.wantCode) {
					b.Fatalf("not refused: %.200s", rec.Body.String())
				}
			}
		})
	}
}

func mustParse(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return doc
}

// TestBoundedCache: a document over the length limit is not cached.
func TestBoundedCache(t *testing.T) {
	c := boundedCache{Cache: lru.New[*ast.QueryDocument](10), maxLen: 8}
	ctx := context.Background()
	c.Add(ctx, "{ me }", &ast.QueryDocument{})
	c.Add(ctx, "{ me { id } }", &ast.QueryDocument{})
	if _, ok := c.Get(ctx, "{ me }"); !ok {
		t.Error("a short document was not cached")
	}
	if _, ok := c.Get(ctx, "{ me { id } }"); ok {
		t.Error("a document over the limit was cached")
	}
}
