// Package web serves the browser app (the Vite build of web/) next to the API on one port:
// hashed assets cached for a year, index.html never cached, every other page falling back to
// index.html so the app's own router answers it, and a strict Content-Security-Policy.
package web

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// CSP is the Content-Security-Policy of every answer: scripts and styles only from the app's
// own files (no inline script), API calls only to the same origin, no framing; the service
// worker (sw.js) and the manifest of the installed app from the app's own files too.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// contentTypes are the types of the app's files that Go's table may not know.
var contentTypes = map[string]string{".webmanifest": "application/manifest+json"}

// assetsDir holds Vite's content-hashed output: a changed file gets a new name, so it may be
// cached for good.
const assetsDir = "assets/"

// Files returns the app's built files. dir, when set (WEB_DIR), is read from disk on every
// request, for development. Otherwise the build embedded with -tags embedweb is used, else
// web/dist if it holds an index.html. It returns nil when there is no app to serve, and an error
// when dir is set but holds no index.html.
func Files(dir string) (fs.FS, error) {
	if dir != "" {
		files := os.DirFS(dir)
		if _, err := fs.Stat(files, "index.html"); err != nil {
			return nil, errors.New("WEB_DIR: " + dir + " holds no index.html (run npm run build in web/)")
		}
		return files, nil
	}
	if embedded != nil {
		return embedded, nil
	}
	files := os.DirFS("web/dist")
	if _, err := fs.Stat(files, "index.html"); err != nil {
		return nil, nil
	}
	return files, nil
}

// IsAPI reports whether a request path is the API's, which the app never shadows: a procedure
// (Connect, gRPC, gRPC-web), an HTTP route under /v1/, the OpenAPI document, or the ADF/XML
// intake.
func IsAPI(p string) bool {
	return strings.HasPrefix(p, "/relance.") || strings.HasPrefix(p, "/grpc.") ||
		strings.HasPrefix(p, "/v1/") || p == "/openapi.yaml" || strings.HasPrefix(p, "/adf/")
}

// Route sends API procedures to api and every other path to app; with no app, everything goes
// to api.
func Route(api, app http.Handler) http.Handler {
	if app == nil {
		return api
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsAPI(r.URL.Path) {
			api.ServeHTTP(w, r)
			return
		}
		app.ServeHTTP(w, r)
	})
}

// NewHandler serves files (the root of a Vite build). Only GET and HEAD are answered.
func NewHandler(files fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || name == "index.html" {
			serveIndex(w, r, files)
			return
		}
		f, err := files.Open(name)
		if err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, assetsDir) {
					h.Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					h.Set("Cache-Control", "no-cache")
				}
				if ct := contentTypes[path.Ext(name)]; ct != "" {
					h.Set("Content-Type", ct)
				}
				serveFile(w, r, name, st.ModTime(), f)
				return
			}
		}
		if strings.HasPrefix(name, assetsDir) {
			// A missing script must fail as such, not load the page as JavaScript.
			h.Set("Cache-Control", "no-cache")
			http.NotFound(w, r)
			return
		}
		serveIndex(w, r, files) // the app's router shows the page, or its own not-found page
	})
}

// serveIndex answers with index.html, revalidated on every load so a new build is picked up.
func serveIndex(w http.ResponseWriter, r *http.Request, files fs.FS) {
	b, err := fs.ReadFile(files, "index.html")
	if err != nil {
		http.Error(w, "the web app is not built", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(b))
}

// serveFile answers with one file, with range and conditional requests when it can seek.
func serveFile(w http.ResponseWriter, r *http.Request, name string, mod time.Time, f fs.File) {
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(w, r, name, mod, rs)
		return
	}
	b, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, "cannot read "+name, http.StatusInternalServerError)
		return
	}
	http.ServeContent(w, r, name, mod, bytes.NewReader(b))
}
