package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/henan-youth/onsite/accesslog"
	"github.com/henan-youth/onsite/account"
	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// NewHandler returns the hardened GraphQL endpoint: GET (queries only) and
// POST through the GraphQL-over-HTTP transport, subscriptions over
// WebSocket (subscriptions.go), registered documents,
// document limits checked before validation, query cache, complexity and
// token limits, introspection and suggestions only in dev mode, the error
// presenter, panic recovery, request ids, the body limit, bearer-token
// authentication and per-request loaders. With d.Dev it also serves
// GraphiQL on GET / when no query is given.
func NewHandler(d Deps) http.Handler {
	d.defaults()
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{deps: d}, Complexity: complexity()}))
	srv.AddTransport(transport.Options{})
	// WebSocket upgrades only (subscriptions.go); the others never take one.
	srv.AddTransport(websocket(d))
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: d.MaxUploadBytes, MaxMemory: 8 << 20}) // photos; before the catch-all below
	srv.AddTransport(httpTransport{maxResponse: d.MaxResponseBytes, log: d.Log})
	cache := boundedCache{Cache: lru.New[*ast.QueryDocument](256), maxLen: maxCachedQuery}
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(d.TokenLimit)
	srv.Use(trustedDocuments{d.Documents}) // before the scan: it may supply the text
	srv.Use(documentScan{limits: d.Limits, tokenLimit: d.TokenLimit, cache: cache})
	srv.SetDisableSuggestion(!d.Dev)
	srv.SetValidationRulesFn(validationRules(d.Dev))
	if d.Dev {
		srv.Use(extension.Introspection{})
	} else {
		srv.AroundRootFields(hideTypes)
	}
	srv.Use(extension.FixedComplexityLimit(d.ComplexityLimit))
	srv.AroundOperations(wsOperations(d))
	srv.SetErrorPresenter(presenter(d.Log))
	srv.AroundFields(noteReads)
	srv.AroundResponses(recordReads(d))
	srv.SetRecoverFunc(recoverer(d.Log))
	if d.Metrics != nil {
		srv.AroundOperations(newMetrics(d.Metrics).around)
	}
	var h http.Handler = srv
	if d.Dev {
		h = withGraphiQL(h)
	}
	return middleware(d, h)
}

// maxCachedQuery is the longest document the query cache keeps: the
// phone's and the console's documents are a few kilobytes, and a parsed
// document takes about 35 times its text, so 256 entries of at most 8 KiB
// hold at most about 70 MB (docs/performance.md, "Memory").
const maxCachedQuery = 8 << 10

func withGraphiQL(next http.Handler) http.Handler {
	ui := playground.Handler("onsite", "/graphql")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.RawQuery == "" {
			ui.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyClientAddr
	keySession
	keyLoaders
	keyReads
)

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func clientAddr(ctx context.Context) string {
	a, _ := ctx.Value(keyClientAddr).(string)
	return a
}

// middleware wraps the executor with everything that happens before GraphQL.
func middleware(d Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := newRequestID()
		w.Header().Set("X-Request-Id", rid)
		limit := d.MaxBodyBytes
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = d.MaxUploadBytes // photos (the GraphQL multipart request convention)
		}
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, models.CodeInvalid, "request body too large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		ctx, cancel := context.WithTimeout(r.Context(), d.RequestTimeout)
		if r.Header.Get("Upgrade") != "" { // a WebSocket lasts; each of its operations is authenticated on its own
			cancel()
			ctx, cancel = context.WithCancel(context.WithValue(r.Context(), keyWSAuth, r.Header.Get("Authorization")))
		}
		defer cancel()
		ctx = context.WithValue(ctx, keyRequestID, rid)
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ctx = context.WithValue(ctx, keyClientAddr, host)
		ctx = context.WithValue(ctx, keySession, authenticate(ctx, d.Accounts, r.Header.Get("Authorization"), host))
		ctx = context.WithValue(ctx, keyLoaders, newLoaders(d.Store, d.Regions, d.Activities))
		ctx = context.WithValue(ctx, keyReads, &reads{seen: map[models.AccessRead]bool{}})
		ctx = accesslog.WithRequest(ctx, rid)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// session is the request's caller: the principal from the bearer token, or
// why the token was refused. A successful login or refresh in the request
// replaces it, so the payload's nested fields resolve as the new user.
type session struct {
	p   atomic.Pointer[authz.Principal]
	err error
}

// authenticate verifies a bearer token against the account's current state
// (account.Service.Authenticate: a revoked session ends here) and records
// the principal, or the reason it was refused. Refusal is reported by the
// fields that need a principal, so a stale token does not block login.
func authenticate(ctx context.Context, accounts *account.Service, header, addr string) *session {
	s := &session{}
	if header == "" {
		return s
	}
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		s.err = models.E(models.CodeUnauthenticated, "the Authorization header must be \"Bearer <token>\"")
		return s
	}
	p, err := accounts.Authenticate(ctx, raw, addr)
	if err != nil {
		s.err = err
		return s
	}
	s.p.Store(p)
	return s
}

// principal returns the signed-in caller, or UNAUTHENTICATED with the reason
// the token was refused.
func principal(ctx context.Context) (*authz.Principal, error) {
	s, _ := ctx.Value(keySession).(*session)
	if s == nil {
		return nil, models.E(models.CodeUnauthenticated, "authentication required")
	}
	if p := s.p.Load(); p != nil {
		return p, nil
	}
	if s.err != nil {
		return nil, s.err
	}
	return nil, models.E(models.CodeUnauthenticated, "authentication required")
}

// signedIn makes p the caller for the rest of the request.
func signedIn(ctx context.Context, p *authz.Principal) {
	if s, _ := ctx.Value(keySession).(*session); s != nil {
		s.p.Store(p)
	}
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeError(w http.ResponseWriter, status int, code models.Code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeAnswer(w, status, refusal(code, msg))
}
