package postgres_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// TestRetentionPrunesOnlyOldFinishedRows writes old and young rows of every kind, finished and
// pending, and checks that a run deletes exactly the old finished ones, in bounded batches, once
// an interval across workers, and keeps forever a kind at 0 days.
func TestRetentionPrunesOnlyOldFinishedRows(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	store := testenv.OpenURL(t, appURL)
	w := testenv.NewWorld(t, store)
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	now := time.Now()
	old, young := now.AddDate(0, 0, -200), now.AddDate(0, 0, -10)
	org := w.Org.ID
	kept, gone := map[string]uuid.UUID{}, map[string]uuid.UUID{}
	mark := func(keep bool, name string, id uuid.UUID) uuid.UUID {
		if keep {
			kept[name] = id
		} else {
			gone[name] = id
		}
		return id
	}
	delivery := func(keep bool, name, state string, at time.Time, endpoint, message *uuid.UUID) uuid.UUID {
		id := mark(keep, "delivery "+name, uuid.New())
		channel := "email"
		if endpoint != nil {
			channel = "webhook"
		}
		exec(`INSERT INTO deliveries (id, org_id, key, channel, recipient, body_text, state, created_at, webhook_endpoint_id, webhook_message_id)
			VALUES ($1, $2, $3, $4, 'x@example.com', 'hi', $5, $6, $7, $8)`, id, org, id.String(), channel, state, at, endpoint, message)
		return id
	}
	delivery(false, "old sent", "sent", old, nil, nil)
	delivery(false, "old failed", "failed", old, nil, nil)
	delivery(false, "old unknown", "unknown", old, nil, nil)
	delivery(true, "old pending", "pending", old, nil, nil)
	delivery(true, "old sending", "sending", old, nil, nil)
	delivery(true, "young sent", "sent", young, nil, nil)

	endpoint := uuid.New()
	exec(`INSERT INTO webhook_endpoints (id, org_id, url, secret, created_at, updated_at) VALUES ($1, $2, 'https://example.com/h', 's', $3, $3)`, endpoint, org, now)
	message := func(keep bool, name string, at time.Time) uuid.UUID {
		id := mark(keep, "webhook message "+name, uuid.New())
		exec(`INSERT INTO webhook_messages (id, org_id, type, payload, created_at) VALUES ($1, $2, 'lead.created', '{}', $3)`, id, org, at)
		return id
	}
	delivered, waiting := message(false, "old delivered", old), message(true, "old undelivered", old)
	message(false, "old without delivery", old)
	message(true, "young", young)
	sentHook := delivery(false, "old sent webhook", "sent", old, &endpoint, &delivered)
	pendingHook := delivery(true, "old pending webhook", "pending", old, &endpoint, &waiting)
	attempt := func(keep bool, name string, del uuid.UUID, at time.Time) {
		id := mark(keep, "webhook attempt "+name, uuid.New())
		exec(`INSERT INTO webhook_attempts (id, org_id, delivery_id, attempt, started_at) VALUES ($1, $2, $3, 1, $4)`, id, org, del, at)
	}
	attempt(false, "old, of a pruned delivery", sentHook, old)
	attempt(false, "old, of a pending delivery", pendingHook, old)
	attempt(true, "young", pendingHook, young)

	timer := func(keep bool, name, state string, at time.Time) {
		id := mark(keep, "timer "+name, uuid.New())
		exec(`INSERT INTO timers (id, org_id, kind, subject_id, due_at, state, created_at, updated_at) VALUES ($1, $2, 'lead.assigned', $3, $4, $5, $4, $4)`,
			id, org, uuid.New(), at, state)
	}
	timer(false, "old done", "done", old)
	timer(false, "old cancelled", "cancelled", old)
	timer(true, "old pending", "pending", old)
	timer(true, "young done", "done", young)

	alert := func(keep bool, name string, at time.Time, acked *time.Time) {
		id := mark(keep, "alert "+name, uuid.New())
		exec(`INSERT INTO alerts (id, org_id, user_id, kind, title, key, created_at, acked_at) VALUES ($1, $2, $3, 'lead.assigned', 't', $4, $5, $6)`,
			id, org, w.Alice.ID, id.String(), at, acked)
	}
	alert(false, "old read", old, &young)
	alert(true, "old unread", old, nil)
	alert(true, "young read", young, &young)

	exec(`INSERT INTO audit_log (org_id, at, actor_kind, action, subject_type) VALUES ($1, $2, 'system', 'old.one', 'lead'), ($1, $2, 'system', 'old.two', 'lead')`, org, old)
	exec(`INSERT INTO message_counts (org_id, day, channel, recipient, sent) VALUES ($1, $2, 'sms', '', 3), ($1, $2, 'sms', '+33600000001', 3), ($1, $3, 'sms', '', 1)`,
		org, old, young)
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := owner.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	audits := count(`SELECT count(*) FROM audit_log`)

	// Audit kept forever (0 days); everything else 180 days. Batches of 2, so every kind takes
	// several statements.
	retention := relance.Retention{}
	for _, k := range relance.RetentionKinds {
		retention[k] = 180
	}
	retention[relance.RetainAudit] = 0
	pruner := &queue.Pruner{Store: store, Retention: retention, Every: time.Hour, Now: time.Now, Log: testenv.Logger(t), Batch: 2, MaxBatches: 100}
	deleted, err := pruner.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[relance.RetentionKind]int{
		relance.RetainDeliveries: 4, relance.RetainWebhookAttempts: 1, relance.RetainWebhookMessages: 2,
		relance.RetainTimers: 2, relance.RetainAlerts: 1, relance.RetainMessageCounts: 2,
	}
	if !maps.Equal(deleted, want) {
		t.Fatalf("deleted %v, want %v", deleted, want)
	}
	exists := func(id uuid.UUID) bool {
		return count(`SELECT (SELECT count(*) FROM deliveries WHERE id = '`+id.String()+`')
			+ (SELECT count(*) FROM webhook_messages WHERE id = '`+id.String()+`')
			+ (SELECT count(*) FROM webhook_attempts WHERE id = '`+id.String()+`')
			+ (SELECT count(*) FROM timers WHERE id = '`+id.String()+`')
			+ (SELECT count(*) FROM alerts WHERE id = '`+id.String()+`')`) == 1
	}
	for name, id := range kept {
		if !exists(id) {
			t.Errorf("%s was deleted", name)
		}
	}
	for name, id := range gone {
		if exists(id) {
			t.Errorf("%s was kept", name)
		}
	}
	if n := count(`SELECT count(*) FROM audit_log`); n != audits {
		t.Errorf("audit rows %d, want %d: kept forever at 0 days", n, audits)
	}
	if n := count(`SELECT count(*) FROM message_counts`); n != 1 {
		t.Errorf("message_counts rows %d, want the young day's 1", n)
	}

	// Within the interval, another worker's run does nothing; after it, one batch of one row
	// per kind at most (the bound), then nothing is left to delete.
	again := &queue.Pruner{Store: store, Retention: relance.Retention{relance.RetainAudit: 180}, Every: time.Hour, Now: time.Now, Log: testenv.Logger(t)}
	if d, err := again.RunOnce(ctx); err != nil || d != nil {
		t.Fatalf("second run within the hour: %v, %v; want nothing", d, err)
	}
	exec(`UPDATE maintenance_runs SET last_at = last_at - interval '2 hours'`)
	again.Batch, again.MaxBatches = 1, 1
	if d, err := again.RunOnce(ctx); err != nil || d[relance.RetainAudit] != 1 {
		t.Fatalf("bounded run: %v, %v; want 1 audit row", d, err)
	}
	if n := count(`SELECT count(*) FROM audit_log`); n != audits-1 {
		t.Errorf("audit rows %d after a bounded run, want %d", n, audits-1)
	}
}

