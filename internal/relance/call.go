package relance

import (
	"time"

	"github.com/google/uuid"
)

// CallOutcome is how a call ended.
type CallOutcome string

// The call outcomes.
const (
	CallAnswered  CallOutcome = "answered"
	CallNoAnswer  CallOutcome = "no_answer"
	CallBusy      CallOutcome = "busy"
	CallVoicemail CallOutcome = "voicemail"
	CallFailed    CallOutcome = "failed"
)

// Call is one call with a lead's contact, from telephony or the app.
type Call struct {
	ID           uuid.UUID
	LeadID       uuid.UUID
	AdvisorID    uuid.UUID // who made or took it; uuid.Nil for an inbound call nobody took
	Direction    Direction
	StartedAt    time.Time
	Duration     time.Duration
	Outcome      CallOutcome
	Phone        string // the contact's number as the telephony gave it
	RecordingURL string // empty when the caller may not hear it
	ExternalID   string // the telephony's id: the same call recorded twice is one call
	Successful   bool   // a successful touch: answered and longer than the rule's threshold
	ActivityID   uuid.UUID
	RecordedBy   uuid.UUID
	CreatedAt    time.Time
}

// NewCall is a call to record: on LeadID, or on the lead whose phone number is Phone.
type NewCall struct {
	Call
	LeadID uuid.UUID
}

// CallResult is what became of one call of an import.
type CallResult struct {
	Call    Call
	Created bool  // false for a call already recorded (same external id)
	Err     error // a domain error for this call alone; the others are recorded
}

// Attempt reports whether c is a contact attempt by an advisor: an outbound call, whatever its
// outcome.
func (c *Call) Attempt() bool { return c.Direction == Outbound }

// Answers reports whether c answers its lead (a human activity for the response time): an
// outbound call by an advisor, or an inbound call an advisor took.
func (c *Call) Answers() bool {
	return c.AdvisorID != uuid.Nil && (c.Direction == Outbound || c.Outcome == CallAnswered)
}

// CheckCall checks what a call must carry, naming the field at fault: its start time within
// window before now (CheckReported).
func CheckCall(c *NewCall, now time.Time, window time.Duration) error {
	switch {
	case c.LeadID == uuid.Nil && c.Phone == "":
		return Invalid("phone", "a call needs a lead_id or the contact's phone number")
	case c.Direction != Inbound && c.Direction != Outbound:
		return Invalid("direction", "must be inbound or outbound")
	case c.Direction == Outbound && c.AdvisorID == uuid.Nil:
		return Invalid("advisor_id", "an outbound call needs the advisor who made it")
	case c.StartedAt.IsZero():
		return Invalid("start_time", "is required")
	}
	if err := CheckReported("start_time", c.StartedAt, now, window); err != nil {
		return err
	}
	switch {
	case c.Duration < 0 || c.Duration > 24*time.Hour:
		return Invalid("duration", "must be between 0 and 24 hours")
	}
	switch c.Outcome {
	case CallAnswered, CallNoAnswer, CallBusy, CallVoicemail, CallFailed:
	default:
		return Invalid("outcome", "must be answered, no_answer, busy, voicemail or failed")
	}
	return nil
}
