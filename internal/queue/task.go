// Package queue is the asynq adapter: it delivers timers from the Postgres ledger at their
// instant. It holds no state of its own; Postgres decides what is due, this package only makes
// the decision happen on time (enqueue after commit, a sweeper for anything Redis lost, and a
// handler that fires the timer).
package queue

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/relancehq/relance/internal/relance"
)

// TypeTimer is the only task type: "fire this timer row, at this version".
const TypeTimer = "timer:fire"

// timerPayload is the whole content of a task: which row and which version. Everything else is
// re-read from the row when the task runs.
type timerPayload struct {
	Org     uuid.UUID `json:"org"`
	Timer   uuid.UUID `json:"timer"`
	Version int       `json:"v"`
	// Trace is the trace context of the code that scheduled the timer (W3C traceparent), when
	// tracing is on: the span of the task that fires it joins that trace.
	Trace map[string]string `json:"tc,omitempty"`
}

// TaskID is the deterministic id of a timer's task, so that enqueueing it twice is harmless.
// A new version (a rescheduled timer) is a new task.
func TaskID(ref relance.TimerRef) string {
	return fmt.Sprintf("timer:%s:%d", ref.ID, ref.Version)
}

// NewTimerTask returns the task that fires ref at its instant in queue: at once when the instant
// is not after now, else scheduled for it.
func NewTimerTask(ref relance.TimerRef, queue string, now time.Time) (*asynq.Task, []asynq.Option) {
	return newTimerTask(ref, queue, now, nil)
}

// newTimerTask is NewTimerTask carrying the trace context trace (none when nil).
func newTimerTask(ref relance.TimerRef, queue string, now time.Time, trace map[string]string) (*asynq.Task, []asynq.Option) {
	payload, _ := json.Marshal(timerPayload{Org: ref.OrgID, Timer: ref.ID, Version: ref.Version, Trace: trace}) // cannot fail
	opts := []asynq.Option{asynq.TaskID(TaskID(ref)), asynq.Queue(queue), asynq.MaxRetry(25)}
	if ref.DueAt.After(now) {
		// asynq keeps whole seconds, rounding down: the task may come up to a second early,
		// and its handler waits in place for the instant (see TimerHandler), firing the
		// organisation's other due timers when it does. Rounding up instead made every timer
		// up to a second late.
		opts = append(opts, asynq.ProcessAt(ref.DueAt))
	}
	return asynq.NewTask(TypeTimer, payload), opts
}

// parseTimerTask decodes a task's payload; it returns an error wrapping asynq.SkipRetry when
// the payload is malformed, as no retry can fix it.
func parseTimerTask(t *asynq.Task) (relance.TimerRef, map[string]string, error) {
	var p timerPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Timer == uuid.Nil || p.Org == uuid.Nil {
		return relance.TimerRef{}, nil, fmt.Errorf("bad timer payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	return relance.TimerRef{ID: p.Timer, OrgID: p.Org, Version: p.Version}, p.Trace, nil
}
