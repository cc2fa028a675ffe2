package rpc

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"connectrpc.com/connect"

	"github.com/relancehq/relance/internal/relance"
)

// TestEveryDomainCodeHasAWireCode: a domain code missing from codes would reach clients with
// no valid status code; unavailable must be one clients retry.
func TestEveryDomainCodeHasAWireCode(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	want := map[relance.Code]connect.Code{
		relance.CodeInvalid: connect.CodeInvalidArgument, relance.CodeNotFound: connect.CodeNotFound,
		relance.CodeConflict: connect.CodeAlreadyExists, relance.CodePermissionDenied: connect.CodePermissionDenied,
		relance.CodeUnauthenticated: connect.CodeUnauthenticated, relance.CodeFailedPrecondition: connect.CodeFailedPrecondition,
		relance.CodeUnavailable: connect.CodeUnavailable,
	}
	for _, code := range relance.Codes {
		var ce *connect.Error
		if !errors.As(toConnect(context.Background(), log, relance.Errorf(code, "x")), &ce) || ce.Code() != want[code] || want[code] == 0 {
			t.Errorf("%s: %v, want %s (a new code needs its wire code in codes and here)", code, ce, want[code])
		}
	}
}
