package console

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHandler: the page and its modules are served with the policy and
// the security headers; directories are not listed; writes are refused.
func TestHandler(t *testing.T) {
	h := Handler()
	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/", 200, `<script type="module" src="js/main.js">`},
		{"GET", "/js/api.js", 200, "export"},
		{"GET", "/vendor/leaflet/leaflet.js", 200, "Leaflet"},
		{"GET", "/js/", 404, ""},
		{"GET", "/nothing.js", 404, ""},
		{"POST", "/", 405, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s %s: got %d %.80q, want %d with %q", c.method, c.path, rec.Code, rec.Body.String(), c.status, c.body)
		}
		if got := rec.Header().Get("Content-Security-Policy"); got != Policy {
			t.Errorf("%s %s: CSP %q", c.method, c.path, got)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s %s: %s %q, want %q", c.method, c.path, k, got, want)
			}
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/js/main.js", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("a module is served as %q; browsers need a JavaScript type", ct)
	}
}
