// Package relance holds the domain of the lead follow-up engine: its types, its errors and the
// pure rules about who may see and change what. It imports no database, queue or RPC package.
package relance

import (
	"time"

	"github.com/google/uuid"
)

// Role is what a caller may do inside an organisation.
type Role string

// The roles, from the narrowest to the widest; partners are systems, not people.
const (
	RoleAdvisor Role = "advisor"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
	RolePartner Role = "partner"
)

// Scope is one thing a partner API key may do.
type Scope string

// The partner scopes.
const (
	ScopeLeadsCreate Scope = "leads.create"
	ScopeLeadsRead   Scope = "leads.read"
	ScopeCallsRecord Scope = "calls.record"
)

// Locale is the language of the messages a user receives.
type Locale string

// The supported locales.
const (
	LocaleFR Locale = "fr"
	LocaleEN Locale = "en"
	LocaleRU Locale = "ru"
)

// Organization is a tenant: a dealership group or any other sales team.
type Organization struct {
	ID           uuid.UUID
	Name         string
	DigestMinute int  // local time of the daily digest, in minutes after midnight
	DigestOn     bool // whether the daily digest is sent at all
	SendMinute   int  // local time automatic messages and scheduled calls go out at
	Caps         MessageCaps
	RepeatDays   int // see Repeat; 0 turns repeats off
	SenderMode   SenderMode
	CreatedAt    time.Time
}

// OrganizationChange lists the settings of an organisation to change; nil fields stay as they are.
type OrganizationChange struct {
	Name         *string
	DigestMinute *int
	DigestOn     *bool
	SendMinute   *int
	// The message caps; nil fields stay as they are.
	SMSPerDay          *int
	EmailsPerDay       *int
	PerRecipientPerDay *int
	RepeatDays         *int
	SenderMode         *SenderMode
}

// Notifications says on which channels a user wants to be told things.
type Notifications struct {
	Email            bool
	SMS              bool
	InApp            bool
	UsePersonalEmail bool
}

// User is a person of an organisation.
type User struct {
	ID            uuid.UUID
	OrgID         uuid.UUID
	Email         string
	DisplayName   string
	Role          Role
	ManagerID     uuid.UUID // uuid.Nil when the user reports to no one
	SiteIDs       []uuid.UUID
	Units         map[uuid.UUID]uuid.UUID // site → the user's unit there; no entry for none
	PersonalEmail string
	Phone         string // E.164, or empty
	Locale        Locale
	Notifications Notifications
	Active        bool
	CreatedAt     time.Time
}

// AlertEmail is the address alerts go to: the personal one when the user opted in and has one.
func (u *User) AlertEmail() string {
	if u.Notifications.UsePersonalEmail && u.PersonalEmail != "" {
		return u.PersonalEmail
	}
	return u.Email
}

// AlertChannels are the channels, besides in-app, a person wants news of their leads on.
func (u *User) AlertChannels() []Channel {
	var channels []Channel
	if u.Notifications.Email {
		channels = append(channels, ChannelEmail)
	}
	if u.Notifications.SMS && u.Phone != "" {
		channels = append(channels, ChannelSMS)
	}
	return channels
}

// Absence is a span of time when a user does not work.
type Absence struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	StartsAt  time.Time
	EndsAt    time.Time
	Reason    string
	CreatedAt time.Time
}

// Principal is the authenticated caller of an operation.
type Principal struct {
	OrgID   uuid.UUID
	Role    Role
	UserID  uuid.UUID   // uuid.Nil for partner keys
	TokenID uuid.UUID   // the session token or API key used
	SiteIDs []uuid.UUID // the user's sites (what a manager manages)
	Scopes  []Scope     // partner keys only
	// RequestsPerMinute is the credential's own request budget; 0 for the default of its kind.
	RequestsPerMinute int
}

// HasScope reports whether a partner key carries scope s. People have no scopes.
func (p Principal) HasScope(s Scope) bool {
	for _, have := range p.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// InSite reports whether siteID is one of the principal's sites.
func (p Principal) InSite(siteID uuid.UUID) bool {
	for _, id := range p.SiteIDs {
		if id == siteID {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the principal administers the organisation.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// APIKey is a partner API key, without its secret.
type APIKey struct {
	ID        uuid.UUID
	Name      string
	Scopes    []Scope
	Prefix    string
	CreatedAt time.Time
	RevokedAt *time.Time
	// RequestsPerMinute is the key's own request budget; 0 for the server's default.
	RequestsPerMinute int
	// ExpiresAt is when the key stops working; nil for a key that works until it is revoked.
	ExpiresAt *time.Time
}

// SessionTTL is how long a login token stays valid.
const SessionTTL = 30 * 24 * time.Hour

// NewUser is what it takes to create a user.
type NewUser struct {
	User
	Password string // empty: the user cannot log in until one is set
}

// UserChange lists what to change on a user; nil fields stay as they are.
type UserChange struct {
	DisplayName   *string
	Role          *Role
	ManagerID     *uuid.UUID // uuid.Nil removes the manager
	SiteIDs       *[]uuid.UUID
	PersonalEmail *string
	Phone         *string
	Locale        *Locale
	Notifications *Notifications
	Active        *bool
	Password      *string
	// CurrentPassword proves a person's own password change; it changes nothing itself.
	CurrentPassword *string
}

// AdminOnly reports whether the change touches what only an admin may change.
func (c UserChange) AdminOnly() bool {
	return c.Role != nil || c.ManagerID != nil || c.SiteIDs != nil || c.Active != nil || c.DisplayName != nil
}

// set assigns *src to *dst when src is not nil: the shape of every partial update.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// Apply changes u as c says.
func (c UserChange) Apply(u *User) {
	set(&u.DisplayName, c.DisplayName)
	set(&u.Role, c.Role)
	set(&u.ManagerID, c.ManagerID)
	set(&u.SiteIDs, c.SiteIDs)
	set(&u.PersonalEmail, c.PersonalEmail)
	set(&u.Phone, c.Phone)
	set(&u.Locale, c.Locale)
	set(&u.Notifications, c.Notifications)
	set(&u.Active, c.Active)
}
