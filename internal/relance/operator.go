package relance

import (
	"time"

	"github.com/google/uuid"
)

// TimerFilter selects pending timers for an operator: only late ones (due before LateBefore)
// when Late, of one organisation and one kind when set, at most Limit.
type TimerFilter struct {
	Late       bool
	LateBefore time.Time
	OrgID      uuid.UUID
	Kind       TimerKind
	Limit      int
}

// TimerRow is a timer as an operator sees it, across tenants.
type TimerRow struct {
	TimerRef
	OrgName   string
	Kind      TimerKind
	SubjectID uuid.UUID
	Ref       string
	State     string // pending, done or cancelled
	FiredAt   *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TimerLead is the lead a timer is about, in brief.
type TimerLead struct {
	ID          uuid.UUID
	SiteID      uuid.UUID
	ContactName string
	Stage       Stage
	AssigneeID  uuid.UUID
	ReceivedAt  time.Time
}

// DeliveryFilter selects failed deliveries for an operator: created at or after Since, on one
// channel and of one organisation when set, at most Limit.
type DeliveryFilter struct {
	Since   time.Time
	Channel string
	OrgID   uuid.UUID
	Limit   int
}

// FailedDelivery is a delivery that failed for good, as an operator sees it.
type FailedDelivery struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	OrgName   string
	Channel   string
	Recipient string
	LeadID    uuid.UUID
	Attempts  int
	LastError string
	CreatedAt time.Time
}
