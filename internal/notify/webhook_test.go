package notify_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/webhook"
)

func TestWebhookPostFollowsNoRedirectAndKeepsAnExcerpt(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			followed = true
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(strings.Repeat("é", 2000)))
		}
	}))
	defer srv.Close()
	p := notify.NewWebhook(true)
	resp := p.Post(context.Background(), webhook.Request{URL: srv.URL + "/moved", Header: http.Header{}})
	if resp.StatusCode != http.StatusFound || followed {
		t.Fatalf("redirect: %+v, followed %v", resp, followed)
	}
	resp = p.Post(context.Background(), webhook.Request{URL: srv.URL + "/busy", Header: http.Header{}})
	if resp.StatusCode != 503 || resp.RetryAfter != "120" || len(resp.Excerpt) > webhook.ExcerptMax || !strings.HasPrefix(resp.Excerpt, "éé") {
		t.Fatalf("busy: status %d, retry-after %q, excerpt of %d bytes", resp.StatusCode, resp.RetryAfter, len(resp.Excerpt))
	}
	// Without private targets, a loopback address is refused at connection time.
	resp = notify.NewWebhook(false).Post(context.Background(), webhook.Request{URL: srv.URL + "/busy", Header: http.Header{}})
	if !errors.Is(resp.Err, webhook.ErrAddress) || resp.StatusCode != 0 {
		t.Fatalf("loopback reached: %+v", resp)
	}
}

// BenchmarkWebhookSignedPost measures signed webhook posts (HMAC-SHA256 over a typical event,
// one reused client) to a local receiver; BenchmarkPlainPost is the same POST unsigned with a
// default client, for comparison.
func BenchmarkWebhookSignedPost(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	secret, _ := webhook.NewSecret()
	body := bytes.Repeat([]byte("x"), 900)
	p := notify.NewWebhook(true)
	b.ResetTimer()
	for b.Loop() {
		h, err := webhook.Headers("msg", time.Now(), body, secret)
		if err != nil {
			b.Fatal(err)
		}
		if r := p.Post(context.Background(), webhook.Request{URL: srv.URL, Header: h, Body: body}); r.StatusCode != 204 {
			b.Fatal(r)
		}
	}
}

func BenchmarkPlainPost(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	body := bytes.Repeat([]byte("x"), 900)
	for b.Loop() {
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
