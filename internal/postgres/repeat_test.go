package postgres_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

func TestRepeatInquiriesGoOnTheOpenLeadAndAlertOnce(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 10:00"), postgres.WithLinks(message.NewLinks("https://relance.example/"))) // a Monday
	admin := s.w.As(s.w.Admin)
	days := 30
	if _, err := s.db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &days}); err != nil {
		t.Fatal(err)
	}
	create := func(p relance.Principal, in relance.NewLead) (relance.Lead, relance.LeadOutcome) {
		t.Helper()
		if in.SiteID == [16]byte{} {
			in.SiteID = s.w.Lyon.ID
		}
		if in.Source == "" {
			in.Source = "website"
		}
		l, outcome, err := s.db.CreateLead(ctx, p, in)
		if err != nil {
			t.Fatalf("%s: %v", in.IdempotencyKey, err)
		}
		return l, outcome
	}
	jean := relance.Contact{Name: "Jean", Phone: "+33 6 12 34 56 70", Email: "Jean@Example.com"}
	lead, outcome := create(admin, relance.NewLead{IdempotencyKey: "first", Contact: jean, AssigneeID: s.w.Alice.ID})
	if outcome != relance.LeadCreated {
		t.Fatalf("first inquiry: %v", outcome)
	}
	s.runUntil(paris(t, "2026-12-14 10:01"))

	// Jean writes again through another source, his number written nationally: a repeat of the
	// open lead, on its timeline, once; a retry is the same answer.
	again := relance.NewLead{
		IdempotencyKey: "second", SiteID: s.w.Lyon.ID, Source: "leboncoin", Notes: "still interested?",
		Contact: relance.Contact{Name: "Jean D.", Phone: "06 12 34 56 70"},
	}
	for range 2 {
		got, outcome := create(admin, again)
		if outcome != relance.LeadRepeated || got.ID != lead.ID {
			t.Fatalf("repeat: %v on %s, want the open lead %s", outcome, got.ID, lead.ID)
		}
	}
	again.Notes = "another request under the same key"
	if _, _, err := s.db.CreateLead(ctx, admin, again); relance.ErrorCode(err) != relance.CodeConflict {
		t.Errorf("the repeat's key with a different request: %v, want conflict", err)
	}
	// By email alone, in another case.
	if got, outcome := create(admin, relance.NewLead{IdempotencyKey: "third", Contact: relance.Contact{Name: "Jean", Email: "jean@example.com"}}); outcome != relance.LeadRepeated || got.ID != lead.ID {
		t.Fatalf("repeat by email: %v on %s", outcome, got.ID)
	}
	// Someone who may not see the lead learns which lead it is, not whose.
	bob := s.w.As(s.w.Bob)
	if got, outcome := create(bob, relance.NewLead{IdempotencyKey: "bob", Contact: jean}); outcome != relance.LeadRepeated ||
		got.ID != lead.ID || got.Contact.Name != "" || got.AssigneeID != [16]byte{} {
		t.Fatalf("repeat seen by Bob: %v %+v", outcome, got)
	}

	timeline, err := s.db.ListActivities(ctx, admin, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	var inquiries []string
	for _, a := range timeline {
		if a.Kind == relance.KindInquiry {
			if a.Origin != relance.OriginSystem || a.Direction != relance.Inbound {
				t.Errorf("inquiry %+v: want an inbound system entry", a)
			}
			inquiries = append(inquiries, a.Content)
		}
	}
	if len(inquiries) != 3 || !strings.Contains(strings.Join(inquiries, "|"), "Repeat inquiry via leboncoin from Jean D.: still interested?") {
		t.Errorf("inquiries on the timeline: %q", inquiries)
	}
	got, err := s.db.GetLead(ctx, admin, lead.ID)
	if err != nil || got.FirstResponseAt != nil {
		t.Errorf("a repeat is no response: %+v, %v", got.FirstResponseAt, err)
	}

	// Alice is told of each repeat, once, by in-app alert and email, in her language.
	s.runUntil(paris(t, "2026-12-14 10:05"))
	s.runUntil(paris(t, "2026-12-14 10:06")) // firing again sends nothing more
	alerts, err := s.db.ListAlerts(ctx, s.w.As(s.w.Alice), false, 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range alerts {
		if a.Kind == "lead.repeat" {
			n++
		}
	}
	emails, link := 0, "https://relance.example/leads/"+lead.ID.String()
	for _, m := range s.sentTo(s.w.Alice.Email) {
		if !strings.Contains(m.Text, "Open the lead: "+link) || !strings.Contains(m.HTML, `href="`+link+`"`) {
			t.Errorf("%q lacks the link to the lead: %s", m.Subject, m.Text)
		}
		if strings.HasPrefix(m.Subject, "Repeat inquiry: ") {
			emails++
		}
	}
	if n != 3 || emails != 3 {
		t.Errorf("Alice got %d repeat alerts and %d emails, want 3 and 3", n, emails)
	}

	// Elsewhere, closed, off or too old: a new lead.
	if _, outcome := create(admin, relance.NewLead{IdempotencyKey: "paris", SiteID: s.w.Paris.ID, Contact: jean}); outcome != relance.LeadCreated {
		t.Errorf("at another site: %v, want a new lead", outcome)
	}
	off := 0
	if _, err := s.db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &off}); err != nil {
		t.Fatal(err)
	}
	if _, outcome := create(admin, relance.NewLead{IdempotencyKey: "off", Contact: jean}); outcome != relance.LeadCreated {
		t.Errorf("repeats off: %v, want a new lead", outcome)
	}
	one := 1
	if _, err := s.db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &one}); err != nil {
		t.Fatal(err)
	}
	ana := relance.Contact{Name: "Ana", Phone: "+33612345671"}
	old, _ := create(admin, relance.NewLead{IdempotencyKey: "ana-old", Contact: ana, ReceivedAt: s.clock().Add(-50 * time.Hour)})
	if l, outcome := create(admin, relance.NewLead{IdempotencyKey: "ana-new", Contact: ana}); outcome != relance.LeadCreated || l.ID == old.ID {
		t.Errorf("after the repeat window: %v, want a new lead", outcome)
	}
	tooMany := relance.MaxRepeatDays + 1
	if _, err := s.db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &tooMany}); !relance.HasViolation(err, "repeat_days") {
		t.Errorf("repeat days over the maximum: %v", err)
	}

	// The dashboard counts the repeats apart from the leads received in the last 12 hours
	// (first, paris, off, ana-new).
	d, err := s.db.Dashboard(ctx, admin, relance.ReportFilter{}, 12*time.Hour)
	if err != nil || d.Repeats != 3 || d.Received != 4 {
		t.Errorf("dashboard: %+v, %v; want 3 repeats next to 4 leads", d, err)
	}
}

