-- +goose Up
-- A fired timer takes the other timers of its organisation already due with it (TimerLockDue):
-- the organisation's pending timers by instant.
CREATE INDEX timers_org_due_idx ON timers (org_id, due_at, id) WHERE state = 'pending';

-- timer_pending reports whether a timer is pending at a version, across tenants, and reveals
-- nothing else: the task of a timer another task fired with its own ends with this one
-- statement, without a transaction.
-- +goose StatementBegin
CREATE FUNCTION timer_pending(p_id uuid, p_version integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM timers WHERE id = p_id AND version = p_version AND state = 'pending')
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION timer_pending(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION timer_pending(uuid, integer) TO relance_app;

-- +goose Down
DROP FUNCTION timer_pending(uuid, integer);
DROP INDEX timers_org_due_idx;
