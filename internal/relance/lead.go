package relance

import (
	"time"

	"github.com/google/uuid"
)

// Stage is where a lead stands in the sales funnel.
type Stage string

// The lead stages.
const (
	StageOpen     Stage = "open"
	StageWon      Stage = "won"
	StageRejected Stage = "rejected"
)

// Contact is the person behind a lead.
type Contact struct {
	Name  string
	Phone string // E.164, or empty
	Email string
}

// Lead is a sales opportunity to follow up.
type Lead struct {
	ID              uuid.UUID
	OrgID           uuid.UUID
	SiteID          uuid.UUID
	Source          string
	SourceGroup     string
	Category        string // "A", "B", "C" or ""
	Contact         Contact
	AssigneeID      uuid.UUID // uuid.Nil while unassigned
	Stage           Stage
	StatusID        uuid.UUID // the interaction status; uuid.Nil when none
	ExternalID      string
	Notes           string
	ReceivedAt      time.Time
	AssignedAt      *time.Time
	FirstResponseAt *time.Time
	ResponseTime    *time.Duration // business time from receipt to first response
	LateAt          *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// PartnerKeyID is the partner API key that created the lead; uuid.Nil when a person did.
	PartnerKeyID uuid.UUID
	// Calls: outbound attempts, successful touches, the last attempt.
	CallAttempts      int
	SuccessfulTouches int
	LastAttemptAt     *time.Time
	// Rejected with fewer contacts than the cadence rule asks: when, and after how many.
	ImproperClosureAt *time.Time
	ClosureContacts   int
	// Where the lead stands in its cadence rule; filled in by reads that show it.
	Cadence *Cadence
	// Vehicle is the vehicle the customer asks about (from ADF); nil when none.
	Vehicle *Vehicle
}

// Vehicle is a vehicle of interest: what the customer wants to buy, lease, trade in or try.
type Vehicle struct {
	Interest string // buy, lease, trade-in, test-drive, or ""
	Status   string // new, used, or ""
	Year     string
	Make     string
	Model    string
	VIN      string
	Stock    string // the dealer's stock number
}

// NewLead is what it takes to create a lead.
type NewLead struct {
	IdempotencyKey string
	ExternalID     string
	SiteID         uuid.UUID
	Source         string
	SourceGroup    string
	Category       string
	Contact        Contact
	ReceivedAt     time.Time // zero means now
	AssigneeID     uuid.UUID // uuid.Nil leaves it unassigned
	Notes          string
	Vehicle        *Vehicle // nil for none
	// Document is the raw document the lead came from (ADF intake; "" for none), kept with the
	// lead in the transaction that creates it. Not part of the request's fingerprint: a resend
	// may differ in it.
	Document string
}

// Reference is what anyone may know of a lead they may not see: that it exists, where and since
// when, and whether it is open; not its contact, advisor or notes.
func (l *Lead) Reference() Lead {
	return Lead{ID: l.ID, OrgID: l.OrgID, SiteID: l.SiteID, Stage: l.Stage, ReceivedAt: l.ReceivedAt, CreatedAt: l.CreatedAt}
}

// LeadOutcome is what CreateLead did with a request.
type LeadOutcome int

// The outcomes of CreateLead.
const (
	// LeadReplayed: a retry of an earlier request; the lead it created.
	LeadReplayed LeadOutcome = iota
	// LeadCreated: a new lead.
	LeadCreated
	// LeadRepeated: a repeat inquiry, recorded on the customer's open lead, which is returned.
	LeadRepeated
)

// LeadChange lists the fields of a lead to change; nil fields stay as they are.
type LeadChange struct {
	Stage    *Stage
	Category *string
	Notes    *string
	// StatusID sets the interaction status (uuid.Nil clears it). Apply leaves it alone: setting a
	// status is the store's work, since it replans the status call and may close the lead.
	StatusID *uuid.UUID
}

// Apply changes l as c says, the status aside.
func (c LeadChange) Apply(l *Lead) {
	set(&l.Stage, c.Stage)
	set(&l.Category, c.Category)
	set(&l.Notes, c.Notes)
}

// LeadFilter narrows a lead listing; zero fields do not filter.
type LeadFilter struct {
	SiteID     uuid.UUID
	AssigneeID uuid.UUID
	Stage      Stage
	StatusID   uuid.UUID
	Source     string
	Late       *bool
	// NoAttemptToday keeps open leads without an outbound call in their site's day so far.
	NoAttemptToday bool
	// ImproperOnly keeps leads rejected with fewer contacts than their cadence rule asks.
	ImproperOnly bool
	Limit        int
	After        *LeadCursor // the last lead of the previous page
}

// LeadCursor is a position in the lead listing order (newest received first).
type LeadCursor struct {
	ReceivedAt time.Time
	ID         uuid.UUID
}

// ActivityKind is the kind of contact an activity records.
type ActivityKind string

// The activity kinds.
const (
	KindCall    ActivityKind = "call"
	KindEmail   ActivityKind = "email"
	KindSMS     ActivityKind = "sms"
	KindLetter  ActivityKind = "letter"
	KindTask    ActivityKind = "task"
	KindMeeting ActivityKind = "meeting"
	// KindInquiry is the customer writing again about an open lead (a repeat inquiry); only the
	// system records it.
	KindInquiry ActivityKind = "inquiry"
)

// Origin tells a person's work from what the system did on its own.
type Origin string

// The activity origins.
const (
	OriginHuman  Origin = "human"
	OriginSystem Origin = "system"
)

// ActivityState is the life cycle of an activity.
type ActivityState string

// The activity states.
const (
	ActivityPlanned ActivityState = "planned"
	ActivityDone    ActivityState = "done"
	ActivitySkipped ActivityState = "skipped"
	ActivityFailed  ActivityState = "failed"
)

// Activity is one entry of a lead's timeline.
type Activity struct {
	ID        uuid.UUID
	LeadID    uuid.UUID
	Kind      ActivityKind
	Origin    Origin
	State     ActivityState
	DueAt     *time.Time
	DoneAt    *time.Time
	ActorID   uuid.UUID // uuid.Nil for system activities
	Content   string
	Direction Direction
	CreatedAt time.Time
}

// Direction tells a contact from the customer (a reply) from one to them.
type Direction string

// The directions; "" when not known.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// CountsAsResponse reports whether the activity answers the lead: only a person's completed
// work does; automatic messages never do.
func (a *Activity) CountsAsResponse() bool {
	return a.Origin == OriginHuman && a.State == ActivityDone && a.DoneAt != nil
}

// NewActivity is a human activity to record on a lead.
type NewActivity struct {
	LeadID  uuid.UUID
	Kind    ActivityKind
	State   ActivityState // ActivityDone or ActivityPlanned
	DueAt   *time.Time
	DoneAt  *time.Time // nil means now, for a done activity
	Content string
	// Inbound for a contact from the customer (a call received, a reply): it takes the lead out
	// of its follow-up plans.
	Direction Direction
}
