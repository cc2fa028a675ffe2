package relance

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestFingerprintTellsRequestsApart(t *testing.T) {
	base := NewLead{
		IdempotencyKey: "k", ExternalID: "crm-1", SiteID: uuid.New(), Source: "web", Contact: Contact{Name: "Ana", Phone: "+33600000001"},
	}
	fp := base.Fingerprint()
	same := base
	same.IdempotencyKey = "another key" // the key names the request; it is not part of it
	if !bytes.Equal(same.Fingerprint(), fp) {
		t.Error("the idempotency key changed the fingerprint")
	}
	for name, change := range map[string]func(*NewLead){
		"contact name":  func(n *NewLead) { n.Contact.Name = "Bob" },
		"phone":         func(n *NewLead) { n.Contact.Phone = "+33600000002" },
		"external id":   func(n *NewLead) { n.ExternalID = "crm-2" },
		"site":          func(n *NewLead) { n.SiteID = uuid.New() },
		"source":        func(n *NewLead) { n.Source = "salon" },
		"notes":         func(n *NewLead) { n.Notes = "x" },
		"assignee":      func(n *NewLead) { n.AssigneeID = uuid.New() },
		"receipt time":  func(n *NewLead) { n.ReceivedAt = time.Unix(1e9, 0) },
		"fields' edges": func(n *NewLead) { n.Source, n.SourceGroup = "we", "b" },
	} {
		other := base
		change(&other)
		if bytes.Equal(other.Fingerprint(), fp) {
			t.Errorf("a different %s has the same fingerprint", name)
		}
	}
}

func TestCheckReplayNamesTheLead(t *testing.T) {
	in := NewLead{IdempotencyKey: "k", Source: "web", Contact: Contact{Name: "Ana"}}
	fp := in.Fingerprint()
	lead := Lead{ID: uuid.New(), Source: "web"}
	if err := CheckReplay(&in, fp, &lead, fp); err != nil {
		t.Errorf("a retry: %v", err)
	}
	if err := CheckReplay(&in, fp, &lead, nil); err != nil {
		t.Errorf("a retry of a lead older than fingerprints: %v", err)
	}
	other := in
	other.Contact.Name = "Bob"
	err := CheckReplay(&other, other.Fingerprint(), &lead, fp)
	if ErrorCode(err) != CodeConflict || !bytes.Contains([]byte(err.Error()), []byte(lead.ID.String())) {
		t.Errorf("a different request under the key: %v, want a conflict naming %s", err, lead.ID)
	}
}

func TestCallFingerprint(t *testing.T) {
	base := NewCall{Call: Call{ExternalID: "c-1", AdvisorID: uuid.New(), Direction: Outbound, StartedAt: time.Unix(1e9, 0),
		Duration: 95 * time.Second, Outcome: CallAnswered, Phone: "0612345678"}}
	fp := base.Fingerprint()
	same := base
	same.StartedAt = base.StartedAt.In(time.FixedZone("x", 3600)) // the same instant
	longer := base
	longer.Duration = 96 * time.Second
	prev := Call{ID: uuid.New(), ExternalID: "c-1"}
	if err := CheckCallReplay(same.Fingerprint(), &prev, fp); err != nil {
		t.Errorf("the same call again: %v", err)
	}
	if err := CheckCallReplay(longer.Fingerprint(), &prev, fp); ErrorCode(err) != CodeConflict || !bytes.Contains([]byte(err.Error()), []byte(prev.ID.String())) {
		t.Errorf("another call under the same id: %v, want a conflict naming call %s", err, prev.ID)
	}
}
