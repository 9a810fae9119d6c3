package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/henan-youth/onsite/models"
)

// The two media types of a GraphQL answer (GraphQL over HTTP).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// maxRequestErrors is the most errors a request error lists: a document
// of thousands of mistakes gets the first few, not an answer as large.
const maxRequestErrors = 20

// codeResponseTooLarge is extensions.code of an answer refused for its size.
const codeResponseTooLarge = "RESPONSE_TOO_LARGE"

// httpTransport serves GraphQL over HTTP, GET and POST, as the
// GraphQL-over-HTTP specification says. A request that is not a
// well-formed GraphQL request (no JSON object, a parameter of the wrong
// type, the wrong Content-Type) is answered with a 4xx status and code
// INVALID, never echoing the body. A document that fails to parse or
// validate, or whose variables do not coerce, is a request error: nothing
// runs, the answer has no data entry, and its status is 200 under
// application/json and 400 under application/graphql-response+json
// (statusFor). An answer whose data exceeds maxResponse bytes is replaced
// by an error with code RESPONSE_TOO_LARGE.
type httpTransport struct {
	maxResponse int
	log         *slog.Logger
}

var _ graphql.Transport = httpTransport{}

// Supports takes every request but OPTIONS and HEAD (transport.Options
// answers those) and WebSocket upgrades, so that a wrong method or content
// type gets a proper answer rather than gqlgen's "transport not supported".
func (t httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method != http.MethodOptions && r.Method != http.MethodHead
}

// requestError is an HTTP-level refusal: the request is not a GraphQL
// request this server can read.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// Do answers one request.
func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	var params *graphql.RawParams
	var rerr *requestError
	switch r.Method {
	case http.MethodGet:
		params, rerr = getParams(r)
	case http.MethodPost:
		params, rerr = postParams(r)
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		rerr = &requestError{status: http.StatusMethodNotAllowed, msg: "use POST (or GET for queries)"}
	}
	if rerr != nil {
		writeAnswer(w, rerr.status, refusal(models.CodeInvalid, rerr.msg))
		return
	}
	params.Headers = r.Header
	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		if len(errs) > maxRequestErrors {
			more := len(errs) - maxRequestErrors
			errs = append(errs[:maxRequestErrors:maxRequestErrors], &gqlerror.Error{Message: fmt.Sprintf("and %d more errors", more),
				Extensions: errs[0].Extensions})
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeAnswer(w, statusFor(media), &answer{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeAnswer(w, http.StatusMethodNotAllowed, refusal(models.CodeInvalid, "GET requests only allow query operations; send a mutation with POST"))
		return
	}
	if opCtx.Operation.Operation == ast.Subscription {
		writeAnswer(w, http.StatusBadRequest, refusal(models.CodeInvalid, "subscriptions are served over WebSocket (graphql-transport-ws) on /graphql"))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil { // the request's context ended before the answer
		writeAnswer(w, http.StatusServiceUnavailable, refusal(models.CodeUnavailable, "the request timed out or was cancelled; retry"))
		return
	}
	a := &answer{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions}
	if a.Data == nil {
		a.Data = json.RawMessage("null") // execution started: data is present
	}
	if len(a.Data) > t.maxResponse {
		t.log.WarnContext(ctx, "answer over the size limit refused", "request_id", RequestID(ctx),
			"operation", operationLabel(opCtx), "bytes", len(a.Data), "limit", t.maxResponse)
		a.Data = json.RawMessage("null")
		a.Errors = append(a.Errors, &gqlerror.Error{
			Message: fmt.Sprintf("the answer is %d bytes, over the limit of %d: ask for fewer items (a smaller first) or fewer fields",
				len(resp.Data), t.maxResponse),
			Extensions: map[string]any{"code": codeResponseTooLarge},
		})
	}
	writeAnswer(w, http.StatusOK, a)
}

// statusFor is the status of a request error — a document that does not
// parse or validate, variables that do not coerce, a limit exceeded before
// execution: 200 under application/json, where the status says only that
// the request was read, and 400 under application/graphql-response+json.
func statusFor(media string) int {
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// answer is a GraphQL response. Data is omitted when nothing ran (a request
// error) and present, possibly null, once execution started.
type answer struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

func refusal(code models.Code, msg string) *answer {
	return &answer{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": string(code)}}}}
}

func writeAnswer(w http.ResponseWriter, status int, a *answer) {
	b, err := json.Marshal(a)
	if err != nil { // only a bug: data is JSON the executor wrote
		panic(fmt.Errorf("encoding a GraphQL answer: %w", err))
	}
	w.WriteHeader(status)
	w.Write(b)
}

// responseMediaType chooses the answer's media type from Accept: the
// first of application/graphql-response+json and application/json it
// names (a wildcard or no Accept means application/json, which every
// client reads).
func responseMediaType(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			return mediaJSON
		}
	}
	return mediaJSON
}

// postBody is a POST body with each parameter kept raw, so that a
// parameter of the wrong JSON type is refused by name.
type postBody struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func postParams(r *http.Request) (*graphql.RawParams, *requestError) {
	mt, mparams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != mediaJSON {
		return nil, &requestError{status: http.StatusUnsupportedMediaType, msg: "send the request as Content-Type: application/json"}
	}
	if cs, ok := mparams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &requestError{status: http.StatusUnsupportedMediaType, msg: "the request body must be UTF-8"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &requestError{status: http.StatusRequestEntityTooLarge, msg: "request body too large"}
		}
		return nil, badRequest("the request body could not be read")
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		return nil, badRequest("the request body is empty: send a JSON object with a query")
	case body[0] == '[':
		return nil, badRequest("batched requests (a JSON array) are not supported: send one JSON object per request")
	case body[0] != '{':
		return nil, badRequest("the request body must be a JSON object with a query")
	}
	var b postBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, badRequest("the request body is not valid JSON%s", jsonErrorAt(err))
	}
	p := &graphql.RawParams{}
	var rerr *requestError
	if p.Query, rerr = stringParam("query", b.Query); rerr != nil {
		return nil, rerr
	}
	if p.OperationName, rerr = stringParam("operationName", b.OperationName); rerr != nil {
		return nil, rerr
	}
	if p.Variables, rerr = objectParam("variables", b.Variables); rerr != nil {
		return nil, rerr
	}
	if p.Extensions, rerr = objectParam("extensions", b.Extensions); rerr != nil {
		return nil, rerr
	}
	return p, needQuery(p)
}

