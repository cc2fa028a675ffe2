package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/relancehq/relance/internal/relance"
)

// TaskState returns the state of a timer's task in the queue ("pending", "scheduled",
// "retry", "archived"…), or "" when the queue does not hold it. It returns an error when Redis
// cannot be read.
func (c *Client) TaskState(ref relance.TimerRef) (string, *asynq.TaskInfo, error) {
	info, err := c.inspector.GetTaskInfo(c.queue, TaskID(ref))
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	return info.State.String(), info, nil
}

// Replay hands a pending timer's task to the queue again under its deterministic id: enqueued
// when the queue lost it, run now when it waits for a retry or was archived after its retries,
// left alone when it is queued or running. The handler is idempotent, so replaying is safe. It
// returns what it did, for a person, or an error when Redis cannot be reached.
func (c *Client) Replay(ctx context.Context, ref relance.TimerRef) (string, error) {
	state, _, err := c.TaskState(ref)
	if err != nil {
		return "", err
	}
	id := TaskID(ref)
	switch state {
	case "":
		if err := c.Schedule(ctx, []relance.TimerRef{ref}); err != nil {
			return "", err
		}
		return fmt.Sprintf("task %s enqueued", id), nil
	case "retry", "archived", "completed":
		if err := c.inspector.RunTask(c.queue, id); err != nil {
			return "", fmt.Errorf("run task %s: %w", id, err)
		}
		return fmt.Sprintf("task %s moved from %s to pending", id, state), nil
	case "scheduled":
		if ref.DueAt.After(c.now()) {
			return fmt.Sprintf("task %s already scheduled for its instant", id), nil
		}
		if err := c.inspector.RunTask(c.queue, id); err != nil {
			return "", fmt.Errorf("run task %s: %w", id, err)
		}
		return fmt.Sprintf("task %s moved from scheduled to pending", id), nil
	default:
		return fmt.Sprintf("task %s already %s: nothing to do", id, state), nil
	}
}
