package relance

import (
	"time"

	"github.com/google/uuid"
)

// Alert is an in-app notification to one person.
type Alert struct {
	ID        uuid.UUID // UUIDv7: ordered by creation
	UserID    uuid.UUID
	Kind      AlertKind
	LeadID    uuid.UUID
	Title     string
	Body      string
	CreatedAt time.Time
	AckedAt   *time.Time
	Position  AlertPosition // where it stands in its person's stream
}

// AlertKind is what an alert tells its person about.
type AlertKind string

// The alert kinds.
const (
	// AlertLeadAssigned tells an advisor that a lead was just assigned to them.
	AlertLeadAssigned AlertKind = "lead.assigned"
	// AlertLeadRepeat tells a lead's advisor (or its site's managers) that its customer wrote again.
	AlertLeadRepeat AlertKind = "lead.repeat"
	// AlertLeadReminder tells an advisor, or their managers, that a lead still waits for its first
	// answer.
	AlertLeadReminder AlertKind = "lead.reminder"
	// AlertActionDue tells an assignee, or their managers, that a manual action or a planned
	// activity is due or overdue.
	AlertActionDue AlertKind = "action.due"
	// AlertDecisionNeeded asks a manager what to do with a lead whose advisor is away.
	AlertDecisionNeeded AlertKind = "decision.needed"
	// AlertMessageCap tells the admins that a cap refused a customer message.
	AlertMessageCap AlertKind = "message.cap"
	// AlertLeadImproperClosure tells a lead's managers that it was rejected after fewer contacts
	// than required.
	AlertLeadImproperClosure AlertKind = "lead.improper_closure"
	// AlertWebhookDisabled tells the admins that a webhook endpoint was disabled, and why.
	AlertWebhookDisabled AlertKind = "webhook.disabled"
	// AlertLeadUnassigned tells a site's managers that a new lead's distribution rule gave it to
	// nobody, and why.
	AlertLeadUnassigned AlertKind = "lead.unassigned"
	// AlertLeadMoved tells an advisor and their managers that a lead they did not answer in time
	// moved to another advisor, or, after the last move, that it is the managers' to handle.
	AlertLeadMoved AlertKind = "lead.moved"
)

// AlertKinds lists every kind of alert the engine writes, so that whatever maps kinds (such as
// the RPC layer's wire enum) can be checked against all of them.
var AlertKinds = []AlertKind{
	AlertLeadAssigned, AlertLeadRepeat, AlertLeadReminder, AlertActionDue, AlertDecisionNeeded,
	AlertMessageCap, AlertLeadImproperClosure, AlertWebhookDisabled, AlertLeadUnassigned, AlertLeadMoved,
}

// AlertPosition is a place in a person's alert stream. The order is the order in which alerts
// become final (their writing transaction, then their insertion), not the order of their ids:
// an alert is only streamed once no alert can appear before it, so a stream that moved past a
// position never misses one written earlier but committed later. The zero value is the start.
type AlertPosition struct {
	Tx  int64 // the transaction that wrote the alert
	Seq int64 // its order of insertion
}

// Before reports whether a comes before b in the stream.
func (a AlertPosition) Before(b AlertPosition) bool {
	return a.Tx < b.Tx || (a.Tx == b.Tx && a.Seq < b.Seq)
}

// AlertRef names a committed alert, for the live stream between processes.
type AlertRef struct {
	ID     uuid.UUID
	OrgID  uuid.UUID
	UserID uuid.UUID
}

// CheckOwnAlerts checks that p is a person, the only kind of caller with alerts.
func (p Principal) CheckOwnAlerts() error {
	if p.UserID == uuid.Nil || p.Role == RolePartner {
		return Errorf(CodePermissionDenied, "only people have alerts")
	}
	return nil
}
