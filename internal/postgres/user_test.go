package postgres_test

import (
	"context"
	"errors"
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

func (c *cancelAt) sent(sql string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil && strings.Contains(sql, "-- name: UserGet :one") {
		if c.n--; c.n == 0 {
			c.cancel()
			c.cancel = nil
		}
	}
}

func (c *cancelAt) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	c.sent(data.SQL)
	return ctx
}

func (c *cancelAt) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A pipeline's statements count as sent when it starts.
func (c *cancelAt) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	for _, q := range data.Batch.QueuedQueries {
		c.sent(q.SQL)
	}
	return ctx
}

func (c *cancelAt) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *cancelAt) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

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

// widenRace holds the first transaction that has counted the active admins until a second one
// has counted them too (or a second has passed, which is what happens when the count waits for
// the first one's lock), so that two demotions overlap as much as they can.
type widenRace struct {
	mu      sync.Mutex
	counted int
	second  chan struct{}
}

type lockQuery struct{}

func (r *widenRace) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.Contains(data.SQL, "-- name: UserLockActiveAdmins") {
		return context.WithValue(ctx, lockQuery{}, true)
	}
	return ctx
}

func (r *widenRace) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if ctx.Value(lockQuery{}) == nil || data.Err != nil {
		return
	}
	r.mu.Lock()
	r.counted++
	n := r.counted
	r.mu.Unlock()
	switch n {
	case 1:
		select {
		case <-r.second:
		case <-time.After(time.Second):
		}
	case 2:
		close(r.second)
	}
}

func TestTwoAdminsDemotingEachOtherLeaveOne(t *testing.T) {
	t.Parallel()
	appURL, _ := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, db)
	promote, demote := relance.RoleAdmin, relance.RoleManager
	if _, err := db.UpdateUser(ctx, w.As(w.Admin), w.Manager.ID, relance.UserChange{Role: &promote}); err != nil {
		t.Fatal(err)
	}
	second := w.As(w.Manager)
	second.Role = relance.RoleAdmin
	race := &widenRace{second: make(chan struct{})}
	traced := testenv.OpenURL(t, appURL, postgres.WithQueryTracer(race))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() {
		_, errs[0] = traced.UpdateUser(ctx, w.As(w.Admin), w.Manager.ID, relance.UserChange{Role: &demote})
	})
	wg.Go(func() { _, errs[1] = traced.UpdateUser(ctx, second, w.Admin.ID, relance.UserChange{Role: &demote}) })
	wg.Wait()
	admins, err := db.ListUsers(ctx, w.As(w.Admin), uuid.Nil, relance.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if len(admins) != 1 || (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("%d admins left, errors %v; want one admin and one refusal", len(admins), errs)
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, relance.CodeFailedPrecondition)
		}
	}
}
