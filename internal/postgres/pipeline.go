package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relancehq/relance/gen/db"
)

// A read is one statement of a pipeline, written with sqlc's queries: it runs twice, first on a
// queue that keeps its statement and answers nothing (its error is ignored), then on the
// pipeline's results, where it keeps what it reads. It must send exactly one statement.
type read func(q *db.Queries) error

// pipeline sends the reads' statements in one round trip (a pgx batch, in the transaction) and
// lets each read its own result, in order. Each statement runs after the one before it, with its
// own snapshot, exactly as when sent one by one: a lock taken by one is held by the next.
func (t *tx) pipeline(ctx context.Context, reads ...read) error {
	batch := &pgx.Batch{}
	queue := db.New(queued{batch})
	for _, r := range reads {
		before := batch.Len()
		if err := r(queue); !errors.Is(err, errQueued) {
			return fmt.Errorf("postgres: a pipelined read answered %v before being sent", err)
		}
		if n := batch.Len() - before; n != 1 {
			return fmt.Errorf("postgres: a pipelined read sent %d statements, want 1", n)
		}
	}
	results := t.pg.SendBatch(ctx, batch)
	answers := db.New(answered{results})
	for _, r := range reads {
		if err := r(answers); err != nil {
			_ = results.Close()
			return err
		}
	}
	return results.Close()
}

// errQueued is what a query answers while its statement is only queued.
var errQueued = errors.New("postgres: statement queued, not sent yet")

// queued is a db.DBTX that queues each statement in a batch.
type queued struct{ batch *pgx.Batch }

func (q queued) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	q.batch.Queue(sql, args...)
	return pgconn.CommandTag{}, errQueued
}

func (q queued) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	q.batch.Queue(sql, args...)
	return nil, errQueued
}

func (q queued) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	q.batch.Queue(sql, args...)
	return queuedRow{}
}

type queuedRow struct{}

func (queuedRow) Scan(...any) error { return errQueued }

// answered is a db.DBTX that answers each statement with the batch's next result; the statement
// it is given is the one queued in that place.
type answered struct{ results pgx.BatchResults }

func (a answered) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return a.results.Exec()
}

func (a answered) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return a.results.Query()
}

func (a answered) QueryRow(context.Context, string, ...any) pgx.Row {
	return a.results.QueryRow()
}
