package relance

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// IdempotencyScope is whose idempotency keys p's keys are: the API key for a partner, the
// person for people (their session token changes at each login, their retries should not),
// uuid.Nil for the system. Two scopes never share a key.
func (p Principal) IdempotencyScope() uuid.UUID {
	if p.Role == RolePartner {
		return p.TokenID
	}
	return p.UserID
}

// Fingerprint is the SHA-256 of what defines the lead a request creates: every field but the
// idempotency key, which only names the request. Two requests with the same fingerprint ask
// for the same lead; a receipt time left empty ("now") matches another left empty.
func (n *NewLead) Fingerprint() []byte {
	received := ""
	if !n.ReceivedAt.IsZero() {
		received = n.ReceivedAt.UTC().Format(time.RFC3339Nano)
	}
	return fingerprint("lead/v1", n.ExternalID, n.SiteID.String(), n.Source, n.SourceGroup, n.Category,
		n.Contact.Name, n.Contact.Phone, n.Contact.Email, received, n.AssigneeID.String(), n.Notes)
}

// Fingerprint is the SHA-256 of what defines a call to record, its advisor as recorded (the
// caller's own when the request names none).
func (c *NewCall) Fingerprint() []byte {
	return fingerprint("call/v1", c.ExternalID, c.LeadID.String(), c.Phone, c.AdvisorID.String(),
		string(c.Direction), c.StartedAt.UTC().Format(time.RFC3339Nano), c.Duration.String(),
		string(c.Outcome), c.RecordingURL)
}

// fingerprint hashes fields as a JSON array of strings, an unambiguous encoding: no field can
// run into the next.
func fingerprint(fields ...string) []byte {
	canonical, _ := json.Marshal(fields)
	sum := sha256.Sum256(canonical)
	return sum[:]
}

// CheckCallReplay checks that a call whose fingerprint is fp may be answered with call c,
// recorded earlier under the same external id with fingerprint prev (nil for calls older than
// fingerprints, taken on trust). It returns a conflict naming the call when they differ.
func CheckCallReplay(fp []byte, c *Call, prev []byte) error {
	if prev == nil || bytes.Equal(prev, fp) {
		return nil
	}
	return Errorf(CodeConflict, "external call id %q already belongs to call %s on lead %s, recorded from a different request", c.ExternalID, c.ID, c.LeadID)
}

// CheckReplay checks that a request whose fingerprint is fp may be answered with lead l,
// which an earlier request created under the same idempotency key or external id (with
// fingerprint prev; nil for leads older than fingerprints, taken on trust). It returns a
// conflict naming the lead when the two requests differ: the caller reused a key for another
// lead, and answering with l would lose the new one.
func CheckReplay(in *NewLead, fp []byte, l *Lead, prev []byte) error {
	if prev == nil || bytes.Equal(prev, fp) {
		return nil
	}
	if in.ExternalID != "" && l.ExternalID == in.ExternalID && l.Source == in.Source {
		return Errorf(CodeConflict, "external id %q of source %q already belongs to lead %s, created from a different request", in.ExternalID, in.Source, l.ID)
	}
	return Errorf(CodeConflict, "idempotency key %q already created lead %s from a different request; use a new key for a new lead", in.IdempotencyKey, l.ID)
}
