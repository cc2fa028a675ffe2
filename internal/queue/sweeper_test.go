package queue_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// dueTimers is a ledger of pending timers, all due.
type dueTimers []relance.TimerRef

func (d dueTimers) TimersDue(_ context.Context, _ time.Time, after relance.TimerRef, limit int) ([]relance.TimerRef, error) {
	var out []relance.TimerRef
	for _, r := range d {
		if after.ID == uuid.Nil || r.ID.String() > after.ID.String() {
			out = append(out, r)
		}
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// handedOver records what the sweeper hands to the queue, under an epoch the test sets.
type handedOver struct {
	epoch string
	got   []relance.TimerRef
}

func (h *handedOver) Schedule(_ context.Context, ts []relance.TimerRef) error {
	h.got = append(h.got, ts...)
	return nil
}

func (h *handedOver) Epoch(context.Context) (string, error) { return h.epoch, nil }

func (h *handedOver) take() int {
	n := len(h.got)
	h.got = nil
	return n
}

func TestTheSweeperHandsAWaitingTimerOverOncePerRecheckOrEpoch(t *testing.T) {
	ledger := make(dueTimers, 2500) // more than a page
	for i := range ledger {
		ledger[i] = relance.TimerRef{ID: uuid.Must(uuid.NewV7()), OrgID: uuid.New(), Version: 1}
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	q := &handedOver{epoch: "a"}
	s := &queue.Sweeper{Timers: ledger, Scheduler: q, Interval: 5 * time.Second, Recheck: time.Minute,
		Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	sweep := func(when string, want int) {
		t.Helper()
		if _, err := s.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := q.take(); got != want {
			t.Fatalf("%s: handed %d timers over, want %d", when, got, want)
		}
	}
	sweep("first sweep", len(ledger))
	now = now.Add(5 * time.Second)
	sweep("while they wait", 0)

	ledger = append(ledger, relance.TimerRef{ID: uuid.Must(uuid.NewV7()), OrgID: uuid.New(), Version: 1})
	s.Timers = ledger
	now = now.Add(5 * time.Second)
	sweep("a timer new since", 1)

	q.epoch = "b" // Redis restarted empty
	sweep("after the queue lost its tasks", len(ledger))

	now = now.Add(30 * time.Second)
	sweep("within the recheck", 0)
	now = now.Add(31 * time.Second)
	sweep("once the recheck passed", len(ledger))

	ledger[0].Version = 2 // rescheduled: a new task
	now = now.Add(5 * time.Second)
	sweep("a rescheduled timer", 1)
}

func TestTheQueueEpochChangesWhenRedisLosesItsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := testenv.OwnRedis(t)
	c := queue.NewClient(rdb, "relance")
	epoch := func() string {
		t.Helper()
		e, err := c.Epoch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	first := epoch()
	if again := epoch(); again != first {
		t.Fatalf("the epoch moved from %q to %q with nothing lost", first, again)
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if after := epoch(); after == first {
		t.Fatalf("the epoch stayed %q after a flush", after)
	}
}
