package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// AlertWriter is an open transaction of the application role, scoped to one organisation, that
// writes alerts as the engine does: tests use it to commit alerts in an order of their choosing.
type AlertWriter struct {
	t  testing.TB
	tx pgx.Tx
}

// BeginAlerts opens a transaction on dbURL for org, rolled back when the test ends unless
// committed.
func BeginAlerts(t testing.TB, dbURL string, org uuid.UUID) *AlertWriter {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org.String()); err != nil {
		t.Fatal(err)
	}
	return &AlertWriter{t: t, tx: tx}
}

// Raise writes an alert for user with a fresh UUIDv7 id, and returns the id.
func (w *AlertWriter) Raise(org, user uuid.UUID, title string) uuid.UUID {
	w.t.Helper()
	id := uuid.Must(uuid.NewV7())
	if _, err := w.tx.Exec(context.Background(),
		"INSERT INTO alerts (id, org_id, user_id, kind, title, key, created_at) VALUES ($1, $2, $3, 'lead.assigned', $4, $5, $6)",
		id, org, user, title, "test:"+id.String(), time.Now()); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// Commit commits the transaction.
func (w *AlertWriter) Commit() {
	w.t.Helper()
	if err := w.tx.Commit(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}
