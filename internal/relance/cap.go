package relance

import (
	"fmt"
	"time"
)

// MessageCaps are an organisation's daily limits on the messages it sends to customers (leads),
// as opposed to its own staff. A day is the UTC calendar day (see CapDay).
type MessageCaps struct {
	SMSPerDay          int // SMS to customers a day, for the whole organisation
	EmailsPerDay       int // emails to customers a day, for the whole organisation
	PerRecipientPerDay int // messages a day to one phone number or email address
}

// The default caps of a new organisation (the schema's column defaults) and the bounds an admin
// may set them within (the .proto's and the schema's checks).
const (
	DefaultSMSPerDay          = 200
	DefaultEmailsPerDay       = 1000
	DefaultPerRecipientPerDay = 3
	MaxSMSPerDay              = 100_000
	MaxEmailsPerDay           = 1_000_000
	MaxPerRecipientPerDay     = 100
)

// DefaultMessageCaps returns the caps of a new organisation.
func DefaultMessageCaps() MessageCaps {
	return MessageCaps{SMSPerDay: DefaultSMSPerDay, EmailsPerDay: DefaultEmailsPerDay, PerRecipientPerDay: DefaultPerRecipientPerDay}
}

// Validate checks each cap is within its bounds; violations name the API field.
func (c MessageCaps) Validate() error {
	for _, b := range []struct {
		field  string
		v, max int
	}{
		{"sms_daily_cap", c.SMSPerDay, MaxSMSPerDay},
		{"email_daily_cap", c.EmailsPerDay, MaxEmailsPerDay},
		{"recipient_daily_cap", c.PerRecipientPerDay, MaxPerRecipientPerDay},
	} {
		if b.v < 0 || b.v > b.max {
			return Invalid(b.field, fmt.Sprintf("must be between 0 and %d", b.max))
		}
	}
	return nil
}

// Cap names one of the caps, as in an alert's key.
type Cap string

// The caps.
const (
	CapSMS       Cap = "sms"       // the organisation's daily SMS
	CapEmail     Cap = "email"     // the organisation's daily emails
	CapRecipient Cap = "recipient" // one recipient's daily messages
)

// CapReached says which cap refused a message.
type CapReached struct {
	Cap   Cap
	Limit int
}

// Error is the reason recorded on the refused delivery, such as "daily SMS cap of 200 reached".
func (c *CapReached) Error() string {
	switch c.Cap {
	case CapSMS:
		return fmt.Sprintf("daily SMS cap of %d reached", c.Limit)
	case CapEmail:
		return fmt.Sprintf("daily email cap of %d reached", c.Limit)
	}
	return fmt.Sprintf("daily cap of %d messages per recipient reached", c.Limit)
}

// Admit decides whether one more message on channel ch may go to a customer, given how many the
// organisation (orgSent, on that channel) and the recipient (recipientSent) were already sent
// today. It returns nil when it may, or the cap it would exceed, the organisation's first.
func (c MessageCaps) Admit(ch Channel, orgSent, recipientSent int) *CapReached {
	org := CapReached{Cap: CapSMS, Limit: c.SMSPerDay}
	if ch == ChannelEmail {
		org = CapReached{Cap: CapEmail, Limit: c.EmailsPerDay}
	}
	if orgSent >= org.Limit {
		return &org
	}
	if recipientSent >= c.PerRecipientPerDay {
		return &CapReached{Cap: CapRecipient, Limit: c.PerRecipientPerDay}
	}
	return nil
}

// CapDay is the day a message sent at now counts in: its UTC date, at midnight UTC. Counting in
// UTC gives every organisation one unambiguous day, whatever the zones of its sites (an
// organisation spans sites in several zones, and has no zone of its own).
func CapDay(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
