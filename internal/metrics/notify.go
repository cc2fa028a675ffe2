package metrics

import (
	"context"

	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// Sender counts the send attempts of next by channel and outcome.
func (m *Metrics) Sender(next relance.Sender) relance.Sender { return &sender{next: next, m: m} }

type sender struct {
	next relance.Sender
	m    *Metrics
}

func (s *sender) Send(ctx context.Context, msg relance.Message) (string, error) {
	id, err := s.next.Send(ctx, msg)
	outcome := "sent"
	switch {
	case relance.IsPermanent(err):
		outcome = "failed"
	case relance.IsNotTried(err):
		outcome = "not_tried" // no free connection in time: the provider is the bottleneck
	case err != nil:
		outcome = "retry"
	}
	s.m.deliveries.WithLabelValues(string(msg.Channel), outcome).Inc()
	return id, err
}

// WebhookPoster is how webhook messages leave (notify.Webhook, postgres.WebhookPoster).
type WebhookPoster interface {
	Post(ctx context.Context, r webhook.Request) webhook.Response
}

// Webhooks counts the posts of next by outcome.
func (m *Metrics) Webhooks(next WebhookPoster) WebhookPoster { return &poster{next: next, m: m} }

type poster struct {
	next WebhookPoster
	m    *Metrics
}

func (p *poster) Post(ctx context.Context, r webhook.Request) webhook.Response {
	resp := p.next.Post(ctx, r)
	outcome := "error"
	if resp.Err == nil {
		switch webhook.Classify(resp.StatusCode) {
		case webhook.Delivered:
			outcome = "delivered"
		case webhook.Gone:
			outcome = "gone"
		default:
			outcome = "retry"
		}
	}
	p.m.webhooks.WithLabelValues(outcome).Inc()
	return resp
}
