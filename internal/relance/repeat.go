package relance

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// DefaultRepeatDays is how long after an open lead was received the same customer writing again
// is a repeat inquiry of it, unless the organisation sets otherwise (0 turns repeats off).
const DefaultRepeatDays = 30

// MaxRepeatDays bounds an organisation's repeat window.
const MaxRepeatDays = 365

// Repeat is a repeat inquiry: the customer of an open lead (same phone number or email address,
// same site) writing again within the organisation's repeat days. It goes on that lead's
// timeline and alerts its advisor; it starts no second lead and no second reminder ladder.
type Repeat struct {
	ID          uuid.UUID
	LeadID      uuid.UUID
	Source      string
	SourceGroup string
	Contact     Contact
	Notes       string
	ReceivedAt  time.Time
	CreatedAt   time.Time
}

// CheckRepeatDays checks an organisation's repeat window, naming field.
func CheckRepeatDays(field string, days int) error {
	if days < 0 || days > MaxRepeatDays {
		return Invalid(field, fmt.Sprintf("must be between 0 (off) and %d days", MaxRepeatDays))
	}
	return nil
}

// Summary is what the lead's timeline shows of the repeat.
func (r *Repeat) Summary() string {
	s := "Repeat inquiry via " + r.Source
	if r.Contact.Name != "" {
		s += " from " + r.Contact.Name
	}
	if r.Notes != "" {
		s += ": " + r.Notes
	}
	return s
}
