// Package console is the supervisors' and inspectors' web console: plain
// JavaScript modules, HTML and CSS embedded in the binary, served with a
// Content-Security-Policy that lets the page load and call its own origin
// only. The console speaks to the API at /graphql like any other client.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// Policy is the console's Content-Security-Policy: scripts, styles,
// images and requests from the page's own origin only (images also from
// data: and blob: URLs, which is how photos fetched with the bearer token
// are shown), no inline script or style, no framing.
const Policy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Files returns the console's files, index.html at the root.
func Files() fs.FS {
	sub, err := fs.Sub(assets, "assets")
	if err != nil { // the directory is embedded above: cannot happen
		panic(err)
	}
	return sub
}

// Handler serves the console for GET and HEAD, with Policy and the
// security headers on every answer; a directory other than the root is
// not listed (404), another method is 405.
func Handler() http.Handler {
	files := http.FileServerFS(Files())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", Policy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path != "/" && strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
