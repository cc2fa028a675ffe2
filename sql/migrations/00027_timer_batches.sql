-- +goose Up
-- A fired timer takes the other timers of its organisation already due with it (TimerLockDue):
-- the organisation's pending timers by instant.
CREATE INDEX timers_org_due_idx ON timers (org_id, due_at, id) WHERE state = 'pending';

-- +goose Down
DROP INDEX timers_org_due_idx;
