// Command go-partner is what a partner system does with the Go client (module
// github.com/relancehq/relance/gen/go): send a lead, read it back, and record a call to it,
// authenticated with an API key; and hear back: it registers a webhook endpoint (an admin's
// token) on a loopback server of its own, receives the lead.created event of its lead, verifies
// its signature with the Standard Webhooks library, then removes the endpoint.
//
//	RELANCE_URL=http://127.0.0.1:8080 RELANCE_API_KEY=rk_… RELANCE_SITE_ID=… \
//	RELANCE_ADMIN_TOKEN=… go run .
//
// The server must allow loopback endpoints (ALLOW_PRIVATE_WEBHOOKS=true, for
// development and tests only); a real partner registers a public https URL.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"connectrpc.com/connect"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	relancev1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "go-partner:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	url, key, site := os.Getenv("RELANCE_URL"), os.Getenv("RELANCE_API_KEY"), os.Getenv("RELANCE_SITE_ID")
	admin := os.Getenv("RELANCE_ADMIN_TOKEN")
	if url == "" || key == "" || site == "" || admin == "" {
		return errors.New("set RELANCE_URL, RELANCE_API_KEY, RELANCE_SITE_ID and RELANCE_ADMIN_TOKEN")
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	auth := connect.WithInterceptors(apiKey(key))

	// Hearing back: an endpoint on a loopback server of our own, registered by an admin.
	hook, err := listen()
	if err != nil {
		return err
	}
	defer hook.Close()
	hooks := relancev1connect.NewWebhookServiceClient(client, url, connect.WithInterceptors(apiKey(admin)))
	ep, err := hooks.CreateWebhookEndpoint(ctx, connect.NewRequest(&relancev1.CreateWebhookEndpointRequest{
		Url: hook.URL, Description: "go-partner example", Filter: []string{"lead.created"},
	}))
	if err != nil {
		return fmt.Errorf("create webhook endpoint: %w", err)
	}
	endpoint := ep.Msg.GetEndpoint()
	defer func() {
		// A fresh context: the endpoint goes even when the run failed or timed out.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := hooks.DeleteWebhookEndpoint(ctx, connect.NewRequest(&relancev1.DeleteWebhookEndpointRequest{EndpointId: endpoint.GetId()})); err != nil {
			fmt.Fprintln(os.Stderr, "go-partner: delete webhook endpoint:", err)
		}
	}()
	// The secret comes once, in this answer: keep it where the receiver can read it.
	verifier, err := standardwebhooks.NewWebhook(endpoint.GetSecret())
	if err != nil {
		return fmt.Errorf("webhook secret: %w", err)
	}
	fmt.Println("webhook endpoint registered:", endpoint.GetUrl())
	leads := relancev1connect.NewLeadServiceClient(client, url, auth)
	// Reads are side-effect free: sent as HTTP GET, which proxies may log and cache.
	reads := relancev1connect.NewLeadServiceClient(client, url, auth, connect.WithHTTPGet())
	calls := relancev1connect.NewCallServiceClient(client, url, auth)

	// The form's own id makes the call safe to retry: the same key returns the same lead. A
	// customer of their own on each run, so that the lead is new rather than a repeat inquiry.
	stamp := time.Now().UnixNano()
	formID := fmt.Sprintf("go-partner-%d", stamp)
	created, err := leads.CreateLead(ctx, connect.NewRequest(&relancev1.CreateLeadRequest{
		IdempotencyKey: formID,
		SiteId:         site,
		Source:         "go-partner",
		Category:       relancev1.Category_CATEGORY_A,
		Contact: &relancev1.Contact{Name: "Camille Go", Phone: fmt.Sprintf("+3361%07d", stamp%10_000_000),
			Email: fmt.Sprintf("camille.go.%d@example.com", stamp)},
	}))
	if err != nil {
		return fmt.Errorf("create lead: %w", err)
	}
	lead := created.Msg.GetLead()
	if created.Msg.GetRepeat() {
		// The same customer writing again while their lead is open: recorded on that lead, and
		// announced as lead.repeat rather than lead.created.
		return fmt.Errorf("lead %s: a repeat inquiry, want a new lead", lead.GetId())
	}
	fmt.Println("lead created:", lead.GetId())

	// The lead.created event arrives at the endpoint; its signature proves it came from Relance.
	if err := hook.await(ctx, verifier, lead.GetId(), 30*time.Second); err != nil {
		return err
	}
	fmt.Println("webhook lead.created received and verified for lead:", lead.GetId())

	got, err := reads.GetLead(ctx, connect.NewRequest(&relancev1.GetLeadRequest{LeadId: lead.GetId()}))
	if err != nil {
		return fmt.Errorf("get lead: %w", err)
	}
	if got.Msg.GetLead().GetContact().GetName() != "Camille Go" {
		return fmt.Errorf("get lead: got %v", got.Msg.GetLead())
	}

	recorded, err := calls.RecordCall(ctx, connect.NewRequest(&relancev1.RecordCallRequest{Call: &relancev1.NewCall{
		LeadId:         lead.GetId(),
		Direction:      relancev1.ContactDirection_CONTACT_DIRECTION_INBOUND,
		StartTime:      timestamppb.New(time.Now().Add(-time.Minute)),
		Duration:       durationpb.New(0),
		Outcome:        relancev1.CallOutcome_CALL_OUTCOME_NO_ANSWER,
		ExternalCallId: formID + "-call",
	}}))
	if err != nil {
		return fmt.Errorf("record call: %w", err)
	}
	fmt.Println("call recorded:", recorded.Msg.GetCall().GetId())

	// Bad input is refused with the fields at fault.
	_, err = leads.CreateLead(ctx, connect.NewRequest(&relancev1.CreateLeadRequest{IdempotencyKey: formID + "-bad", SiteId: site}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		return fmt.Errorf("a lead without source or contact: %v, want invalid_argument", err)
	}
	fmt.Println("bad input refused:", err)
	return nil
}

// apiKey sends the API key with every call.
type apiKey string

func (k apiKey) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(k))
		return next(ctx, req)
	}
}

func (apiKey) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (apiKey) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
