package graph

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
)

// TestDevRouting: GraphiQL, introspection and field suggestions are served
// only in dev mode; queries work over GET and POST in both modes.
func TestDevRouting(t *testing.T) {
	for _, dev := range []bool{false, true} {
		a := newAPI(t, func(d *Deps) { d.Dev = dev })
		for _, tc := range []struct {
			name     string
			req      func() *http.Request
			wantUI   bool   // the GraphiQL page
			wantData string // a part of data, "" for none
		}{
			{"GET without a query", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/graphql", nil) }, dev, ""},
			{"GET with a query", func() *http.Request {
				return httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)
			}, false, "Query"},
			{"POST", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{__typename}"}`))
				r.Header.Set("Content-Type", "application/json")
				return r
			}, false, "Query"},
		} {
			r := a.do(t, tc.req())
			if gotUI := strings.Contains(strings.ToLower(r.raw), "<html"); gotUI != tc.wantUI {
				t.Errorf("dev=%v %s: GraphiQL page %v, want %v (%d %.200s)", dev, tc.name, gotUI, tc.wantUI, r.status, r.raw)
			}
			if got, _ := r.Data["__typename"].(string); tc.wantData != "" && got != tc.wantData {
				t.Errorf("dev=%v %s: __typename %q, want %q (%s)", dev, tc.name, got, tc.wantData, r.raw)
			}
		}
		schema := a.post(t, "", `{ __schema { queryType { name } } }`)
		if gotSchema := len(schema.Errors) == 0 && schema.Data["__schema"] != nil; gotSchema != dev {
			t.Errorf("dev=%v: introspection answered %v, want %v (%s)", dev, gotSchema, dev, schema.raw)
		}
		if !dev && (schema.code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(schema.raw, `"data"`)) {
			t.Errorf("production: __schema answered %s, want a validation error without data", schema.raw)
		}
		// A type lookup succeeds in both modes (GraphQL over HTTP expects
		// it to); outside dev mode no type is found.
		typ := a.post(t, "", `{ __type(name: "User") { name } }`)
		if got := typ.Data["__type"] != nil; len(typ.Errors) > 0 || got != dev {
			t.Errorf("dev=%v: __type answered %s, want no errors and a type %v", dev, typ.raw, dev)
		}
		for _, typo := range []string{
			`{ mee { id } }`, // a field
			`{ users(rol: ADMIN) { edges { cursor } } }`, // an argument
			`{ users(role: ADMN) { edges { cursor } } }`, // an enum value
			`{ ...F } fragment F on Quer { __typename }`, // a type
		} {
			r := a.post(t, "", typo)
			if gotHint := strings.Contains(r.raw, "Did you mean"); gotHint != dev || r.code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("dev=%v: %s: %s, want a validation error with a suggestion %v", dev, typo, r.raw, dev)
			}
		}
		if logs := a.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
			t.Errorf("dev=%v: client mistakes logged errors: %s", dev, logs)
		}
	}
}

// TestBodyLimit: a body over the limit is refused before it is read, with a
// request id.
func TestBodyLimit(t *testing.T) {
	a := newAPI(t, func(d *Deps) { d.MaxBodyBytes = 100 })
	for _, tc := range []struct {
		size       int
		wantStatus int
		wantCode   string
	}{
		{200, http.StatusRequestEntityTooLarge, "INVALID"},
		{50, http.StatusOK, ""},
	} {
		q := `{"query":"{__typename}` + strings.Repeat(" ", tc.size-len(`{"query":"{__typename}"}`)) + `"}`
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(q))
		req.Header.Set("Content-Type", "application/json")
		r := a.do(t, req)
		if r.status != tc.wantStatus || r.code() != tc.wantCode {
			t.Errorf("%d bytes: %d %q, want %d %q (%s)", tc.size, r.status, r.code(), tc.wantStatus, tc.wantCode, r.raw)
		}
		if id := r.header.Get("X-Request-Id"); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
			t.Errorf("%d bytes: X-Request-Id %q, want 16 hex digits", tc.size, id)
		}
	}
}

// TestAuthorizationHeader: a refused token is reported by the field that
// needs a caller, with the reason.
func TestAuthorizationHeader(t *testing.T) {
	a := newAPI(t, nil)
	for _, tc := range []struct {
		name, header string
		wantCode     string
		wantMsg      string // a part of the message
	}{
		{"none", "", "UNAUTHENTICATED", "authentication required"},
		{"not bearer", "Basic YWRtaW46eA==", "UNAUTHENTICATED", `"Bearer <token>"`},
		{"garbage", "Bearer not-a-token", "UNAUTHENTICATED", ""},
		{"admin", "Bearer " + a.admin, "", ""},
	} {
		r := a.post(t, tc.header, `{ me { username } }`)
		if got := r.code(); got != tc.wantCode {
			t.Errorf("%s: code %q, want %q (%s)", tc.name, got, tc.wantCode, r.raw)
		}
		if tc.wantMsg != "" && (len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, tc.wantMsg)) {
			t.Errorf("%s: %s, want a message with %q", tc.name, r.raw, tc.wantMsg)
		}
	}
}

// TestInternalErrorCarriesRequestID: a store failure reaches the client as
// INTERNAL with the request id of the response header, and the log holds
// the cause under the same id.
func TestInternalErrorCarriesRequestID(t *testing.T) {
	a := newAPI(t, nil)
	a.deps.Store.Close() // every query now fails inside the driver
	r := a.post(t, "Bearer "+a.admin, `{ users { edges { node { id } } } }`)
	rid := r.header.Get("X-Request-Id")
	if r.code() != "INTERNAL" || r.Errors[0].Extensions["requestId"] != rid || r.Errors[0].Message != "internal error (request id "+rid+")" {
		t.Fatalf("closed store: %s, want INTERNAL with request id %s", r.raw, rid)
	}
	if logs := a.logs.String(); !strings.Contains(logs, rid) || !strings.Contains(logs, "closed") {
		t.Errorf("log %s, want the cause under request id %s", logs, rid)
	}
}

// TestOperationLabel: metrics name an operation by its first root field,
// never by the client's operation name.
func TestOperationLabel(t *testing.T) {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}})
	for _, tc := range []struct {
		query string
		want  string
	}{
		{`{ me { id } }`, "me"},
		{`query ClientChosenName { users { edges { cursor } } me { id } }`, "users"},
		{`mutation Anything { ping }`, "ping"},
		{`query { ...F } fragment F on Query { me { id } }`, "fragment"},
	} {
		doc, errs := gqlparser.LoadQuery(es.Schema(), tc.query)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", tc.query, errs)
		}
		if got := operationLabel(&graphql.OperationContext{Operation: doc.Operations[0]}); got != tc.want {
			t.Errorf("%s: label %q, want %q", tc.query, got, tc.want)
		}
	}
	if got := operationLabel(nil); got != "invalid" {
		t.Errorf("no operation: label %q, want invalid", got)
	}
}
