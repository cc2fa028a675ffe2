// Package health answers the liveness and readiness probes of load balancers and orchestrators:
// /healthz says the process serves HTTP, /readyz that every dependency it needs can serve it.
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Check reports why a dependency cannot serve, or nil.
type Check func(ctx context.Context) error

// timeout bounds each check, so that a hung dependency answers "not ready" rather than nothing.
const timeout = 2 * time.Second

// Handler serves GET /healthz (always 200 while the process runs) and GET /readyz: 200 when
// every check passes, else 503 with each failing check's reason, as JSON. The checks run
// concurrently, each within 2 s. Other paths go to next.
func Handler(checks map[string]Check, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			write(w, http.StatusOK, map[string]any{"status": "ok"})
		case "/readyz":
			failed := run(r.Context(), checks)
			if len(failed) > 0 {
				write(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "failed": failed})
				return
			}
			write(w, http.StatusOK, map[string]any{"status": "ready"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// run runs checks concurrently and returns the reasons of those that failed, by name.
func run(ctx context.Context, checks map[string]Check) map[string]string {
	var mu sync.Mutex
	var wg sync.WaitGroup
	failed := map[string]string{}
	for name, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := check(ctx); err != nil {
				mu.Lock()
				failed[name] = err.Error()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return failed
}

func write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
