package queue

import (
	"cmp"
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
	// Epoch returns a mark the queue keeps as long as it keeps its tasks: a new mark means it
	// may have lost some (see Client.Epoch).
	Epoch(ctx context.Context) (string, error)
}

// sweepPage is how many due timers one query returns.
const sweepPage = 1000

// DefaultRecheck is how long the sweeper trusts the queue to hold a task it handed over.
const DefaultRecheck = time.Minute

// Sweeper periodically re-enqueues pending timers due soon. Enqueueing is idempotent (task ids
// are deterministic), so this only matters for timers whose task Redis lost (restart, flush) or
// never got (enqueue after commit failed): they fire at most one interval late.
//
// A timer it handed over once is not handed over again at every sweep while it waits (at 09:00
// a backlog of thousands would be, every interval, at a Redis round trip each): only once
// Recheck has passed, or at once when the queue's epoch changed (Redis restarted, failed over
// or was flushed). A task lost otherwise comes back within Recheck.
type Sweeper struct {
	Timers    DueLister
	Planner   Planner // optional: run before each sweep
	Scheduler Scheduler
	Interval  time.Duration
	Recheck   time.Duration // DefaultRecheck when 0
	Now       func() time.Time
	Log       *slog.Logger

	epoch  string
	handed map[string]time.Time // task id → when it was last handed to the queue, in epoch
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

// Sweep enqueues every pending timer due before now + Interval that it did not hand to the
// queue within Recheck in the same epoch, and returns how many it handed over (including those
// the queue already held).
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	epoch, err := s.Scheduler.Epoch(ctx)
	if err != nil {
		return 0, err
	}
	if epoch != s.epoch {
		s.epoch, s.handed = epoch, nil
	}
	now := s.Now()
	recheck := cmp.Or(s.Recheck, DefaultRecheck)
	handed := make(map[string]time.Time, len(s.handed)) // the timers still due; the others fired
	defer func() { s.handed = handed }()
	var after relance.TimerRef
	total := 0
	for {
		page, err := s.Timers.TimersDue(ctx, now.Add(s.Interval), after, sweepPage)
		if err != nil {
			return total, err
		}
		fresh := make([]relance.TimerRef, 0, len(page))
		for _, ref := range page {
			id := TaskID(ref)
			if at, ok := s.handed[id]; ok && now.Sub(at) < recheck {
				handed[id] = at
				continue
			}
			fresh = append(fresh, ref)
		}
		if err := s.Scheduler.Schedule(ctx, fresh); err != nil {
			return total, err
		}
		for _, ref := range fresh {
			handed[TaskID(ref)] = now
		}
		total += len(fresh)
		if len(page) < sweepPage {
			return total, nil
		}
		after = page[len(page)-1]
	}
}
