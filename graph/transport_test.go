package graph

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// request builds a request to the endpoint with a body, a Content-Type and
// an Accept header ("" for none).
func request(method, body, contentType, accept string) *http.Request {
	r := httptest.NewRequest(method, "/graphql", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return r
}

// TestTransportRefusesMalformedRequests: a request that is not a GraphQL
// request gets a 4xx status and code INVALID, and never has its body
// echoed.
func TestTransportRefusesMalformedRequests(t *testing.T) {
	a := newAPI(t, nil)
	const marker = "ZZMARKERZZ"
	for _, tc := range []struct {
		name        string
		method      string
		body        string
		contentType string
		wantStatus  int
		wantMsg     string // a part of the message
	}{
		{"a batch", "POST", `[{"query":"{ __typename }"},{"query":"{ ` + marker + ` }"}]`, "application/json", 400, "batched requests"},
		{"not JSON", "POST", `{"query": "` + marker, "application/json", 400, "not valid JSON"},
		{"no body", "POST", ``, "application/json", 400, "empty"},
		{"a JSON string", "POST", `"` + marker + `"`, "application/json", 400, "JSON object"},
		{"query not a string", "POST", `{"query": {"` + marker + `": 1}}`, "application/json", 400, "query must be a string"},
		{"no query", "POST", `{"qeury": "{ __typename }"}`, "application/json", 400, "query is required"},
		{"operationName not a string", "POST", `{"query": "{ __typename }", "operationName": 0}`, "application/json", 400, "operationName must be a string"},
		{"variables not an object", "POST", `{"query": "{ __typename }", "variables": ["` + marker + `"]}`, "application/json", 400, "variables must be a JSON object"},
		{"extensions not an object", "POST", `{"query": "{ __typename }", "extensions": "x"}`, "application/json", 400, "extensions must be a JSON object"},
		{"no Content-Type", "POST", `{"query": "{ __typename }"}`, "", 415, "application/json"},
		{"text/plain", "POST", `{"query": "{ __typename }"}`, "text/plain", 415, "application/json"},
		{"latin-1", "POST", `{"query": "{ __typename }"}`, "application/json; charset=iso-8859-1", 415, "UTF-8"},
		{"PUT", "PUT", `{"query": "{ __typename }"}`, "application/json", 405, "POST"},
	} {
		r := a.do(t, request(tc.method, tc.body, tc.contentType, ""))
		if r.status != tc.wantStatus || r.code() != "INVALID" || !strings.Contains(r.Errors[0].Message, tc.wantMsg) {
			t.Errorf("%s: %d %s, want %d INVALID with %q", tc.name, r.status, r.raw, tc.wantStatus, tc.wantMsg)
		}
		if strings.Contains(r.raw, marker) || strings.Contains(r.raw, `"data"`) {
			t.Errorf("%s: %s echoes the body or has data", tc.name, r.raw)
		}
	}
}

// TestTransportStatusAndData: a document that does not parse or validate,
// or whose variables do not coerce, is a request error — 200 under
// application/json, 400 under application/graphql-response+json, and no
// data entry under either; an executed one has data and 200.
func TestTransportStatusAndData(t *testing.T) {
	a := newAPI(t, nil)
	for _, tc := range []struct {
		name     string
		body     string
		wantCode string // "" for an executed request
	}{
		{"parse failure", `{"query": "{"}`, "GRAPHQL_PARSE_FAILED"},
		{"validation failure", `{"query": "{ nope }"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion failure", `{"query": "query($id: ID!) { __typename }", "variables": {"id": null}}`, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation name", `{"query": "query A { __typename }", "operationName": "B"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"executed", `{"query": "{ __typename }"}`, ""},
		{"executed with a field error", `{"query": "{ me { id } }"}`, "UNAUTHENTICATED"},
	} {
		for _, accept := range []string{"", "application/json", "*/*", "application/graphql-response+json", "text/html, application/graphql-response+json;q=0.9"} {
			r := a.do(t, request("POST", tc.body, "application/json", accept))
			media, wantStatus := "application/json", 200
			if strings.Contains(accept, "graphql-response") {
				media = "application/graphql-response+json"
				if tc.wantCode != "" && tc.wantCode != "UNAUTHENTICATED" {
					wantStatus = 400
				}
			}
			executed := tc.wantCode == "" || tc.wantCode == "UNAUTHENTICATED"
			if r.status != wantStatus || r.code() != tc.wantCode || strings.Contains(r.raw, `"data"`) != executed {
				t.Errorf("%s, Accept %q: %d %s, want %d, code %q, data present %v", tc.name, accept, r.status, r.raw, wantStatus, tc.wantCode, executed)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, media) {
				t.Errorf("%s, Accept %q: Content-Type %q, want %s", tc.name, accept, ct, media)
			}
		}
	}
}

// TestResponseSizeLimit: an answer over the limit is replaced by an error
// saying so; one under it is sent.
func TestResponseSizeLimit(t *testing.T) {
	a := newAPI(t, func(d *Deps) { d.MaxResponseBytes = 200 })
	small := a.post(t, "Bearer "+a.admin, `{ me { id } }`)
	if len(small.Errors) > 0 {
		t.Fatalf("a small answer was refused: %s", small.raw)
	}
	var q strings.Builder
	q.WriteString("{")
	for i := range 20 {
		q.WriteString(" a" + string(rune('a'+i)) + ": me { username displayName }")
	}
	q.WriteString("}")
	big := a.post(t, "Bearer "+a.admin, q.String())
	if big.status != 200 || big.code() != "RESPONSE_TOO_LARGE" || !strings.Contains(big.raw, `"data":null`) ||
		!strings.Contains(big.Errors[0].Message, "limit of 200") {
		t.Errorf("an answer over the limit: %d %s, want RESPONSE_TOO_LARGE naming the limit, data null", big.status, big.raw)
	}
	if strings.Contains(a.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a refused answer logged an error: %s", a.logs.String())
	}
}

func TestJSONValues(t *testing.T) {
	for _, tc := range []struct {
		json string
		want int
	}{
		{`1`, 1},
		{`[1,2,3]`, 4},
		{`{"a":{"b":1,"c":[true,null]}}`, 6},
		{`{"a":"x,y[{","b":"\"],"}`, 3}, // structure inside strings does not count
		{`["\\",1]`, 3},
	} {
		if got := jsonValues([]byte(tc.json)); got != tc.want {
			t.Errorf("jsonValues(%s) = %d, want %d", tc.json, got, tc.want)
		}
	}
	// An offline queue of 100 check-ins, the largest the API takes, is
	// within the limit.
	if n := jsonValues(attack{vars: checkIns(100)}.body()); n > maxParamValues {
		t.Errorf("100 check-ins are %d values, over the limit of %d", n, maxParamValues)
	}
}
