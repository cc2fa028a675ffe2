package rpc

import (
	"testing"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// Every kind of alert the engine writes reaches clients as a kind of its own.
func TestEveryAlertKindHasItsEnumValue(t *testing.T) {
	for _, kind := range relance.AlertKinds {
		if got := alertOut(relance.Alert{Kind: kind}).Kind; got == v1.AlertKind_ALERT_KIND_UNSPECIFIED {
			t.Errorf("alert kind %q reaches clients as %v", kind, got)
		}
	}
}
