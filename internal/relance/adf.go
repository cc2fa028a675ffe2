package relance

import (
	"time"

	"github.com/google/uuid"
)

// AdfVendor maps the dealer an ADF document names in <vendor> (by id, or by name without
// case) to a site of the organisation.
type AdfVendor struct {
	ID         uuid.UUID
	VendorID   string // exactly one of VendorID and VendorName is set
	VendorName string
	SiteID     uuid.UUID
	CreatedAt  time.Time
}

// AdfIntakeToken is a per-source credential carried in the intake URL, for lead providers
// that cannot set an Authorization header. It is an API key with scope leads.create; its leads
// get Source, and go to SiteID when a prospect names no vendor (a vendor named but not mapped
// is refused).
type AdfIntakeToken struct {
	ID        uuid.UUID // the API key's id
	Source    string
	SiteID    uuid.UUID // uuid.Nil: only the vendor mapping routes
	Prefix    string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// AdfDocument is the raw ADF document a lead was created from.
type AdfDocument struct {
	LeadID     uuid.UUID
	Content    string
	ReceivedAt time.Time
}

// AdfDocumentEntry is a lead created from an ADF document, as the list of documents shows it.
type AdfDocumentEntry struct {
	LeadID      uuid.UUID
	SiteID      uuid.UUID
	Source      string
	ContactName string
	ReceivedAt  time.Time
}

// AdfOutcome is what became of one prospect of an ADF document.
type AdfOutcome string

// The outcomes of a prospect.
const (
	AdfCreated   AdfOutcome = "created"
	AdfDuplicate AdfOutcome = "duplicate"
	AdfRefused   AdfOutcome = "refused"
	// AdfRepeat: the customer has an open lead at the site; the prospect went on it as a repeat
	// inquiry (see Repeat).
	AdfRepeat AdfOutcome = "repeat"
)
