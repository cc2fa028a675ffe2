package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
)

// Calendar exposes the calendar builder to the tests of this package.
func (d *DB) Calendar(ctx context.Context, org, siteID, userID uuid.UUID) (*calendar.Calendar, error) {
	var cal *calendar.Calendar
	err := d.inOrg(ctx, org, func(t *tx) error {
		var err error
		cal, err = t.calendar(ctx, siteID, userID)
		return err
	})
	return cal, err
}

// PoolConns is the number of connections in the pool, idle or in use.
func (d *DB) PoolConns() int32 { return d.pool.Stat().TotalConns() }

// ResetPool closes the pool's connections, as a server restart does; the next ones are new.
func (d *DB) ResetPool() { d.pool.Reset() }

// Pipeline runs reads as one pipeline, in a transaction of org.
func (d *DB) Pipeline(ctx context.Context, org uuid.UUID, reads ...func(q *db.Queries) error) error {
	return d.inOrg(ctx, org, func(t *tx) error {
		steps := make([]read, len(reads))
		for i, r := range reads {
			steps[i] = r
		}
		return t.pipeline(ctx, steps...)
	})
}