func getParams(r *http.Request) (*graphql.RawParams, *requestError) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the URL's query string is malformed")
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	var rerr *requestError
	if v := q.Get("variables"); v != "" {
		if p.Variables, rerr = objectParam("variables", json.RawMessage(v)); rerr != nil {
			return nil, rerr
		}
	}
	if v := q.Get("extensions"); v != "" {
		if p.Extensions, rerr = objectParam("extensions", json.RawMessage(v)); rerr != nil {
			return nil, rerr
		}
	}
	return p, needQuery(p)
}

// needQuery refuses a request with neither a query nor a registered
// document's id (trusted.go).
func needQuery(p *graphql.RawParams) *requestError {
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return badRequest("query is required: a GraphQL document as a string")
	}
	return nil
}

// stringParam reads an optional string parameter: absent or null is "".
func stringParam(name string, raw json.RawMessage) (string, *requestError) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest("%s must be a string", name)
	}
	return s, nil
}

// objectParam reads an optional object parameter, numbers kept exact:
// absent or null is nil.
func objectParam(name string, raw json.RawMessage) (map[string]any, *requestError) {
	if isNull(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, badRequest("%s must be a JSON object", name)
	}
	if n := jsonValues(raw); n > maxParamValues {
		return nil, &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("%s hold %d values; the limit is %d", name, n, maxParamValues)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return nil, badRequest("%s must be a JSON object", name)
	}
	return m, nil
}

// maxParamValues bounds the JSON values in variables (and in
// extensions): coercing and unmarshalling each costs far more than reading
// its bytes, so a body of a million tiny values would cost a request
// seconds. An offline queue of 100 check-ins is about 1200.
const maxParamValues = 2000

// jsonValues counts the values in valid JSON — objects, arrays and the
// values in them — from its structural characters, without decoding.
func jsonValues(raw []byte) int {
	n := 1
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ',' || c == '[' || c == '{':
			n++
		}
	}
	return n
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// jsonErrorAt locates a JSON syntax error by offset, never by quoting the
// body.
func jsonErrorAt(err error) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf(" (at byte %d)", se.Offset)
	}
	return ""
}