// TestRetentionKeepsTheLastDayWhatever the caller asks: the application role may call the
// pruning function, and must not be able to erase today's audit log or anything else as young.
func TestRetentionKeepsTheLastDay(t *testing.T) {
	t.Parallel()
	appURL, ownerURL := testenv.Database(t)
	w := testenv.NewWorld(t, testenv.OpenURL(t, appURL))
	w.Lead(t, "Jean", w.Alice.ID) // writes an audit row now
	// A finished row of every other kind, an hour old: each would go without the floor.
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	hour, org := time.Now().Add(-time.Hour), w.Org.ID
	endpoint, message, hook := uuid.New(), uuid.New(), uuid.New()
	for _, row := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO deliveries (id, org_id, key, channel, recipient, body_text, state, created_at) VALUES ($1, $2, $4, 'email', 'x@example.com', 'hi', 'sent', $3)`, []any{uuid.New(), org, hour, "email-key"}},
		{`INSERT INTO webhook_endpoints (id, org_id, url, secret, created_at, updated_at) VALUES ($1, $2, 'https://example.com/h', 's', $3, $3)`, []any{endpoint, org, hour}},
		{`INSERT INTO webhook_messages (id, org_id, type, payload, created_at) VALUES ($1, $2, 'lead.created', '{}', $3)`, []any{message, org, hour}},
		{`INSERT INTO deliveries (id, org_id, key, channel, recipient, body_text, state, created_at, webhook_endpoint_id, webhook_message_id)
			VALUES ($1, $2, $6, 'webhook', 'x@example.com', 'hi', 'sent', $3, $4, $5)`, []any{hook, org, hour, endpoint, message, "webhook-key"}},
		{`INSERT INTO webhook_attempts (id, org_id, delivery_id, attempt, started_at) VALUES ($1, $2, $3, 1, $4)`, []any{uuid.New(), org, hook, hour}},
		{`INSERT INTO timers (id, org_id, kind, subject_id, due_at, state, created_at, updated_at) VALUES ($1, $2, 'lead.assigned', $4, $3, 'done', $3, $3)`, []any{uuid.New(), org, hour, uuid.New()}},
		{`INSERT INTO alerts (id, org_id, user_id, kind, title, key, created_at, acked_at) VALUES ($1, $2, $3, 'lead.assigned', 't', $5, $4, $4)`, []any{uuid.New(), org, w.Alice.ID, hour, "alert-key"}},
		{`INSERT INTO message_counts (org_id, day, channel, recipient, sent) VALUES ($1, $2, 'sms', '', 1)`, []any{org, time.Now()}}, // today: an hour ago may be yesterday
	} {
		if _, err := owner.Exec(ctx, row.sql, row.args...); err != nil {
			t.Fatalf("%s: %v", row.sql, err)
		}
	}
	app, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	for _, kind := range relance.RetentionKinds {
		var n int
		if err := app.QueryRow(ctx, `SELECT retention_prune($1, now() + interval '1 year', 100000)`, string(kind)).Scan(&n); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows of the last day pruned, want none", kind, n)
		}
	}
}
