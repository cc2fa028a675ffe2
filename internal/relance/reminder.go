package relance

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Recipient is who a reminder rung tells.
type Recipient string

// The recipients of a rung.
const (
	RecipientAdvisor Recipient = "advisor"
	RecipientManager Recipient = "manager"
)

// Rung is one step of a site's reminder ladder.
type Rung struct {
	// Business time to wait: from the assignment for the first rung, from the previous one after.
	Delay      time.Duration
	Recipients []Recipient
	Channels   []Channel
}

// Ladder bounds.
const (
	MinRungDelay = time.Hour
	MaxRungDelay = 48 * time.Hour
	MaxRungs     = 5
)

// DefaultLadder is the ladder of a site that set none: the advisor is reminded by email after
// two business hours, then the advisor and their manager four business hours later.
func DefaultLadder() []Rung {
	return []Rung{
		{Delay: 2 * time.Hour, Recipients: []Recipient{RecipientAdvisor}, Channels: []Channel{ChannelEmail}},
		{Delay: 4 * time.Hour, Recipients: []Recipient{RecipientAdvisor, RecipientManager}, Channels: []Channel{ChannelEmail}},
	}
}

// ValidateLadder checks a ladder: at most MaxRungs rungs, each waiting between MinRungDelay and
// MaxRungDelay and telling someone on some channel. It returns an invalid-input error.
func ValidateLadder(rungs []Rung) error {
	if len(rungs) > MaxRungs {
		return Invalid("rungs", fmt.Sprintf("at most %d rungs", MaxRungs))
	}
	for i, r := range rungs {
		field := fmt.Sprintf("rungs[%d]", i)
		if r.Delay < MinRungDelay || r.Delay > MaxRungDelay {
			return Invalid(field+".delay", "must be between 1h and 48h of business time")
		}
		if len(r.Recipients) == 0 {
			return Invalid(field+".recipients", "must tell someone")
		}
		for _, rc := range r.Recipients {
			if rc != RecipientAdvisor && rc != RecipientManager {
				return Invalid(field+".recipients", fmt.Sprintf("unknown recipient %q", rc))
			}
		}
		if len(r.Channels) == 0 {
			return Invalid(field+".channels", "must use a channel")
		}
		for _, ch := range r.Channels {
			if ch != ChannelEmail && ch != ChannelSMS {
				return Invalid(field+".channels", fmt.Sprintf("unknown channel %q", ch))
			}
		}
	}
	return nil
}

// ReminderChannels returns the channels a rung reaches u on: those of the rung that u accepts
// and has an address for.
func ReminderChannels(r Rung, u *User) []Channel {
	var out []Channel
	if slices.Contains(r.Channels, ChannelEmail) && u.Notifications.Email && u.AlertEmail() != "" {
		out = append(out, ChannelEmail)
	}
	if slices.Contains(r.Channels, ChannelSMS) && u.Notifications.SMS && u.Phone != "" {
		out = append(out, ChannelSMS)
	}
	return out
}

// CheckManageReminders checks that p may set the ladder of site siteID: admins, and managers of
// the site.
func (p Principal) CheckManageReminders(siteID uuid.UUID) error {
	switch {
	case p.Role == RoleAdmin, p.Role == RoleManager && p.InSite(siteID):
		return nil
	case p.CanSeeSite(siteID):
		return Errorf(CodePermissionDenied, "only admins and the site's managers set its reminders")
	}
	return NotFound("site")
}

// LateCount is one advisor's number of late open leads.
type LateCount struct {
	AdvisorID uuid.UUID
	Late      int
	Open      int
}
