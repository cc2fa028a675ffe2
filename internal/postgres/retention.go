package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// ClaimMaintenance reports whether job is this process's to run now: true at most once every
// every across all the processes sharing the database (Postgres decides, one row per job).
func (d *DB) ClaimMaintenance(ctx context.Context, job string, every time.Duration) (bool, error) {
	ok, err := db.New(d.pool).MaintenanceClaim(ctx, db.MaintenanceClaimParams{
		Job: job, Now: d.now().UTC(), Every: pgtype.Interval{Microseconds: every.Microseconds(), Valid: true},
	})
	if err != nil {
		return false, fmt.Errorf("maintenance claim %s: %w", job, err)
	}
	return ok, nil
}

// Prune deletes the rows each cutoff lets go, batch rows per statement and at most maxBatches
// statements per kind (what is left goes at the next run), and returns how many it deleted per
// kind. Each statement commits on its own: pruning holds no lock for long. It returns the counts
// so far and the first error.
func (d *DB) Prune(ctx context.Context, cutoffs []relance.Cutoff, batch, maxBatches int) (map[relance.RetentionKind]int, error) {
	q := db.New(d.pool)
	deleted := map[relance.RetentionKind]int{}
	for _, c := range cutoffs {
		for range maxBatches {
			n, err := q.RetentionPrune(ctx, db.RetentionPruneParams{Kind: string(c.Kind), Before: c.Before, RowLimit: int32(batch)})
			if err != nil {
				return deleted, fmt.Errorf("prune %s: %w", c.Kind, err)
			}
			deleted[c.Kind] += int(n)
			if int(n) < batch {
				break
			}
		}
	}
	return deleted, nil
}
