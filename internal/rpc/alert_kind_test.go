package rpc

import (
	"testing"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// Every kind of alert the engine writes reaches clients as a kind of its own.
func TestEveryAlertKindHasItsEnumValue(t *testing.T) {
	for _, kind := range []string{
		"lead.assigned", "lead.repeat", "lead.reminder", "action.due", "decision.needed", "message.cap",
		"lead.improper_closure", "webhook.disabled", relance.AlertLeadUnassigned, relance.AlertLeadMoved,
	} {
		if got := alertOut(relance.Alert{Kind: kind}).Kind; got == v1.AlertKind_ALERT_KIND_UNSPECIFIED {
			t.Errorf("alert kind %q reaches clients as %v", kind, got)
		}
	}
}
