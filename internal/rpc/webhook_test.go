package rpc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

func TestWebhookServiceOverTheWire(t *testing.T) {
	t.Parallel()
	workers := testenv.NewWorkers(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
	db := testenv.Open(t, append(workers.Options(),
		postgres.WithWebhooks(notify.NewWebhook(true), true), postgres.WithEventData(rpc.EventData))...)
	s := stackOn(t, db, testenv.NewWorld(t, db), rpc.Options{})
	w := s.world
	adminToken := s.login(t, w.Admin.Email)
	hooks := relancev1connect.NewWebhookServiceClient(s.http, s.url, connect.WithInterceptors(bearer(adminToken)))
	managerHooks := relancev1connect.NewWebhookServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, w.Manager.Email))))

	var mu sync.Mutex
	var bodies [][]byte
	var headers []http.Header
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies, headers = append(bodies, b), append(headers, r.Header.Clone())
		mu.Unlock()
		rw.WriteHeader(http.StatusAccepted)
	}))
	defer rcv.Close()

	// Bad input: field violations from the .proto rules and from the store, nothing written.
	for name, req := range map[string]*v1.CreateWebhookEndpointRequest{
		"no url":      {},
		"not a url":   {Url: "nope"},
		"bad filter":  {Url: rcv.URL, Filter: []string{"lead.nope"}},
		"ftp":         {Url: "ftp://example.com/x"},
		"empty entry": {Url: rcv.URL, Filter: []string{""}},
	} {
		_, err := hooks.CreateWebhookEndpoint(ctx, connect.NewRequest(req))
		if ce := wantCode(t, err, connect.CodeInvalidArgument); len(violations(t, ce)) == 0 {
			t.Errorf("%s: no field violation in %v", name, ce)
		}
	}
	_, err := managerHooks.CreateWebhookEndpoint(ctx, connect.NewRequest(&v1.CreateWebhookEndpointRequest{Url: rcv.URL}))
	wantCode(t, err, connect.CodePermissionDenied)

	created, err := hooks.CreateWebhookEndpoint(ctx, connect.NewRequest(&v1.CreateWebhookEndpointRequest{
		Url: rcv.URL + "/hook", Description: "DMS", Filter: []string{"lead.*"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	ep := created.Msg.GetEndpoint()
	if !ep.GetEnabled() || ep.GetSecret() == "" {
		t.Fatalf("endpoint %v", ep)
	}
	list, err := hooks.ListWebhookEndpoints(ctx, connect.NewRequest(&v1.ListWebhookEndpointsRequest{}))
	if err != nil || len(list.Msg.GetEndpoints()) != 1 || list.Msg.GetEndpoints()[0].GetSecret() != "" {
		t.Fatalf("list shows %v (secrets never listed), %v", list, err)
	}

	lead, err := s.as(adminToken).lead.CreateLead(ctx, connect.NewRequest(newLead(s, "wh-1")))
	if err != nil {
		t.Fatal(err)
	}
	workers.FireDue(t, db, 2)
	mu.Lock()
	if len(bodies) != 1 {
		mu.Unlock()
		t.Fatalf("%d posts, want 1", len(bodies))
	}
	body, h := bodies[0], headers[0]
	mu.Unlock()
	verifier, err := standardwebhooks.NewWebhook(ep.GetSecret())
	if err != nil {
		t.Fatal(err)
	}
	if err := verifier.VerifyIgnoringTimestamp(body, h); err != nil {
		t.Fatalf("signature: %v (%s)", err, h)
	}
	// data is the lead as the API shows it (protojson: lowerCamelCase names).
	var ev struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Type != "lead.created" {
		t.Fatalf("event %s: %v", body, err)
	}
	var data map[string]any
	_ = json.Unmarshal(ev.Data, &data)
	if data["id"] != lead.Msg.GetLead().GetId() || data["siteId"] != w.Lyon.ID.String() {
		t.Fatalf("data %s, want the lead %s in its API form", ev.Data, lead.Msg.GetLead().GetId())
	}

	msgs, err := hooks.ListWebhookMessages(ctx, connect.NewRequest(&v1.ListWebhookMessagesRequest{LeadId: lead.Msg.GetLead().GetId()}))
	if err != nil || len(msgs.Msg.GetMessages()) != 1 {
		t.Fatalf("messages %v, %v", msgs, err)
	}
	m := msgs.Msg.GetMessages()[0]
	if m.GetId() != h.Get("webhook-id") || len(m.GetDeliveries()) != 1 || m.GetDeliveries()[0].GetState() != "sent" {
		t.Fatalf("message %v", m)
	}
	attempts, err := hooks.ListWebhookAttempts(ctx, connect.NewRequest(&v1.ListWebhookAttemptsRequest{DeliveryId: m.GetDeliveries()[0].GetId()}))
	if err != nil || len(attempts.Msg.GetAttempts()) != 1 || attempts.Msg.GetAttempts()[0].GetStatusCode() != 202 {
		t.Fatalf("attempts %v, %v", attempts, err)
	}

	test, err := hooks.SendTestWebhook(ctx, connect.NewRequest(&v1.SendTestWebhookRequest{EndpointId: ep.GetId()}))
	if err != nil || test.Msg.GetMessageId() == "" {
		t.Fatal(test, err)
	}
	workers.FireDue(t, db, 1)
	mu.Lock()
	if len(bodies) != 2 || headers[1].Get("webhook-id") != test.Msg.GetMessageId() {
		t.Errorf("test event: %d posts", len(bodies))
	}
	mu.Unlock()

	// Another organisation's admin sees none of it.
	other := testenv.NewWorld(t, db)
	otherHooks := relancev1connect.NewWebhookServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, other.Admin.Email))))
	_, err = otherHooks.RotateWebhookSecret(ctx, connect.NewRequest(&v1.RotateWebhookSecretRequest{EndpointId: ep.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = otherHooks.DeleteWebhookEndpoint(ctx, connect.NewRequest(&v1.DeleteWebhookEndpointRequest{EndpointId: ep.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = otherHooks.ListWebhookAttempts(ctx, connect.NewRequest(&v1.ListWebhookAttemptsRequest{DeliveryId: m.GetDeliveries()[0].GetId()}))
	wantCode(t, err, connect.CodeNotFound)

	off := false
	upd, err := hooks.UpdateWebhookEndpoint(ctx, connect.NewRequest(&v1.UpdateWebhookEndpointRequest{EndpointId: ep.GetId(), Enabled: &off}))
	if err != nil || upd.Msg.GetEndpoint().GetEnabled() {
		t.Fatal(upd, err)
	}
	_, err = hooks.SendTestWebhook(ctx, connect.NewRequest(&v1.SendTestWebhookRequest{EndpointId: ep.GetId()}))
	wantCode(t, err, connect.CodeFailedPrecondition)
	if _, err := hooks.DeleteWebhookEndpoint(ctx, connect.NewRequest(&v1.DeleteWebhookEndpointRequest{EndpointId: ep.GetId()})); err != nil {
		t.Fatal(err)
	}
}
