package postgres_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
	"github.com/relancehq/relance/internal/webhook"
)

// webhookWorld is a World whose store posts webhooks for real, with private targets allowed,
// and an endpoint to a local receiver.
func webhookWorld(t *testing.T, filter ...string) (*testenv.World, *testenv.Workers, *testenv.Receiver, webhook.Endpoint) {
	t.Helper()
	workers := testenv.NewWorkers(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
	store := testenv.Open(t, append(workers.Options(), postgres.WithWebhooks(notify.NewWebhook(true), true))...)
	w := testenv.NewWorld(t, store)
	rcv := testenv.NewReceiver(t)
	ep, err := store.CreateWebhookEndpoint(context.Background(), w.As(w.Admin), webhook.Endpoint{
		URL: rcv.Srv.URL + "/hook", Description: "CRM", Filter: filter, Enabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.ParseSecret(ep.Secret); err != nil {
		t.Fatalf("secret %q: %v", ep.Secret, err)
	}
	rcv.Trust(ep.Secret)
	return w, workers, rcv, ep
}

func TestWebhookEventsArriveSignedAndInOrder(t *testing.T) {
	w, workers, rcv, _ := webhookWorld(t, "lead.*", "call.recorded")
	ctx := context.Background()
	admin := w.As(w.Admin)
	var leads []relance.Lead
	for range 3 {
		l := w.Lead(t, "Client", w.Alice.ID)
		if _, err := w.DB.AssignLead(ctx, admin, l.ID, w.Bob.ID); err != nil {
			t.Fatal(err)
		}
		stage := relance.StageWon
		if _, err := w.DB.UpdateLead(ctx, admin, l.ID, relance.LeadChange{Stage: &stage}); err != nil {
			t.Fatal(err)
		}
		leads = append(leads, l)
	}
	// Four workers at once: a later event of a lead must wait for the earlier ones.
	workers.FireDue(t, w.DB, 4)
	got := rcv.Received()
	want := []string{webhook.LeadCreated, webhook.LeadAssigned, webhook.LeadAssigned, webhook.LeadStageChanged}
	ids := map[string]bool{}
	for _, l := range leads {
		var types []string
		for _, r := range got {
			if r.Lead == l.ID.String() {
				types = append(types, r.Type)
			}
		}
		if !slices.Equal(types, want) {
			t.Errorf("lead %s: events %v, want %v in this order", l.ID, types, want)
		}
	}
	for _, r := range got {
		if !r.Verified {
			t.Errorf("%s %s: signature not verified by the standard library", r.ID, r.Type)
		}
		if ids[r.ID] {
			t.Errorf("webhook-id %s arrived twice", r.ID)
		}
		ids[r.ID] = true
	}
	if len(got) != 12 {
		t.Errorf("%d requests, want 12", len(got))
	}
	msgs, err := w.DB.ListWebhookMessages(ctx, admin, uuid.Nil, leads[0].ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	dels, err := w.DB.ListDeliveries(ctx, admin, leads[0].ID)
	if err != nil || slices.ContainsFunc(dels, func(d relance.Delivery) bool { return d.Channel == "webhook" }) {
		t.Fatalf("a lead's deliveries show webhooks: %+v %v", dels, err)
	}
	if len(msgs) != 4 || msgs[0].Type != webhook.LeadStageChanged || len(msgs[0].Deliveries) != 1 || msgs[0].Deliveries[0].State != relance.DeliverySent {
		t.Fatalf("log of the first lead: %+v", msgs)
	}
}

func TestWebhookRetriedUnderTheSameID(t *testing.T) {
	w, workers, rcv, ep := webhookWorld(t)
	ctx := context.Background()
	rcv.Status = func(n int) int {
		if n <= 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	l := w.Lead(t, "Client", uuid.Nil)
	workers.FireDue(t, w.DB, 2)
	if n := len(rcv.Received()); n != 1 {
		t.Fatalf("%d requests after the first firing, want 1", n)
	}
	// The receiver is down: 5 s, then 5 min, then 30 min later (±10 %) it is tried again.
	for _, wait := range []time.Duration{6 * time.Second, 6 * time.Minute, 34 * time.Minute} {
		workers.Set(workers.Now().Add(wait))
		workers.FireDue(t, w.DB, 2)
	}
	got := rcv.Received()
	if len(got) != 4 {
		t.Fatalf("%d requests, want 4: %+v", len(got), got)
	}
	for _, r := range got {
		if r.ID != got[0].ID || !r.Verified || r.Lead != l.ID.String() {
			t.Fatalf("attempt %+v differs from the first %+v", r, got[0])
		}
	}
	msgs, err := w.DB.ListWebhookMessages(ctx, w.As(w.Admin), uuid.Nil, l.ID, 10)
	if err != nil || len(msgs) != 1 || msgs[0].ID.String() != got[0].ID {
		t.Fatalf("messages %+v, %v", msgs, err)
	}
	del := msgs[0].Deliveries[0]
	if del.State != relance.DeliverySent || del.Attempts != 4 || del.EndpointID != ep.ID {
		t.Fatalf("delivery %+v", del)
	}
	attempts, err := w.DB.ListWebhookAttempts(ctx, w.As(w.Admin), del.ID)
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for _, a := range attempts {
		codes = append(codes, a.StatusCode)
	}
	if !slices.Equal(codes, []int{500, 500, 500, 200}) || attempts[0].Response != "ok" {
		t.Fatalf("attempts %+v", attempts)
	}
}

// A worker that stalls mid-post (as one killed would) loses its lease: another worker sends the
// message again under the same webhook-id, and the first one's late answer changes nothing.
func TestWebhookWorkerStalledMidPostStillDelivers(t *testing.T) {
	w, workers, rcv, _ := webhookWorld(t)
	release := make(chan struct{})
	rcv.Status = func(n int) int {
		if n == 1 {
			select {
			case <-release:
			case <-time.After(20 * time.Second):
			}
		}
		return http.StatusNoContent
	}
	l := w.Lead(t, "Client", uuid.Nil)
	stalled := make(chan struct{})
	go func() {
		defer close(stalled)
		workers.FireDue(t, w.DB, 1)
	}()
	testenv.Eventually(t, 10*time.Second, "the first post", func() bool { return len(rcv.Received()) == 1 })
	workers.Set(workers.Now().Add(relance.DeliveryLease + time.Second))
	workers.FireDue(t, w.DB, 1)
	close(release)
	<-stalled
	got := rcv.Received()
	if len(got) != 2 || got[0].ID != got[1].ID || !got[1].Verified {
		t.Fatalf("requests %+v, want the same message twice", got)
	}
	msgs, err := w.DB.ListWebhookMessages(context.Background(), w.As(w.Admin), uuid.Nil, l.ID, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Deliveries[0].State != relance.DeliverySent || msgs[0].Deliveries[0].Attempts != 2 {
		t.Fatalf("log %+v, %v", msgs, err)
	}
}

func TestWebhookGoneDisablesAndTellsAdmins(t *testing.T) {
	w, workers, rcv, ep := webhookWorld(t)
	ctx := context.Background()
	admin := w.As(w.Admin)
	rcv.Status = func(int) int { return http.StatusGone }
	w.Lead(t, "Client", uuid.Nil)
	workers.FireDue(t, w.DB, 2)
	eps, err := w.DB.ListWebhookEndpoints(ctx, admin)
	if err != nil || len(eps) != 1 || eps[0].Enabled || eps[0].DisabledReason == "" {
		t.Fatalf("endpoints after 410: %+v %v", eps, err)
	}
	alerts, err := w.DB.ListAlerts(ctx, admin, false, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(alerts, func(a relance.Alert) bool { return a.Kind == "webhook.disabled" }) {
		t.Fatalf("no alert for the admin: %+v", alerts)
	}
	w.Lead(t, "Other", uuid.Nil)
	workers.FireDue(t, w.DB, 2)
	if n := len(rcv.Received()); n != 1 {
		t.Fatalf("%d requests, want 1: a disabled endpoint gets nothing", n)
	}
	// Enabled again, it gets new events; a resend brings the failed one.
	on := true
	if _, err := w.DB.UpdateWebhookEndpoint(ctx, admin, ep.ID, webhook.EndpointChange{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	rcv.Status = func(int) int { return http.StatusOK }
	n, err := w.DB.ResendFailedWebhooks(ctx, admin, workers.Now().Add(-time.Hour), uuid.Nil)
	if err != nil || n != 1 {
		t.Fatalf("resend: %d %v", n, err)
	}
	workers.FireDue(t, w.DB, 2)
	got := rcv.Received()
	if len(got) != 2 || got[1].ID != got[0].ID {
		t.Fatalf("after resend: %+v", got)
	}
}

func TestWebhookFailingForDaysDisables(t *testing.T) {
	w, workers, rcv, _ := webhookWorld(t)
	rcv.Status = func(int) int { return http.StatusServiceUnavailable }
	w.Lead(t, "Client", uuid.Nil)
	for range 15 {
		workers.FireDue(t, w.DB, 2)
		workers.Set(workers.Now().Add(3 * time.Hour))
	}
	eps, err := w.DB.ListWebhookEndpoints(context.Background(), w.As(w.Admin))
	if err != nil || len(eps) != 1 {
		t.Fatal(eps, err)
	}
	// Eight attempts spread over about 28 hours: the message failed, the endpoint is still on.
	if n := len(rcv.Received()); n != webhook.MaxAttempts || !eps[0].Enabled || eps[0].FailingSince == nil {
		t.Fatalf("%d attempts, endpoint %+v", n, eps[0])
	}
	// Events keep failing for five days: the endpoint is disabled.
	for range 50 {
		w.Lead(t, "Client", uuid.Nil)
		workers.FireDue(t, w.DB, 2)
		workers.Set(workers.Now().Add(3 * time.Hour))
	}
	eps, _ = w.DB.ListWebhookEndpoints(context.Background(), w.As(w.Admin))
	if eps[0].Enabled {
		t.Fatalf("endpoint failing since %v still enabled at %v", eps[0].FailingSince, workers.Now())
	}
}

func TestWebhookSecretRotationSignsWithBoth(t *testing.T) {
	w, workers, rcv, ep := webhookWorld(t)
	ctx := context.Background()
	rotated, err := w.DB.RotateWebhookSecret(ctx, w.As(w.Admin), ep.ID)
	if err != nil || rotated.Secret == ep.Secret {
		t.Fatal(rotated, err)
	}
	w.Lead(t, "Client", uuid.Nil)
	workers.FireDue(t, w.DB, 1)
	workers.Set(workers.Now().Add(25 * time.Hour))
	w.Lead(t, "Client", uuid.Nil)
	workers.FireDue(t, w.DB, 1)
	got := rcv.Received()
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	for i, want := range []int{2, 1} {
		if n := len(splitFields(got[i].Signatures)); n != want {
			t.Errorf("request %d: %d signatures, want %d", i, n, want)
		}
	}
	// The receiver holds the old secret only: it verifies the first, not the second.
	if !got[0].Verified || got[1].Verified {
		t.Errorf("verified with the old secret: %v then %v, want true then false", got[0].Verified, got[1].Verified)
	}
}

func splitFields(s string) []string {
	var out []string
	start := -1
	for i, c := range s + " " {
		if c == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
			}
			start = -1
		} else if start < 0 {
			start = i
		}
	}
	return out
}

func TestWebhookEndpointChecks(t *testing.T) {
	ctx := context.Background()
	store := testenv.Open(t, postgres.WithWebhooks(notify.NewWebhook(false), false))
	w := testenv.NewWorld(t, store)
	other := testenv.NewWorld(t, store)
	admin := w.As(w.Admin)
	for _, url := range []string{"https://127.0.0.1/hook", "http://example.com/hook", "https://localhost/x", "https://10.0.0.1/", "https://169.254.169.254/latest", "not a url"} {
		_, err := store.CreateWebhookEndpoint(ctx, admin, webhook.Endpoint{URL: url, Enabled: true})
		if !relance.HasViolation(err, "url") {
			t.Errorf("%s: %v, want a violation on url", url, err)
		}
	}
	if _, err := store.CreateWebhookEndpoint(ctx, admin, webhook.Endpoint{URL: "https://example.com/h", Filter: []string{"lead.*", "nope"}, Enabled: true}); !relance.HasViolation(err, "filter[1]") {
		t.Errorf("bad filter: %v", err)
	}
	if _, err := store.CreateWebhookEndpoint(ctx, w.As(w.Manager), webhook.Endpoint{URL: "https://example.com/h", Enabled: true}); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Errorf("manager: %v", err)
	}
	theirs, err := store.CreateWebhookEndpoint(ctx, other.As(other.Admin), webhook.Endpoint{URL: "https://example.com/h", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	desc := "mine now"
	for name, call := range map[string]func() error{
		"update": func() error {
			_, err := store.UpdateWebhookEndpoint(ctx, admin, theirs.ID, webhook.EndpointChange{Description: &desc})
			return err
		},
		"delete": func() error { return store.DeleteWebhookEndpoint(ctx, admin, theirs.ID) },
		"rotate": func() error { _, err := store.RotateWebhookSecret(ctx, admin, theirs.ID); return err },
		"test":   func() error { _, err := store.SendWebhookTest(ctx, admin, theirs.ID); return err },
		"attempts": func() error {
			_, err := store.ListWebhookAttempts(ctx, admin, theirs.ID)
			return err
		},
	} {
		if err := call(); relance.ErrorCode(err) != relance.CodeNotFound {
			t.Errorf("%s of another organisation's endpoint: %v, want not found", name, err)
		}
	}
	if eps, err := store.ListWebhookEndpoints(ctx, admin); err != nil || len(eps) != 0 {
		t.Errorf("list shows %+v, %v", eps, err)
	}
	// At connection time too: a name that resolves to loopback is refused.
	resp := notify.NewWebhook(false).Post(ctx, webhook.Request{URL: "http://localhost:1/hook", Header: http.Header{}})
	if resp.Err == nil || resp.StatusCode != 0 {
		t.Errorf("post to localhost: %+v", resp)
	}
}
