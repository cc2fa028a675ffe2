package postgres_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/testenv"
)

func TestAPipelineSendsItsReadsInOneRoundTripAndEachReadsItsOwnAnswer(t *testing.T) {
	t.Parallel()
	trace := &statements{}
	store := testenv.Open(t, postgres.WithQueryTracer(trace))
	w := testenv.NewWorld(t, store)
	var site, email string
	var absent int
	siteRead := func(q *db.Queries) error {
		row, err := q.SiteGetWithHours(ctx, w.Lyon.ID)
		site = row.Site.Name
		return err
	}
	userRead := func(q *db.Queries) error {
		row, err := q.UserGet(ctx, w.Alice.ID)
		email = row.User.Email
		return err
	}
	absencesRead := func(q *db.Queries) error {
		rows, err := q.AbsenceListForUsers(ctx, db.AbsenceListForUsersParams{UserIds: []uuid.UUID{w.Alice.ID}})
		absent = len(rows)
		return err
	}
	trace.take()
	if err := store.Pipeline(ctx, w.Org.ID, siteRead, userRead, absencesRead); err != nil {
		t.Fatal(err)
	}
	if site != "Lyon" || email != w.Alice.Email || absent != 0 {
		t.Fatalf("read %q, %q, %d absences; want Lyon, %q, 0", site, email, absent, w.Alice.Email)
	}
	got := trace.take()
	if len(got) != 3 || got[1] != "pipeline(SiteGetWithHours UserGet AbsenceListForUsers)" {
		t.Fatalf("round trips: %s; want begin, one pipeline of the three reads, commit", strings.Join(got, ", "))
	}

	// A read that finds nothing fails the pipeline with its own error; the reads after it read
	// nothing.
	email = ""
	missing := func(q *db.Queries) error {
		_, err := q.SiteGetWithHours(ctx, uuid.New())
		return err
	}
	if err := store.Pipeline(ctx, w.Org.ID, missing, userRead); !errors.Is(err, pgx.ErrNoRows) || email != "" {
		t.Fatalf("a missing site gives %v (and the next read %q), want pgx.ErrNoRows and nothing", err, email)
	}

	// A read must send exactly one statement: two, or none, is refused before anything is sent.
	two := func(q *db.Queries) error {
		_, _ = q.SiteGetWithHours(ctx, w.Lyon.ID)
		_, err := q.UserGet(ctx, w.Alice.ID)
		return err
	}
	none := func(*db.Queries) error { return nil }
	for _, bad := range []func(*db.Queries) error{two, none} {
		trace.take()
		if err := store.Pipeline(ctx, w.Org.ID, siteRead, bad); err == nil {
			t.Fatal("a read sending other than one statement was sent")
		}
		if got := trace.take(); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "pipeline(") }) {
			t.Fatalf("a pipeline with a bad read was sent: %s", strings.Join(got, ", "))
		}
	}
}