func TestARepeatOfAnUnassignedLeadTellsTheSiteManagers(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 10:00"))
	admin := s.w.As(s.w.Admin)
	days := 30
	if _, err := s.db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &days}); err != nil {
		t.Fatal(err)
	}
	contact := relance.Contact{Name: "Zoé", Email: "zoe@example.com"}
	for _, key := range []string{"first", "second"} {
		if _, _, err := s.db.CreateLead(ctx, admin, relance.NewLead{IdempotencyKey: key, SiteID: s.w.Lyon.ID, Source: "web", Contact: contact}); err != nil {
			t.Fatal(err)
		}
	}
	s.runUntil(paris(t, "2026-12-14 10:05"))
	if got := s.sentTo(s.w.Manager.Email); len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Nouvelle demande : Zoé") {
		t.Errorf("the Lyon manager got %+v, want one repeat email in French", got)
	}
}

// sentTo lists the messages sent to address, oldest first.
func (s *sim) sentTo(address string) []relance.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []relance.Message
	for _, m := range s.sent {
		if m.msg.To == address {
			out = append(out, m.msg)
		}
	}
	return out
}

// The first inquiries of one customer arriving at the same instant, through two connection
// pools (two API processes), make exactly one lead; the others are its repeats. Without the
// customer's lock, each transaction's lookup misses the lead the others have not committed yet.
func TestSimultaneousFirstInquiriesMakeOneLead(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	pools := []*postgres.DB{testenv.OpenURL(t, appURL), testenv.OpenURL(t, appURL)}
	w := testenv.NewWorld(t, pools[0])
	admin := w.As(w.Admin)
	days := relance.DefaultRepeatDays
	if _, err := pools[0].UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &days}); err != nil {
		t.Fatal(err)
	}
	const inquiries = 20
	for _, tc := range []struct {
		name    string
		contact func(i int) relance.Contact
	}{
		{"phone", func(int) relance.Contact { return relance.Contact{Name: "Jean", Phone: "+33612345681"} }},
		{"email, in any case", func(i int) relance.Contact {
			if i%2 == 0 {
				return relance.Contact{Name: "Léa", Email: "lea@example.com"}
			}
			return relance.Contact{Name: "Léa", Email: "LEA@Example.com"}
		}},
		{"phone, with or without email", func(i int) relance.Contact {
			if i%2 == 0 {
				return relance.Contact{Name: "Marc", Phone: "+33612345682"}
			}
			return relance.Contact{Name: "Marc", Phone: "+33612345682", Email: "marc@example.com"}
		}},
	} {
		start := make(chan struct{})
		outcomes := make(chan relance.LeadOutcome, inquiries)
		leads := make(chan uuid.UUID, inquiries)
		var wg sync.WaitGroup
		for i := range inquiries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				lead, outcome, err := pools[i%2].CreateLead(ctx, admin, relance.NewLead{
					IdempotencyKey: fmt.Sprintf("%s-%d", tc.name, i), SiteID: w.Lyon.ID, Source: "website", Contact: tc.contact(i),
				})
				if err != nil {
					t.Errorf("%s, inquiry %d: %v", tc.name, i, err)
					return
				}
				outcomes <- outcome
				leads <- lead.ID
			}()
		}
		close(start)
		wg.Wait()
		close(outcomes)
		close(leads)
		count := map[relance.LeadOutcome]int{}
		for o := range outcomes {
			count[o]++
		}
		ids := map[uuid.UUID]bool{}
		for id := range leads {
			ids[id] = true
		}
		if count[relance.LeadCreated] != 1 || count[relance.LeadRepeated] != inquiries-1 || len(ids) != 1 {
			t.Errorf("%s: %d created, %d repeats on %d leads; want 1 lead and %d repeats on it",
				tc.name, count[relance.LeadCreated], count[relance.LeadRepeated], len(ids), inquiries-1)
		}
	}
}
