package relance

import (
	"time"

	"github.com/google/uuid"
)

// ActionOrigin says what created an action.
type ActionOrigin string

// The action origins.
const (
	ActionFromStatus ActionOrigin = "status" // a call scheduled by an interaction status
	ActionFromPlan   ActionOrigin = "plan"   // a step of a follow-up plan
)

// ActionState is the life cycle of an action.
type ActionState string

// The action states.
const (
	ActionScheduled ActionState = "scheduled"
	ActionDone      ActionState = "done"
	ActionSkipped   ActionState = "skipped"
	ActionFailed    ActionState = "failed"    // an automatic message that could not be sent
	ActionCancelled ActionState = "cancelled" // replaced (status changed) or its plan ended
)

// Action is something to do about a lead or a counterparty at a time: a call scheduled by a
// status, or a step of a follow-up plan. A manual action waits in its assignee's inbox until they
// complete or skip it; an automatic one (email, SMS) is sent by the system at its time.
type Action struct {
	ID             uuid.UUID
	LeadID         uuid.UUID // exactly one of LeadID and CounterpartyID is set
	CounterpartyID uuid.UUID
	Origin         ActionOrigin
	StatusID       uuid.UUID // the status that scheduled it (status calls)
	Kind           ActivityKind
	Automatic      bool
	AssigneeID     uuid.UUID // uuid.Nil for automatic actions
	State          ActionState
	DueAt          time.Time
	Subject        string
	Content        string
	Recipients     []string
	Notes          string
	Outcome        string
	DoneAt         *time.Time
	DoneBy         uuid.UUID
	ActivityID     uuid.UUID // the timeline entry it produced, once carried out
	EnrolmentID    uuid.UUID // plan steps: the lead's run of the plan
	PlanID         uuid.UUID
	Step           int // plan steps: the step's position
	Attachments    []Attachment
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ActionKinds are the kinds an action may have (a meeting is not a follow-up step).
var ActionKinds = []ActivityKind{KindCall, KindEmail, KindSMS, KindLetter, KindTask}

// ActionChange lists the fields of a manual action its assignee may rework before carrying it
// out; nil fields stay as they are.
type ActionChange struct {
	Kind       *ActivityKind
	Subject    *string
	Content    *string
	Recipients *[]string
	Notes      *string
}

// Apply changes a as c says.
func (c ActionChange) Apply(a *Action) {
	set(&a.Kind, c.Kind)
	set(&a.Subject, c.Subject)
	set(&a.Content, c.Content)
	set(&a.Recipients, c.Recipients)
	set(&a.Notes, c.Notes)
}

// CheckOwnAction checks that p may see and carry out action a. Only its assignee may: the rule
// of the action inbox holds even for managers and admins, who get not-found like for any object
// they may not see.
func (p Principal) CheckOwnAction(a *Action) error {
	if p.UserID == uuid.Nil || a.AssigneeID != p.UserID {
		return NotFound("action")
	}
	return nil
}

// Timing places a scheduled action in its assignee's day.
type Timing string

// The timings.
const (
	TimingOverdue  Timing = "overdue"  // due before now
	TimingToday    Timing = "today"    // due from now to the end of the assignee's local day
	TimingUpcoming Timing = "upcoming" // due on a later day
)

// TimingOf places an action due at due, seen at now, when the assignee's local day ends at dayEnd.
func TimingOf(due, now, dayEnd time.Time) Timing {
	switch {
	case due.Before(now):
		return TimingOverdue
	case due.Before(dayEnd):
		return TimingToday
	}
	return TimingUpcoming
}

// InboxItem is a pending action of someone's inbox, placed in their day.
type InboxItem struct {
	Action Action
	Timing Timing
}

// ActionOutcome is what the assignee reports when carrying out or skipping an action.
type ActionOutcome struct {
	Outcome string
	Notes   string     // replaces the action's notes when set
	DoneAt  *time.Time // when it was done; now when nil
	// What a manual email or SMS sends instead of the action's subject and content, when set.
	Subject, Body *string
}

// ScheduledCall is a call scheduled by an interaction status, with what a manager's listing
// shows of its subject.
type ScheduledCall struct {
	Action
	SubjectName string
	Category    string
	SiteID      uuid.UUID
}

// CallState filters scheduled calls.
type CallState string

// The call states of the scheduled-call listing.
const (
	CallScheduled CallState = "scheduled" // pending, due now or later
	CallOverdue   CallState = "overdue"   // pending, due before now
	CallDone      CallState = "done"
)

// ScheduledCallFilter narrows the scheduled-call listing; zero fields do not filter.
type ScheduledCallFilter struct {
	ManagerID uuid.UUID // calls of the advisors reporting to this manager
	AdvisorID uuid.UUID
	StatusID  uuid.UUID
	Category  string
	From, To  time.Time // due in [From, To)
	State     CallState // "" lists pending and done calls
	Limit     int
	After     *ActionCursor
	Subject   string // "lead", "counterparty" or "" for both
	// The calls of one lead or one counterparty (a customer's history with State done).
	LeadID, CounterpartyID uuid.UUID
}

// ActionCursor is a position in an action listing (by due time).
type ActionCursor struct {
	DueAt time.Time
	ID    uuid.UUID
}

// StatusCount is how many pending scheduled calls one status has, and how many of them are
// overdue: the quick selections of the scheduled-call listing.
type StatusCount struct {
	StatusID uuid.UUID
	Pending  int
	Overdue  int
}
