package relance

import (
	"time"

	"github.com/google/uuid"
)

// StatusFor says what an interaction status may be set on.
type StatusFor string

// What a status applies to.
const (
	StatusForLeads          StatusFor = "leads"
	StatusForCounterparties StatusFor = "counterparties"
	StatusForBoth           StatusFor = "both"
)

// Status is one entry of an organisation's reference book of interaction statuses ("hot",
// "call back in a month", …). Setting a status that schedules calls plans a call for the
// responsible advisor CallAfterDays working days later; a terminal status also closes a lead.
type Status struct {
	ID            uuid.UUID
	Name          string
	SortOrder     int
	For           StatusFor
	SchedulesCall bool
	CallAfterDays int   // working days, 1–365 when SchedulesCall
	Terminal      Stage // "", StageWon or StageRejected: the stage a lead moves to
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// StatusChange lists the fields of a status to change; nil fields stay as they are.
type StatusChange struct {
	Name          *string
	SortOrder     *int
	For           *StatusFor
	SchedulesCall *bool
	CallAfterDays *int
	Terminal      *Stage
}

// Apply changes s as c says.
func (c StatusChange) Apply(s *Status) {
	set(&s.Name, c.Name)
	set(&s.SortOrder, c.SortOrder)
	set(&s.For, c.For)
	set(&s.SchedulesCall, c.SchedulesCall)
	set(&s.CallAfterDays, c.CallAfterDays)
	set(&s.Terminal, c.Terminal)
}

// MaxCallAfterDays bounds the delay of a status call.
const MaxCallAfterDays = 365

// Validate checks what the wire format cannot: a call delay when calls are scheduled, and a
// terminal meaning only for statuses that leads can have.
func (s *Status) Validate() error {
	switch s.For {
	case StatusForLeads, StatusForCounterparties, StatusForBoth:
	default:
		return Invalid("applies_to", "must be leads, counterparties or both")
	}
	if s.SchedulesCall && (s.CallAfterDays < 1 || s.CallAfterDays > MaxCallAfterDays) {
		return Invalid("call_after_days", "a status that schedules calls needs 1 to 365 days")
	}
	if !s.SchedulesCall && s.CallAfterDays != 0 {
		return Invalid("call_after_days", "only a status that schedules calls has a delay")
	}
	switch s.Terminal {
	case "", StageWon, StageRejected:
	default:
		return Invalid("terminal", "must be won, rejected or none")
	}
	if s.Terminal != "" && s.For == StatusForCounterparties {
		return Invalid("terminal", "only a status for leads closes a lead")
	}
	return nil
}

// AppliesTo reports whether s may be set on a lead (leads = true) or a counterparty.
func (s *Status) AppliesTo(leads bool) bool {
	if s.For == StatusForBoth {
		return true
	}
	return (s.For == StatusForLeads) == leads
}

// CheckManageStatuses checks that p may change the reference book: admins and managers.
func (p Principal) CheckManageStatuses() error {
	if p.Role == RoleAdmin || p.Role == RoleManager {
		return nil
	}
	return Errorf(CodePermissionDenied, "only managers and admins manage interaction statuses")
}

// Counterparty is an existing customer (a company or a person) followed up like a lead.
type Counterparty struct {
	ID            uuid.UUID
	SiteID        uuid.UUID
	Kind          string // "company" or "person"
	Name          string
	Category      string // "A", "B", "C" or ""
	Phone         string
	Email         string
	ResponsibleID uuid.UUID // uuid.Nil when nobody is
	StatusID      uuid.UUID // uuid.Nil when none
	Notes         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CounterpartyChange lists the fields of a counterparty to change; nil fields stay as they are.
// The status is not here: setting it is its own operation, since it schedules calls.
type CounterpartyChange struct {
	Name          *string
	Category      *string
	Phone         *string
	Email         *string
	ResponsibleID *uuid.UUID
	Notes         *string
}

// Apply changes c as ch says.
func (ch CounterpartyChange) Apply(c *Counterparty) {
	set(&c.Name, ch.Name)
	set(&c.Category, ch.Category)
	set(&c.Phone, ch.Phone)
	set(&c.Email, ch.Email)
	set(&c.ResponsibleID, ch.ResponsibleID)
	set(&c.Notes, ch.Notes)
}

// CounterpartyFilter narrows a counterparty listing; zero fields do not filter.
type CounterpartyFilter struct {
	SiteID        uuid.UUID
	ResponsibleID uuid.UUID
	StatusID      uuid.UUID
	Category      string
	Limit         int
	After         *CounterpartyCursor
}

// CounterpartyCursor is a position in the counterparty listing order (by name).
type CounterpartyCursor struct {
	Name string
	ID   uuid.UUID
}

// CanSeeCounterparty reports whether p may read c: admins every one, managers those of their
// sites, advisors those they are responsible for. Partner keys see none.
func (p Principal) CanSeeCounterparty(c *Counterparty) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return p.InSite(c.SiteID)
	case RoleAdvisor:
		return c.ResponsibleID == p.UserID
	}
	return false
}

// CheckCreateCounterparty checks that p may add a customer on siteID with responsible (uuid.Nil
// for none): admins anywhere, managers on their sites, advisors on their sites for themselves.
func (p Principal) CheckCreateCounterparty(siteID, responsible uuid.UUID) error {
	switch p.Role {
	case RoleAdmin:
		return nil
	case RoleManager, RoleAdvisor:
		if !p.InSite(siteID) {
			return NotFound("site")
		}
		if p.Role == RoleAdvisor && responsible != p.UserID {
			return Errorf(CodePermissionDenied, "an advisor adds customers they are responsible for")
		}
		return nil
	}
	return Errorf(CodePermissionDenied, "this key may not manage counterparties")
}
