package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver is the partner's webhook endpoint: an HTTP server on loopback that hands every
// request it gets to await.
type receiver struct {
	URL string
	srv *http.Server
	got chan delivery
}

// delivery is one request as it arrived.
type delivery struct {
	header http.Header
	body   []byte
}

// listen starts a receiver on a free loopback port.
func listen() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{URL: "http://" + ln.Addr().String() + "/relance", got: make(chan delivery, 16)}
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		select {
		case r.got <- delivery{header: req.Header.Clone(), body: body}:
			// 2xx tells Relance the message arrived; anything else, or no answer in 15 s, and it
			// tries again later under the same webhook-id.
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Close stops the server.
func (r *receiver) Close() { _ = r.srv.Close() }

// await waits at most wait for the lead.created event of lead, verifying the signature of
// every request (a request that does not verify is an error: it did not come from Relance).
func (r *receiver) await(ctx context.Context, verifier *standardwebhooks.Webhook, lead string, wait time.Duration) error {
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("webhook: waiting for lead.created of lead %s: %w", lead, ctx.Err())
		case <-timeout.C:
			return fmt.Errorf("webhook: no lead.created for lead %s within %s (does the server allow loopback endpoints? ALLOW_PRIVATE_WEBHOOKS=true)", lead, wait)
		case d := <-r.got:
			// Verify also checks the timestamp is within five minutes, against replays.
			if err := verifier.Verify(d.body, d.header); err != nil {
				return fmt.Errorf("webhook %s: signature does not verify: %w", d.header.Get("webhook-id"), err)
			}
			var ev struct {
				Type string `json:"type"`
				Data struct {
					ID string `json:"id"`
				} `json:"data"`
			}
			if err := json.Unmarshal(d.body, &ev); err != nil {
				return fmt.Errorf("webhook %s: %w", d.header.Get("webhook-id"), err)
			}
			if ev.Type == "lead.created" && ev.Data.ID == lead {
				return nil
			}
			// Another lead's event (the endpoint hears the whole organisation): not ours.
		}
	}
}
