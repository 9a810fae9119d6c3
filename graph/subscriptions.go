package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/notify"
)

// Subscriptions are served over WebSocket on /graphql (graphql-transport-ws,
// and the older graphql-ws). A connection authenticates once, with the
// bearer token of its connection_init payload ({"Authorization": "Bearer
// …"}) or of the upgrade request; every operation on it authenticates that
// token again, as a request would, and a subscription does so again before
// each event, so a revoked session or an expired token ends it. The
// WebSocket carries subscriptions only: queries and mutations go over HTTP,
// where every request has its deadline.

// keyWSAuth holds the Authorization value a WebSocket connection
// authenticated with.
const keyWSAuth ctxKey = 100

// wsPing is how often the server pings a WebSocket client; one that has
// not answered within two pings is disconnected.
const wsPing = 25 * time.Second

// websocket is the WebSocket transport of d.
func websocket(d Deps) transport.Websocket {
	return transport.Websocket{
		InitFunc:              wsInit(d),
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: wsPing, // graphql-ws
		PingPongInterval:      wsPing, // graphql-transport-ws
	}
}

// wsInit authenticates a connection: the init payload's Authorization, or
// else the upgrade request's. It refuses the connection (close code 4401)
// without a valid token, and ends it when the server stops.
func wsInit(d Deps) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		header := payload.Authorization()
		if header == "" {
			header, _ = ctx.Value(keyWSAuth).(string)
		}
		s := authenticate(ctx, d.Accounts, header, clientAddr(ctx))
		if s.p.Load() == nil {
			err := s.err
			if err == nil {
				err = models.E(models.CodeUnauthenticated, "send the access token in the connection_init payload: {\"Authorization\": \"Bearer …\"}")
			}
			ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4401), "unauthenticated")
			return ctx, nil, err
		}
		ctx = context.WithValue(context.WithValue(ctx, keySession, s), keyWSAuth, header)
		if d.Notify != nil {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			go func() {
				select {
				case <-d.Notify.Closed():
					cancel()
				case <-ctx.Done():
				}
			}()
		}
		return ctx, nil, nil
	}
}

// wsOperations runs every operation of a WebSocket connection as a request
// of its own: its token authenticated again, fresh loaders; and refuses
// queries and mutations, which go over HTTP.
func wsOperations(d Deps) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		header, ok := ctx.Value(keyWSAuth).(string)
		if !ok {
			return next(ctx)
		}
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Subscription {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "the WebSocket carries subscriptions only; send queries and mutations with POST /graphql",
				Extensions: map[string]any{"code": string(models.CodeInvalid)}}}})
		}
		ctx = context.WithValue(ctx, keySession, authenticate(ctx, d.Accounts, header, clientAddr(ctx)))
		ctx = context.WithValue(ctx, keyLoaders, newLoaders(d.Store, d.Regions, d.Activities))
		return next(ctx)
	}
}

// notifier is the notification service, UNAVAILABLE when none is served.
func (r *Resolver) notifier() (*notify.Service, error) {
	if r.deps.Notify == nil {
		return nil, models.E(models.CodeUnavailable, "notifications are not served here")
	}
	return r.deps.Notify, nil
}

// whileSignedIn passes in's notifications on while the connection's token
// still authenticates; when it no longer does, the subscription ends with
// its error (UNAUTHENTICATED) and cancel unsubscribes.
func (r *Resolver) whileSignedIn(ctx context.Context, cancel context.CancelFunc, in <-chan *models.Notification) <-chan *models.Notification {
	out := make(chan *models.Notification)
	header, _ := ctx.Value(keyWSAuth).(string)
	go func() {
		defer close(out)
		defer cancel()
		for n := range in {
			if header != "" {
				if _, err := r.deps.Accounts.Authenticate(ctx, bearer(header), clientAddr(ctx)); err != nil {
					transport.AddSubscriptionError(ctx, presenter(r.deps.Log)(ctx, err))
					return
				}
			}
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// bearer returns the token of an Authorization value "Bearer <token>".
func bearer(header string) string {
	if len(header) > 7 && header[:7] == "Bearer " {
		return header[7:]
	}
	return header
}
