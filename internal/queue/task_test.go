package queue

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/relancehq/relance/internal/relance"
)

func TestTimerTaskRoundTripAndDeterministicID(t *testing.T) {
	ref := relance.TimerRef{ID: uuid.New(), OrgID: uuid.New(), Version: 3, DueAt: time.Now()}
	task, opts := NewTimerTask(ref, "q", ref.DueAt.Add(-time.Minute))
	if len(opts) != 4 {
		t.Fatalf("a future timer is not scheduled: %d options", len(opts))
	}
	if _, now := NewTimerTask(ref, "q", ref.DueAt); len(now) != 3 {
		t.Fatalf("a due timer is scheduled instead of queued at once: %d options", len(now))
	}
	got, _, err := parseTimerTask(task)
	if err != nil || got.ID != ref.ID || got.OrgID != ref.OrgID || got.Version != 3 {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	if TaskID(ref) != TaskID(got) {
		t.Fatal("task id depends on more than the row and version")
	}
	next := ref
	next.Version++
	if TaskID(next) == TaskID(ref) {
		t.Fatal("a rescheduled timer reuses its old task id")
	}
}

func TestBadPayloadIsNotRetried(t *testing.T) {
	for _, payload := range []string{"", "{", `{"org":"00000000-0000-0000-0000-000000000000"}`} {
		_, _, err := parseTimerTask(asynq.NewTask(TypeTimer, []byte(payload)))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("payload %q: err = %v, want SkipRetry", payload, err)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	if d := retryDelay(1, &relance.NotDueError{Wait: 42 * time.Second}, nil); d != 42*time.Second {
		t.Errorf("not-due retry after %s, want 42s", d)
	}
	if d := retryDelay(0, errors.New("db down"), nil); d != time.Second {
		t.Errorf("first retry after %s, want 1s", d)
	}
	if d := retryDelay(20, errors.New("db down"), nil); d != time.Minute {
		t.Errorf("late retry after %s, want the 1 min cap", d)
	}
}
