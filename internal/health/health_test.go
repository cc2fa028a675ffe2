package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadinessNamesWhatIsNotReady(t *testing.T) {
	ok := func(context.Context) error { return nil }
	hung := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	standby := func(context.Context) error { return errors.New("a standby in recovery, not the primary") }
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })

	for _, tc := range []struct {
		path   string
		checks map[string]Check
		status int
		body   string
	}{
		{"/healthz", map[string]Check{"postgres": standby}, http.StatusOK, `"ok"`},
		{"/readyz", map[string]Check{"postgres": ok, "redis": ok}, http.StatusOK, `"ready"`},
		{"/readyz", map[string]Check{"postgres": standby, "redis": ok}, http.StatusServiceUnavailable, `"postgres":"a standby in recovery`},
		{"/readyz", map[string]Check{"redis": hung}, http.StatusServiceUnavailable, `"redis":"context deadline exceeded"`},
		{"/relance.v1.LeadService/CreateLead", nil, http.StatusTeapot, ""},
	} {
		rec := httptest.NewRecorder()
		Handler(tc.checks, next).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %s, want %d with %s", tc.path, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
}
