package soak

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
)

// api is the two API processes as a client sees them behind a load balancer: each call goes to
// one, a retry to the other.
type api struct {
	hc     *http.Client
	stream *http.Client // no response-header timeout: a stream waits for its first alert
	urls   []string
	leads  []relancev1connect.LeadServiceClient
	alerts []relancev1connect.AlertServiceClient
}

func newAPI(hc *http.Client, addrs []string) *api {
	a := &api{hc: hc, stream: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	for _, addr := range addrs {
		u := "http://" + addr
		a.urls = append(a.urls, u)
		a.leads = append(a.leads, relancev1connect.NewLeadServiceClient(hc, u))
		a.alerts = append(a.alerts, relancev1connect.NewAlertServiceClient(a.stream, u))
	}
	return a
}

// waitReady waits until every API process answers /readyz.
func (a *api) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, u := range a.urls {
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u+"/readyz", nil)
			resp, err := a.hc.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not ready after %s", u, limit)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// authed returns a request carrying the bearer token.
func authed[T any](msg *T, token string) *connect.Request[T] {
	r := connect.NewRequest(msg)
	r.Header().Set("Authorization", "Bearer "+token)
	return r
}

// errorCounts counts the errors clients saw, by Connect code, to show what the faults cost.
type errorCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (e *errorCounts) add(err error) {
	code := connect.CodeOf(err).String()
	if errors.Is(err, context.DeadlineExceeded) {
		code = "client timeout"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n = map[string]int{}
	}
	e.n[code]++
}

func (e *errorCounts) snapshot() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int{}
	for k, v := range e.n {
		out[k] = v
	}
	return out
}

// permanent reports whether retrying err cannot help: the request itself is wrong.
func permanent(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeInvalidArgument, connect.CodeAlreadyExists, connect.CodePermissionDenied, connect.CodeNotFound:
		return true
	}
	return false
}

// backoff waits before try n (from 0): 100 ms doubling to 2 s. It returns false when ctx ended.
func backoff(ctx context.Context, n int) bool {
	d := 100 * time.Millisecond << min(n, 5)
	d = min(d, 2*time.Second)
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
