package relance

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// TimerKind names what a timer does when it fires.
type TimerKind string

// The timer kinds.
const (
	// TimerLeadAssigned alerts an advisor of a lead just assigned to them (Ref: the assignee id).
	TimerLeadAssigned TimerKind = "lead.assigned"
	// TimerLeadRepeat tells a lead's advisor (or its site's managers) that its customer wrote
	// again (Subject: the lead; Ref: the repeat id).
	TimerLeadRepeat TimerKind = "lead.repeat"
	// TimerLeadReminder fires one rung of a lead's reminder ladder (Ref: assignee id "|" rung).
	TimerLeadReminder TimerKind = "lead.reminder"
	// TimerActivityOverdue fires one rung of the ladder of a planned activity left undone past its
	// due time (Subject: the activity; Ref: the rung).
	TimerActivityOverdue TimerKind = "activity.overdue"
	// TimerDigest sends a person's daily digest (Subject: the user; Ref: the local date).
	TimerDigest TimerKind = "digest.daily"
	// TimerActionDue tells the assignee of a manual action that it is due (Subject: the action).
	TimerActionDue TimerKind = "action.due"
	// TimerActionOverdue fires one rung of the ladder of a manual action about a lead left undone
	// past its due time (Subject: the action; Ref: the rung).
	TimerActionOverdue TimerKind = "action.overdue"
	// TimerDelivery sends one delivery (Subject: the delivery id); it is rescheduled for retries.
	TimerDelivery TimerKind = "delivery.send"
)

// TimerRef is what the task queue needs to deliver a timer: which row, which version, when.
// A task carries no other state; the handler re-reads everything from the row.
type TimerRef struct {
	ID      uuid.UUID
	OrgID   uuid.UUID
	Version int
	DueAt   time.Time
}

// Channel is a way to reach a person.
type Channel string

// The channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// Message is one email, SMS or push notification to send.
type Message struct {
	// ID is the message's stable identity: sending it again (after a worker died mid-send) reuses
	// it, as the email's Message-ID and the SMS provider's idempotency key, so that mailboxes and
	// idempotent providers show it once.
	ID      string
	Channel Channel
	To      string // an email address or an E.164 phone number
	Subject string // email only
	Text    string
	HTML    string // email only; optional
	// Push only: the device it goes to, and the lead a tap on it opens (uuid.Nil for none).
	Device *Device
	LeadID uuid.UUID
	// Email only: the sender when not the server's own (FromName alone keeps the server's
	// address under that name), the Reply-To, and the files it carries.
	FromName, From, ReplyTo string
	Files                   []File
}

// File is a file an email carries.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Sender sends messages through the outside world (SMTP, an SMS provider, push services). It returns the
// provider's id for the message, or an error; errors wrapped by Permanent will never succeed.
type Sender interface {
	Send(ctx context.Context, m Message) (providerID string, err error)
}

// PermanentError marks a send error that retrying cannot fix (bad address, rejected content).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a permanent send failure.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err is a permanent send failure.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// NotTriedError marks a send that never reached its provider: it waited for a connection until
// its time was up, and the message did not leave. It is tried again soon, and the wait does not
// count as one of its MaxDeliveryAttempts: a slow but working server makes messages wait, never
// fail.
type NotTriedError struct{ Err error }

func (e *NotTriedError) Error() string { return "not tried: " + e.Err.Error() }
func (e *NotTriedError) Unwrap() error { return e.Err }

// NotTried wraps err as a send that did not reach its provider.
func NotTried(err error) error { return &NotTriedError{Err: err} }

// IsNotTried reports whether err is a send that did not reach its provider.
func IsNotTried(err error) bool {
	var n *NotTriedError
	return errors.As(err, &n)
}

// NotTriedDelay is how long a message that waited in vain for a connection waits before its
// next turn.
const NotTriedDelay = 10 * time.Second

// Delivery states.
const (
	DeliveryPending = "pending" // written, not yet tried (or waiting for its next try)
	DeliverySending = "sending" // a worker holds it until its lease ends
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"  // permanent failure, or out of attempts
	DeliveryUnknown = "unknown" // out of attempts, the last one cut short: it may or may not have left
)

// MaxDeliveryAttempts bounds how often a message is tried before it is recorded as failed.
const MaxDeliveryAttempts = 6

// DeliveryRetryDelay is the wait before try attempt+1 after a transient failure of try attempt
// (1-based): 30 s, 1 min, 2 min, 4 min, 8 min.
func DeliveryRetryDelay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 10 {
		attempt = 10
	}
	return 30 * time.Second << (attempt - 1)
}

// DeliveryLease is how long a worker may hold a delivery while sending it. A delivery still
// "sending" after its lease belonged to a worker that died mid-send: it is sent again under the
// same identity (Message.ID), so that losing a reminder is never the price of a crash.
const DeliveryLease = 2 * time.Minute

// NotDueError is returned when a timer is fired before its instant (task queues may fire a
// little early); the caller should try again after Wait.
type NotDueError struct{ Wait time.Duration }

func (e *NotDueError) Error() string { return "timer not due for " + e.Wait.String() }

// HeldError is returned when another worker holds a timer, most often to fire it with its own:
// it is done, or free again, shortly; the caller should look again after Wait.
type HeldError struct{ Wait time.Duration }

func (e *HeldError) Error() string {
	return "timer held by another worker; look again in " + e.Wait.String()
}

// RetryAfter reports how long to wait before firing a timer again when err says it cannot fire
// yet (a *NotDueError or a *HeldError), and false for any other error.
func RetryAfter(err error) (time.Duration, bool) {
	var notDue *NotDueError
	var held *HeldError
	switch {
	case errors.As(err, &notDue):
		return notDue.Wait, true
	case errors.As(err, &held):
		return held.Wait, true
	}
	return 0, false
}

// Delivery is one message sent (or being sent) to a person, with its outcome.
type Delivery struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	LeadID    uuid.UUID
	Channel   Channel
	Recipient string
	Subject   string
	State     string
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
	// The action it carries out (uuid.Nil for none); an email's sender and Reply-To when not
	// the server's own, and the names of the files it carries.
	ActionID        uuid.UUID
	From, ReplyTo   string
	AttachmentNames []string
}
