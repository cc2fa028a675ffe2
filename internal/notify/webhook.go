package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/relancehq/relance/internal/webhook"
)

// WebhookTimeout bounds one webhook attempt, connection included.
const WebhookTimeout = 15 * time.Second

// Webhook posts signed webhook messages. One client serves every endpoint; it follows no
// redirect, uses no proxy, and, unless private targets are allowed, refuses at connection time
// every address webhook.CheckAddr refuses: the name is resolved, the address checked, and the
// connection made to that very address, so a DNS answer that changes between a check and the
// connection cannot reach an internal service.
type Webhook struct {
	client *http.Client
}

// NewWebhook returns a webhook poster; allowPrivate lets it reach loopback and private
// addresses (development and tests).
func NewWebhook(allowPrivate bool) *Webhook {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", webhook.ErrAddress, address)
			}
			if err := webhook.CheckAddr(ap.Addr()); err != nil {
				return fmt.Errorf("%w: %s", err, ap.Addr())
			}
			return nil
		}
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: WebhookTimeout,
	}
	return &Webhook{client: &http.Client{
		Transport: transport,
		Timeout:   WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer (3xx), retried like others
		},
	}}
}

// Post sends one attempt and reports the answer; it never returns an error of its own: no
// answer is a Response with Err set.
func (w *Webhook) Post(ctx context.Context, r webhook.Request) webhook.Response {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return webhook.Response{Err: err}
	}
	req.Header = r.Header.Clone()
	req.Header.Set("User-Agent", "Relance-Webhooks/1")
	resp, err := w.client.Do(req)
	if err != nil {
		return webhook.Response{Err: errors.Unwrap(err), Duration: time.Since(start)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, webhook.ExcerptMax))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return webhook.Response{
		StatusCode: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"),
		Excerpt: excerpt(body), Duration: time.Since(start),
	}
}

// excerpt keeps the valid UTF-8 of body without NUL bytes (which Postgres text refuses).
func excerpt(body []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(body), ""), "\x00", "")
}
