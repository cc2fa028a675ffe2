// Command go-partner is what a partner system does with the Go client (module
// github.com/relancehq/relance/gen/go): send a lead, read it back, and record a call to it,
// authenticated with an API key.
//
//	RELANCE_URL=http://127.0.0.1:8080 RELANCE_API_KEY=rk_… RELANCE_SITE_ID=… go run .
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"connectrpc.com/connect"
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
	if url == "" || key == "" || site == "" {
		return errors.New("set RELANCE_URL, RELANCE_API_KEY and RELANCE_SITE_ID")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	auth := connect.WithInterceptors(apiKey(key))
	leads := relancev1connect.NewLeadServiceClient(client, url, auth)
	// Reads are side-effect free: sent as HTTP GET, which proxies may log and cache.
	reads := relancev1connect.NewLeadServiceClient(client, url, auth, connect.WithHTTPGet())
	calls := relancev1connect.NewCallServiceClient(client, url, auth)

	// The form's own id makes the call safe to retry: the same key returns the same lead.
	formID := fmt.Sprintf("go-partner-%d", time.Now().UnixNano())
	created, err := leads.CreateLead(ctx, connect.NewRequest(&relancev1.CreateLeadRequest{
		IdempotencyKey: formID,
		SiteId:         site,
		Source:         "go-partner",
		Category:       relancev1.Category_CATEGORY_A,
		Contact:        &relancev1.Contact{Name: "Camille Go", Phone: "+33612340001", Email: "camille.go@example.com"},
	}))
	if err != nil {
		return fmt.Errorf("create lead: %w", err)
	}
	lead := created.Msg.GetLead()
	if created.Msg.GetRepeat() {
		// The same customer writing again while their lead is open: recorded on that lead.
		fmt.Println("repeat inquiry recorded on lead:", lead.GetId())
	} else {
		fmt.Println("lead created:", lead.GetId())
	}

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
