package graph

import (
	"net/http"
	"strconv"

	"github.com/henan-youth/onsite/models"
)

// PhotoHandler serves GET /photos/{sha256}: an activity's or a make-up
// request's photo to those who may read the record (the same bearer token
// as /graphql), with its GPS position removed for everyone but reviewers.
// A photo the caller may not see is 404, as one that does not exist.
func PhotoHandler(d Deps) http.Handler {
	d.defaults()
	return middleware(d, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := principal(ctx)
		if err != nil {
			writeError(w, http.StatusUnauthorized, models.CodeUnauthenticated, "sign in first")
			return
		}
		data, ctype, err := d.Activities.ServePhoto(ctx, p, r.PathValue("sha256"))
		if c := models.CodeOf(err); (c == models.CodeNotFound || c == models.CodeForbidden) && d.MakeUps != nil {
			data, ctype, err = d.MakeUps.ServePhoto(ctx, p, r.PathValue("sha256"))
		}
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
	}))
}
