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

// statements records the round trips a store makes: a statement by its sqlc name ("begin",
// "commit" and other unnamed ones in full), a pipeline as "pipeline(" its statements' names ")".
type statements struct {
	mu    sync.Mutex
	names []string
}

func statementName(sql string) string {
	name := strings.TrimSpace(sql)
	if _, after, ok := strings.Cut(name, "-- name: "); ok {
		name, _, _ = strings.Cut(after, " ")
	}
	return name
}

func (s *statements) record(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names = append(s.names, name)
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	s.record(statementName(data.SQL))
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *statements) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	names := make([]string, len(data.Batch.QueuedQueries))
	for i, q := range data.Batch.QueuedQueries {
		names[i] = statementName(q.SQL)
	}
	s.record("pipeline(" + strings.Join(names, " ") + ")")
	return ctx
}

func (s *statements) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (s *statements) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// take returns the statements recorded since the last take.
func (s *statements) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := s.names
	s.names = nil
	return names
}

// The hot paths' round trips are counted, so that a change that adds one is seen: each holds a
// pooled connection and costs both processes. The counts are ceilings.
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
	// Begin with the tenant; one pipeline of the customer's lock and lookup, webhook endpoints,
	// distribution rules and plans enrolling by source; the lead with its audit row; commit.
	newLead("+33611111111", uuid.Nil)
	check("CreateLead", 4)
	// With an assignee, the pipeline reads the assignee, the site with its hours, its ladder and
	// the assignee's absences in place of the distribution rules; then the lead, its assignment
	// alert's timer and the ladder's first reminder.
	lead := newLead("+33622222222", w.Alice.ID)
	check("CreateLead with an assignee", 6)

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
	check("RecordCall answering a lead", 7)
	// Begin with the tenant; one pipeline of the cadence rules, the locked lead, the advisor and
	// webhook endpoints; the call (with its timeline entry, the lead's counters and its audit
	// row); commit.
	call()
	check("RecordCall", 4)
}
