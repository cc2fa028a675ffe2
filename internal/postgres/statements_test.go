package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// statements records the statements a store sends, by their sqlc name ("begin", "commit" and
// other unnamed ones in full).
type statements struct {
	mu    sync.Mutex
	names []string
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	name := strings.TrimSpace(data.SQL)
	if _, after, ok := strings.Cut(name, "-- name: "); ok {
		name, _, _ = strings.Cut(after, " ")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names = append(s.names, name)
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// take returns the statements recorded since the last take.
func (s *statements) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := s.names
	s.names = nil
	return names
}

// The hot paths' statements are counted, so that a change that adds a round trip to them is
// seen: each is a round trip holding a pooled connection. The counts are ceilings.
func TestHotPathsStatementCounts(t *testing.T) {
	t.Parallel()
	trace := &statements{}
	db := testenv.Open(t, postgres.WithQueryTracer(trace))
	w := testenv.NewWorld(t, db)
	admin := w.As(w.Admin)
	days := 30 // repeats on, as by default: the customer's lock and lookup are counted
	if _, err := db.UpdateOrganization(ctx, admin, relance.OrganizationChange{RepeatDays: &days}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, most int) {
		t.Helper()
		if got := trace.take(); len(got) > most {
			t.Errorf("%s sends %d statements, want at most %d: %s", what, len(got), most, strings.Join(got, ", "))
		}
	}
	newLead := func(phone string, assignee uuid.UUID) relance.Lead {
		t.Helper()
		trace.take()
		lead, outcome, err := db.CreateLead(ctx, admin, relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: w.Lyon.ID, Source: "website",
			Contact: relance.Contact{Name: "Jean", Phone: phone}, AssigneeID: assignee,
		})
		if err != nil || outcome != relance.LeadCreated {
			t.Fatalf("CreateLead: %v, %v", outcome, err)
		}
		return lead
	}
	// Begin with the tenant, the customer's lock and lookup, the lead with its audit row, webhook
	// endpoints, distribution rules, plans enrolling by source, commit.
	newLead("+33611111111", uuid.Nil)
	check("CreateLead", 8)
	// With an assignee, no distribution rules but the assignee (with their sites), their
	// alert's timer, the ladder's first reminder (policy, site with its hours and closures, the
	// assignee's absences, which also tell whether they are away).
	lead := newLead("+33622222222", w.Alice.ID)
	check("CreateLead with an assignee", 13)

	call := func() {
		t.Helper()
		trace.take()
		_, created, err := db.RecordCall(ctx, admin, relance.NewCall{LeadID: lead.ID, Call: relance.Call{
			AdvisorID: w.Alice.ID, Direction: relance.Outbound, StartedAt: time.Now().Add(-time.Minute),
			Duration: 42 * time.Second, Outcome: relance.CallAnswered, ExternalID: uuid.NewString(),
		}})
		if err != nil || !created {
			t.Fatalf("RecordCall: %v, %v", created, err)
		}
	}
	// The first answer also computes the response time in the site's hours and stops the ladder.
	call()
	check("RecordCall answering a lead", 10)
	// Begin with the tenant, cadence rules, the locked lead, the advisor, the call (with its
	// timeline entry, the lead's counters and its audit row), webhook endpoints, commit.
	call()
	check("RecordCall", 7)
}
