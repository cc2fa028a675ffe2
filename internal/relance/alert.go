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
