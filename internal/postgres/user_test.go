package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// cancelAt cancels a request's context when the request reads its n-th user (UserGet), as a
// client hanging up or a dropped connection would, in the middle of its transaction.
type cancelAt struct {
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *cancelAt) arm(n int, cancel context.CancelFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.cancel = n, cancel
}

func (c *cancelAt) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil && strings.Contains(data.SQL, "-- name: UserGet :one") {
		if c.n--; c.n == 0 {
			c.cancel()
			c.cancel = nil
		}
	}
	return ctx
}

func (c *cancelAt) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestAUserReferenceIsBadInputOnlyWhenTheUserDoesNotExist(t *testing.T) {
	t.Parallel()
	tracer := &cancelAt{}
	db := testenv.Open(t, postgres.WithQueryTracer(tracer))
	w := testenv.NewWorld(t, db)
	lead := w.Lead(t, "Jean", uuid.Nil)
	admin := w.As(w.Admin)
	cases := []struct {
		name  string
		field string
		nth   int // the UserGet that reads the reference
		call  func(ctx context.Context, user uuid.UUID) error
	}{
		{"CreateLead", "assignee_id", 1, func(ctx context.Context, user uuid.UUID) error {
			_, _, err := db.CreateLead(ctx, admin, relance.NewLead{
				IdempotencyKey: uuid.NewString(), SiteID: w.Lyon.ID, Source: "web", Contact: relance.Contact{Name: "Ana"}, AssigneeID: user,
			})
			return err
		}},
		{"AssignLead", "assignee_id", 1, func(ctx context.Context, user uuid.UUID) error {
			_, err := db.AssignLead(ctx, admin, lead.ID, user)
			return err
		}},
		{"CreateCounterparty", "responsible_id", 1, func(ctx context.Context, user uuid.UUID) error {
			_, err := db.CreateCounterparty(ctx, admin, relance.Counterparty{SiteID: w.Lyon.ID, Kind: "person", Name: "Ana", ResponsibleID: user})
			return err
		}},
		{"UpdateUser", "manager_id", 2, func(ctx context.Context, user uuid.UUID) error {
			_, err := db.UpdateUser(ctx, admin, w.Alice.ID, relance.UserChange{ManagerID: &user})
			return err
		}},
	}
	for _, c := range cases {
		err := c.call(ctx, uuid.New())
		var de *relance.Error
		if !errors.As(err, &de) || de.Code != relance.CodeInvalid || len(de.Violations) != 1 || de.Violations[0].Field != c.field {
			t.Errorf("%s with an unknown user: %v, want invalid %s", c.name, err, c.field)
		}
		cctx, cancel := context.WithCancel(ctx)
		tracer.arm(c.nth, cancel)
		err = c.call(cctx, w.Bob.ID)
		cancel()
		if !errors.Is(err, context.Canceled) || relance.ErrorCode(err) != "" {
			t.Errorf("%s cancelled while reading the user: %v (code %q), want context.Canceled", c.name, err, relance.ErrorCode(err))
		}
	}
}
