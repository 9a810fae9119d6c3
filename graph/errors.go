package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/henan-youth/onsite/models"
)

// presenter publishes domain errors with extensions.code and their safe
// message. Parser and validation errors keep gqlgen's text. Anything else —
// a driver error, a bug — becomes "internal error (request id …)" with code
// INTERNAL; the detail goes only to the log.
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var me *models.Error
		if errors.As(err, &me) && me.Code != models.CodeInternal {
			if me.Err != nil {
				log.WarnContext(ctx, "request failed", "request_id", RequestID(ctx), "code", me.Code, "err", me.Err)
			}
			gqlErr.Message = me.Message
			gqlErr.Extensions = map[string]any{"code": string(me.Code)}
			return gqlErr
		}
		var ge *gqlerror.Error
		if me == nil && errors.As(err, &ge) && ge.Err == nil {
			return gqlErr // parse, validation or complexity error from the executor
		}
		rid := RequestID(ctx)
		log.ErrorContext(ctx, "internal error", "request_id", rid, "path", gqlErr.Path.String(), "err", err)
		gqlErr.Message = fmt.Sprintf("internal error (request id %s)", rid)
		gqlErr.Extensions = map[string]any{"code": string(models.CodeInternal), "requestId": rid}
		return gqlErr
	}
}

// recoverer turns a resolver panic into an INTERNAL error and logs the stack.
func recoverer(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic", "request_id", RequestID(ctx), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return models.Wrap(models.CodeInternal, fmt.Errorf("panic: %v", v), "internal error")
	}
}
