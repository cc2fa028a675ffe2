package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// RetentionStore claims periodic jobs and deletes old rows (postgres.DB).
type RetentionStore interface {
	ClaimMaintenance(ctx context.Context, job string, every time.Duration) (bool, error)
	Prune(ctx context.Context, cutoffs []relance.Cutoff, batch, maxBatches int) (map[relance.RetentionKind]int, error)
}

// Retention defaults: 5,000 rows a statement, at most 200 statements a kind and a run (a million
// rows of each kind an interval; a backlog goes over several runs).
const (
	retentionBatch      = 5000
	retentionMaxBatches = 200
)

// Pruner deletes old finished rows once every Every, across all the workers of a deployment:
// each worker asks at every tick and Postgres lets one of them run (ClaimMaintenance).
type Pruner struct {
	Store     RetentionStore
	Retention relance.Retention
	Every     time.Duration
	Now       func() time.Time
	Log       *slog.Logger
	// Batch and MaxBatches bound one run (defaults 5,000 and 200).
	Batch, MaxBatches int
}

// Run prunes until ctx ends, checking every minute (or Every, when shorter) whether a run is due.
func (p *Pruner) Run(ctx context.Context) {
	tick := time.NewTicker(min(p.Every, time.Minute))
	defer tick.Stop()
	for {
		if _, err := p.RunOnce(ctx); err != nil && ctx.Err() == nil {
			p.Log.Warn("retention failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunOnce prunes when this process wins the interval's run, and returns how many rows of each
// kind went (nil when another process ran it, or nothing is to be pruned).
func (p *Pruner) RunOnce(ctx context.Context) (map[relance.RetentionKind]int, error) {
	cutoffs := p.Retention.Cutoffs(p.Now())
	if len(cutoffs) == 0 {
		return nil, nil
	}
	ok, err := p.Store.ClaimMaintenance(ctx, "retention", p.Every)
	if err != nil || !ok {
		return nil, err
	}
	batch, maxBatches := p.Batch, p.MaxBatches
	if batch <= 0 {
		batch = retentionBatch
	}
	if maxBatches <= 0 {
		maxBatches = retentionMaxBatches
	}
	deleted, err := p.Store.Prune(ctx, cutoffs, batch, maxBatches)
	total := 0
	for _, n := range deleted {
		total += n
	}
	if total > 0 {
		p.Log.Info("retention", "deleted", total, "by_kind", deleted)
	}
	return deleted, err
}
