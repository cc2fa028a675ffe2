package relance

import (
	"time"

	"github.com/google/uuid"
)

// Alert is an in-app notification to one person.
type Alert struct {
	ID        uuid.UUID // UUIDv7: ordered by creation
	UserID    uuid.UUID
	Kind      string // "lead.assigned", "lead.reminder", …
	LeadID    uuid.UUID
	Title     string
	Body      string
	CreatedAt time.Time
	AckedAt   *time.Time
	Position  AlertPosition // where it stands in its person's stream
}

// AlertLeadUnassigned is the kind of the alert telling a site's managers that a new lead's
// distribution rule gave it to nobody, and why.
const AlertLeadUnassigned = "lead.unassigned"

// AlertLeadMoved is the kind of the alert telling an advisor and their managers that a lead
// they did not answer in time moved to another advisor, or, after the last move, that it is the
// managers' to handle.
const AlertLeadMoved = "lead.moved"

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
