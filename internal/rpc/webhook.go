package rpc

import (
	"context"
	"encoding/json"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// webhookStore is what WebhookService needs from the storage layer.
type webhookStore interface {
	CreateWebhookEndpoint(ctx context.Context, p relance.Principal, in webhook.Endpoint) (webhook.Endpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, p relance.Principal, id uuid.UUID, ch webhook.EndpointChange) (webhook.Endpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, p relance.Principal, id uuid.UUID) error
	ListWebhookEndpoints(ctx context.Context, p relance.Principal) ([]webhook.Endpoint, error)
	RotateWebhookSecret(ctx context.Context, p relance.Principal, id uuid.UUID) (webhook.Endpoint, error)
	SendWebhookTest(ctx context.Context, p relance.Principal, id uuid.UUID) (uuid.UUID, error)
	ListWebhookMessages(ctx context.Context, p relance.Principal, before, lead uuid.UUID, limit int) ([]webhook.Message, error)
	ListWebhookAttempts(ctx context.Context, p relance.Principal, delivery uuid.UUID) ([]webhook.Attempt, error)
	ResendFailedWebhooks(ctx context.Context, p relance.Principal, since time.Time, endpoint uuid.UUID) (int, error)
}

type webhookService struct{ *handlers }

// EventData is the "data" of a webhook event: the object in the API's public JSON form (the
// protojson of its v1 message), so that partners read the same shape in events as in answers.
// Objects without a v1 form are encoded as they are.
func EventData(obj any) ([]byte, error) {
	switch o := obj.(type) {
	case relance.Lead:
		return protojson.Marshal(leadOut(o))
	case relance.Call:
		return protojson.Marshal(callOut(o))
	case relance.Action:
		return protojson.Marshal(actionOut(o))
	}
	return json.Marshal(obj)
}

func endpointOut(e webhook.Endpoint) *v1.WebhookEndpoint {
	return &v1.WebhookEndpoint{
		Id: e.ID.String(), Url: e.URL, Description: e.Description, Filter: e.Filter, Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, FailingSince: ts(e.FailingSince), Secret: e.Secret,
		CreateTime: tsv(e.CreatedAt), UpdateTime: tsv(e.UpdatedAt),
	}
}

func (s *webhookService) CreateWebhookEndpoint(ctx context.Context, req *connect.Request[v1.CreateWebhookEndpointRequest]) (*connect.Response[v1.CreateWebhookEndpointResponse], error) {
	m := req.Msg
	ep, err := s.store.CreateWebhookEndpoint(ctx, principal(ctx), webhook.Endpoint{
		URL: m.GetUrl(), Description: m.GetDescription(), Filter: m.GetFilter(), Enabled: !m.GetDisabled(),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateWebhookEndpointResponse{Endpoint: endpointOut(ep)}), nil
}

func (s *webhookService) UpdateWebhookEndpoint(ctx context.Context, req *connect.Request[v1.UpdateWebhookEndpointRequest]) (*connect.Response[v1.UpdateWebhookEndpointResponse], error) {
	m := req.Msg
	ch := webhook.EndpointChange{URL: m.Url, Description: m.Description, Enabled: m.Enabled}
	if m.GetReplaceFilter() {
		ch.Filter = &m.Filter
	}
	ep, err := s.store.UpdateWebhookEndpoint(ctx, principal(ctx), parseID(m.GetEndpointId()), ch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateWebhookEndpointResponse{Endpoint: endpointOut(ep)}), nil
}

func (s *webhookService) DeleteWebhookEndpoint(ctx context.Context, req *connect.Request[v1.DeleteWebhookEndpointRequest]) (*connect.Response[v1.DeleteWebhookEndpointResponse], error) {
	if err := s.store.DeleteWebhookEndpoint(ctx, principal(ctx), parseID(req.Msg.GetEndpointId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeleteWebhookEndpointResponse{}), nil
}

func (s *webhookService) ListWebhookEndpoints(ctx context.Context, _ *connect.Request[v1.ListWebhookEndpointsRequest]) (*connect.Response[v1.ListWebhookEndpointsResponse], error) {
	eps, err := s.store.ListWebhookEndpoints(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListWebhookEndpointsResponse{}
	for _, e := range eps {
		out.Endpoints = append(out.Endpoints, endpointOut(e))
	}
	return connect.NewResponse(out), nil
}

func (s *webhookService) RotateWebhookSecret(ctx context.Context, req *connect.Request[v1.RotateWebhookSecretRequest]) (*connect.Response[v1.RotateWebhookSecretResponse], error) {
	ep, err := s.store.RotateWebhookSecret(ctx, principal(ctx), parseID(req.Msg.GetEndpointId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RotateWebhookSecretResponse{Endpoint: endpointOut(ep)}), nil
}

func (s *webhookService) SendTestWebhook(ctx context.Context, req *connect.Request[v1.SendTestWebhookRequest]) (*connect.Response[v1.SendTestWebhookResponse], error) {
	id, err := s.store.SendWebhookTest(ctx, principal(ctx), parseID(req.Msg.GetEndpointId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SendTestWebhookResponse{MessageId: idString(id)}), nil
}

func (s *webhookService) ListWebhookMessages(ctx context.Context, req *connect.Request[v1.ListWebhookMessagesRequest]) (*connect.Response[v1.ListWebhookMessagesResponse], error) {
	m := req.Msg
	limit := int(m.GetPageSize())
	if limit == 0 {
		limit = 50
	}
	msgs, err := s.store.ListWebhookMessages(ctx, principal(ctx), parseID(m.GetPageToken()), parseID(m.GetLeadId()), limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListWebhookMessagesResponse{}
	for _, msg := range msgs {
		wm := &v1.WebhookMessage{
			Id: msg.ID.String(), Type: msg.Type, LeadId: idString(msg.LeadID), Payload: string(msg.Payload),
			CreateTime: tsv(msg.CreatedAt),
		}
		for _, d := range msg.Deliveries {
			wm.Deliveries = append(wm.Deliveries, &v1.WebhookDelivery{
				Id: d.ID.String(), EndpointId: idString(d.EndpointID), State: d.State, Attempts: int32(d.Attempts),
				LastError: d.LastError, SentTime: ts(d.SentAt),
			})
		}
		out.Messages = append(out.Messages, wm)
	}
	if len(msgs) == limit {
		out.NextPageToken = msgs[len(msgs)-1].ID.String()
	}
	return connect.NewResponse(out), nil
}

func (s *webhookService) ListWebhookAttempts(ctx context.Context, req *connect.Request[v1.ListWebhookAttemptsRequest]) (*connect.Response[v1.ListWebhookAttemptsResponse], error) {
	as, err := s.store.ListWebhookAttempts(ctx, principal(ctx), parseID(req.Msg.GetDeliveryId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListWebhookAttemptsResponse{}
	for _, a := range as {
		out.Attempts = append(out.Attempts, &v1.WebhookAttempt{
			Attempt: int32(a.Attempt), StartTime: tsv(a.StartedAt), StatusCode: int32(a.StatusCode),
			Duration: durationpb.New(a.Duration), Response: a.Response, Error: a.Error,
		})
	}
	return connect.NewResponse(out), nil
}

func (s *webhookService) ResendFailedWebhooks(ctx context.Context, req *connect.Request[v1.ResendFailedWebhooksRequest]) (*connect.Response[v1.ResendFailedWebhooksResponse], error) {
	m := req.Msg
	n, err := s.store.ResendFailedWebhooks(ctx, principal(ctx), m.GetSince().AsTime(), parseID(m.GetEndpointId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ResendFailedWebhooksResponse{Count: int32(n)}), nil
}
