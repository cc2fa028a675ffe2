package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var app = fstest.MapFS{
	"index.html":            {Data: []byte(`<!doctype html><script type="module" src="/assets/index-1a2b.js"></script>`)},
	"assets/index-1a2b.js":  {Data: []byte("console.log(1)")},
	"assets/index-3c4d.css": {Data: []byte("body{}")},
	"alert.wav":             {Data: []byte("RIFF")},
	"sw.js":                 {Data: []byte("self.addEventListener('push', () => {})")},
	"manifest.webmanifest":  {Data: []byte(`{"name":"Relance"}`)},
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHandlerCachingAndFallback(t *testing.T) {
	h := NewHandler(app)
	for _, tc := range []struct {
		path, status, cache, body, contentType string
	}{
		{"/", "200", "no-cache", "<!doctype html>", "text/html"},
		{"/index.html", "200", "no-cache", "<!doctype html>", "text/html"},
		{"/assets/index-1a2b.js", "200", "public, max-age=31536000, immutable", "console.log(1)", "text/javascript"},
		{"/assets/index-3c4d.css", "200", "public, max-age=31536000, immutable", "body{}", "text/css"},
		{"/alert.wav", "200", "no-cache", "RIFF", "audio/"},
		// The service worker is revalidated on every load, so a new build replaces it.
		{"/sw.js", "200", "no-cache", "self.addEventListener", "text/javascript"},
		{"/manifest.webmanifest", "200", "no-cache", `{"name"`, "application/manifest+json"},
		// The app's own routes fall back to index.html, never cached.
		{"/leads/0190a4c2-0000-7000-8000-000000000000", "200", "no-cache", "<!doctype html>", "text/html"},
		{"/admin/sites?x=1", "200", "no-cache", "<!doctype html>", "text/html"},
		{"/../../etc/passwd", "200", "no-cache", "<!doctype html>", "text/html"},
		// A missing hashed asset is a 404, not the page served as a script.
		{"/assets/index-0000.js", "404", "no-cache", "404 page not found", "text/plain"},
	} {
		rec := get(t, h, http.MethodGet, tc.path)
		if got := rec.Result().Status[:3]; got != tc.status {
			t.Errorf("%s: status %s, want %s", tc.path, got, tc.status)
		}
		if got := rec.Header().Get("Cache-Control"); got != tc.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.contentType) {
			t.Errorf("%s: Content-Type %q, want %s…", tc.path, got, tc.contentType)
		}
		if !strings.HasPrefix(rec.Body.String(), tc.body) {
			t.Errorf("%s: body %q, want %q…", tc.path, rec.Body.String(), tc.body)
		}
	}
}

func TestHandlerSecurityHeaders(t *testing.T) {
	h := NewHandler(app)
	for _, p := range []string{"/", "/inbox", "/assets/index-1a2b.js"} {
		rec := get(t, h, http.MethodGet, p)
		csp := rec.Header().Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self';", "connect-src 'self'", "worker-src 'self'", "manifest-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline code", p, csp)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", p, got)
		}
	}
	if rec := get(t, h, http.MethodPost, "/"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", rec.Code)
	}
	if rec := get(t, h, http.MethodHead, "/assets/index-1a2b.js"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD asset: status %d, body %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestRouteLeavesAPIPathsToTheAPI(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Handler", "api")
		w.WriteHeader(http.StatusTeapot)
	})
	h := Route(api, NewHandler(app))
	for _, tc := range []struct {
		method, path string
		api          bool
	}{
		{http.MethodPost, "/relance.v1.AuthService/Login", true},
		{http.MethodPost, "/relance.v1.AlertService/WatchAlerts", true},
		{http.MethodPost, "/relance.v1.Unknown/Method", true},
		{http.MethodPost, "/adf/v1/leads", true},
		{http.MethodPost, "/adf/v1/leads/rk_token", true},
		{http.MethodPost, "/grpc.health.v1.Health/Check", true},
		{http.MethodPost, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", true},
		{http.MethodOptions, "/relance.v1.LeadService/ListLeads", true}, // CORS preflight
		{http.MethodGet, "/relance.v1.ReportService/Dashboard?encoding=json&message={}", true},
		{http.MethodGet, "/v1/leads/0190a1b2-0000-7000-8000-000000000001", true},
		{http.MethodPost, "/v1/calls", true},
		{http.MethodGet, "/v1/nothing-here", true},
		{http.MethodGet, "/openapi.yaml", true},
		{http.MethodGet, "/", false},
		{http.MethodGet, "/reports", false},
		{http.MethodGet, "/v1", false},
		{http.MethodGet, "/openapi.yaml.html", false},
		{http.MethodGet, "/assets/index-1a2b.js", false},
	} {
		rec := get(t, h, tc.method, tc.path)
		if got := rec.Header().Get("X-Handler") == "api"; got != tc.api {
			t.Errorf("%s %s: to the API %v, want %v", tc.method, tc.path, got, tc.api)
		}
		if tc.api && rec.Header().Get("Content-Security-Policy") != "" {
			t.Errorf("%s %s: the API answer got the page's headers", tc.method, tc.path)
		}
	}
	if Route(api, nil) == nil {
		t.Fatal("Route without an app must still serve the API")
	}
	if rec := get(t, Route(api, nil), http.MethodGet, "/"); rec.Code != http.StatusTeapot {
		t.Errorf("without an app, / went elsewhere than the API: %d", rec.Code)
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Files(dir); err == nil {
		t.Error("Files of a folder without index.html: no error")
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := Files(dir)
	if err != nil || files == nil {
		t.Fatalf("Files(%s) = %v, %v", dir, files, err)
	}
	// Read from disk on each request: a rebuild shows without a restart.
	h := NewHandler(files)
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if body := get(t, h, http.MethodGet, "/").Body.String(); body != "<!doctype html>v2" {
		t.Errorf("after a rebuild, / = %q", body)
	}
	// No WEB_DIR, nothing embedded, and no web/dist under the working directory: no app.
	if embedded == nil {
		if files, err := Files(""); err != nil || files != nil {
			t.Errorf(`Files("") here = %v, %v; want nil, nil`, files, err)
		}
	}
}
