package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// DueLister lists pending timers due before an instant, page by page (postgres.DB).
type DueLister interface {
	TimersDue(ctx context.Context, before time.Time, after relance.TimerRef, limit int) ([]relance.TimerRef, error)
}

// Planner writes periodic obligations nobody planned yet, such as daily digests (postgres.DB).
type Planner interface {
	PlanTimers(ctx context.Context) (int, error)
}

// Scheduler enqueues timers (Client).
type Scheduler interface {
	Schedule(ctx context.Context, timers []relance.TimerRef) error
}

// sweepPage is how many due timers one query returns.
const sweepPage = 1000

// Sweeper periodically re-enqueues pending timers due soon. Enqueueing is idempotent (task ids
// are deterministic), so this only matters for timers whose task Redis lost (restart, flush) or
// never got (enqueue after commit failed): they fire at most one interval late.
type Sweeper struct {
	Timers    DueLister
	Planner   Planner // optional: run before each sweep
	Scheduler Scheduler
	Interval  time.Duration
	Now       func() time.Time
	Log       *slog.Logger
}

// Run sweeps every Interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	for {
		if s.Planner != nil {
			if _, err := s.Planner.PlanTimers(ctx); err != nil {
				s.Log.Warn("planning failed", "err", err)
			}
		}
		if n, err := s.Sweep(ctx); err != nil {
			s.Log.Warn("sweep failed", "err", err)
		} else if n > 0 {
			s.Log.Debug("sweep", "timers", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Sweep enqueues every pending timer due before now + Interval and returns how many it handed
// to the queue (including those the queue already held).
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	before := s.Now().Add(s.Interval)
	var after relance.TimerRef
	total := 0
	for {
		page, err := s.Timers.TimersDue(ctx, before, after, sweepPage)
		if err != nil {
			return total, err
		}
		if err := s.Scheduler.Schedule(ctx, page); err != nil {
			return total, err
		}
		total += len(page)
		if len(page) < sweepPage {
			return total, nil
		}
		after = page[len(page)-1]
	}
}
