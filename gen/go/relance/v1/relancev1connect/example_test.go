package relancev1connect_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	relancev1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
)

// apiKey sends a partner's API key with every call.
type apiKey string

func (k apiKey) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(k))
		return next(ctx, req)
	}
}

func (k apiKey) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (k apiKey) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// A lead provider sends a lead, then the telephony records the first call to it.
func ExampleNewLeadServiceClient() {
	ctx := context.Background()
	auth := connect.WithInterceptors(apiKey("rk_…")) // an API key made by an admin
	leads := relancev1connect.NewLeadServiceClient(http.DefaultClient, "https://relance.example.com", auth)
	calls := relancev1connect.NewCallServiceClient(http.DefaultClient, "https://relance.example.com", auth)

	created, err := leads.CreateLead(ctx, connect.NewRequest(&relancev1.CreateLeadRequest{
		IdempotencyKey: "web-form-4711", // a retry with the same key returns the same lead
		Source:         "website",
		Contact:        &relancev1.Contact{Name: "Jean Dupont", Phone: "+33612345678"},
	}))
	if connect.CodeOf(err) == connect.CodeInvalidArgument {
		log.Fatalf("refused: %v", err) // the field violations are in the error's details
	} else if err != nil {
		log.Fatal(err)
	}
	_, err = calls.RecordCall(ctx, connect.NewRequest(&relancev1.RecordCallRequest{Call: &relancev1.NewCall{
		LeadId:         created.Msg.GetLead().GetId(),
		Direction:      relancev1.ContactDirection_CONTACT_DIRECTION_INBOUND,
		StartTime:      timestamppb.New(time.Now().Add(-2 * time.Minute)),
		Duration:       durationpb.New(95 * time.Second),
		Outcome:        relancev1.CallOutcome_CALL_OUTCOME_ANSWERED,
		ExternalCallId: "pbx-88172", // the same call twice is one call
	}}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("lead", created.Msg.GetLead().GetId(), "has its first call")
}
