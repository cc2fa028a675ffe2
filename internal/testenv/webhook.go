package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Receiver is a partner's webhook endpoint on loopback: it verifies every request with the
// specification's own library and records what arrived; Status decides the answer to each
// request. Set Status before the first request.
type Receiver struct {
	Srv    *httptest.Server
	mu     sync.Mutex
	secret []string // any of them verifies
	got    []Received
	Status func(n int) int // the answer to the n-th request (1-based)
}

// Received is one request a Receiver answered.
type Received struct {
	ID, Type, Lead string
	Verified       bool
	Signatures     string
}

// NewReceiver starts a Receiver, closed at the end of the test.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{Status: func(int) int { return http.StatusNoContent }}
	r.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var ev struct {
			Type string `json:"type"`
			Data struct {
				ID     string `json:"id"`
				LeadID string `json:"leadId"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &ev)
		r.mu.Lock()
		verified := false
		for _, s := range r.secret {
			wh, err := standardwebhooks.NewWebhook(s)
			if err == nil && wh.VerifyIgnoringTimestamp(body, req.Header) == nil {
				verified = true
			}
		}
		lead := ev.Data.LeadID
		if lead == "" {
			lead = ev.Data.ID
		}
		r.got = append(r.got, Received{ID: req.Header.Get("webhook-id"), Type: ev.Type, Lead: lead, Verified: verified, Signatures: req.Header.Get("webhook-signature")})
		n := len(r.got)
		r.mu.Unlock()
		w.WriteHeader(r.Status(n))
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(r.Srv.Close)
	return r
}

// Received returns what arrived so far, in order.
func (r *Receiver) Received() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// Trust adds a secret that verifies.
func (r *Receiver) Trust(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = append(r.secret, secret)
}
