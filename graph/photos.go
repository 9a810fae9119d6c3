package graph

import (
	"context"
	"net/http"
	"strconv"

	"github.com/henan-youth/onsite/authz"
	"github.com/henan-youth/onsite/models"
)

// PhotoHandler serves GET /photos/{sha256}: an activity's or a make-up
// request's photo to those who may read the record (the same bearer token
// as /graphql), with its GPS position removed for everyone but reviewers.
// A photo the caller may not see is 404, as one that does not exist.
func PhotoHandler(d Deps) http.Handler {
	return photoHandler(d, func(ctx context.Context, p *authz.Principal, sha string) ([]byte, string, error) {
		data, ctype, err := d.Activities.ServePhoto(ctx, p, sha)
		if c := models.CodeOf(err); (c == models.CodeNotFound || c == models.CodeForbidden) && d.MakeUps != nil {
			return d.MakeUps.ServePhoto(ctx, p, sha)
		}
		return data, ctype, err
	})
}

// TaskPhotoHandler serves GET /task-photos/{sha256}: a key-work tick-off's
// photo to those who may read the item, as PhotoHandler serves an
// activity's (GPS removed for cadres).
func TaskPhotoHandler(d Deps) http.Handler { return photoHandler(d, d.Tasks.ServePhoto) }

// photoHandler serves the photo serve returns for the path's hash.
func photoHandler(d Deps, serve func(ctx context.Context, p *authz.Principal, sha string) ([]byte, string, error)) http.Handler {
	return withCaller(d, func(w http.ResponseWriter, r *http.Request, p *authz.Principal) {
		ctx := r.Context()
		data, ctype, err := serve(ctx, p, r.PathValue("sha256"))
		if err != nil {
			code := models.CodeOf(err)
			status := map[models.Code]int{models.CodeNotFound: http.StatusNotFound, models.CodeInvalid: http.StatusNotFound,
				models.CodeForbidden: http.StatusNotFound, models.CodeUnavailable: http.StatusServiceUnavailable}[code]
			if status == 0 {
				d.Log.ErrorContext(ctx, "photo", "request_id", RequestID(ctx), "err", err)
				status, code = http.StatusInternalServerError, models.CodeInternal
			}
			writeError(w, status, code, http.StatusText(status))
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Length", strconv.Itoa(len(data)))
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write(data)
	})
}

// withCaller is a handler behind the API's middleware (limits, deadline,
// access log) that answers 401 without a signed-in caller and otherwise
// calls fn with it: the prologue of every endpoint outside /graphql.
func withCaller(d Deps, fn func(w http.ResponseWriter, r *http.Request, p *authz.Principal)) http.Handler {
	d.defaults()
	return middleware(d, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r.Context())
		if err != nil {
			writeError(w, http.StatusUnauthorized, models.CodeUnauthenticated, "sign in first")
			return
		}
		fn(w, r, p)
	}))
}
