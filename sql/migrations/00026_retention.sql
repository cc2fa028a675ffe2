-- +goose Up
-- Retention: the worker deletes old finished rows in bounded batches. Pending work (timers,
-- deliveries not yet sent or failed, webhook messages still to deliver, unread alerts) is never
-- deleted. Each batch is one short statement, so pruning holds no long lock and leaves room for
-- the application's writes; the indexes below let a batch find its rows without a full scan.
CREATE INDEX deliveries_finished_idx ON deliveries (created_at) WHERE state IN ('sent', 'failed', 'unknown');
CREATE INDEX timers_finished_idx ON timers (updated_at) WHERE state <> 'pending';
CREATE INDEX alerts_read_idx ON alerts (created_at) WHERE acked_at IS NOT NULL;
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX message_counts_day_idx ON message_counts (day);
CREATE INDEX webhook_messages_age_idx ON webhook_messages (created_at);
CREATE INDEX webhook_attempts_age_idx ON webhook_attempts (started_at);

-- When each periodic job last ran, across the deployment: a worker runs a job only when it wins
-- maintenance_claim, so N workers prune once an interval between them.
CREATE TABLE maintenance_runs (
  job     text PRIMARY KEY,
  last_at timestamptz NOT NULL
);

-- maintenance_claim records that p_job runs at p_now and returns true, unless it ran less than
-- p_every before (then false).
CREATE FUNCTION maintenance_claim(p_job text, p_now timestamptz, p_every interval)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  WITH claimed AS (
    INSERT INTO maintenance_runs AS r (job, last_at) VALUES (p_job, p_now)
    ON CONFLICT (job) DO UPDATE SET last_at = p_now WHERE r.last_at <= p_now - p_every
    RETURNING 1
  )
  SELECT count(*) > 0 FROM claimed
$$;

-- The audit log stays append-only for everyone (the application role may not even delete), except
-- for retention_prune's statement, which sets relance.prune for its own length.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('relance.prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd

-- retention_prune deletes at most p_limit rows of one kind older than p_before, across tenants,
-- and returns how many it deleted. Nothing younger than a day goes, whatever p_before says: the
-- application role may call it, and must not be able to empty the audit log of today. Kinds: deliveries (sent, failed or unknown; their webhook
-- attempts go with them), timers (done or cancelled, by last change), alerts (read), audit,
-- message_counts (by day), webhook_messages (no delivery left), webhook_attempts.
-- +goose StatementBegin
CREATE FUNCTION retention_prune(p_kind text, p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  p_before := least(p_before, now() - interval '1 day');
  CASE p_kind
  WHEN 'deliveries' THEN
    DELETE FROM deliveries WHERE id IN (
      SELECT id FROM deliveries
      WHERE state IN ('sent', 'failed', 'unknown') AND created_at < p_before
      ORDER BY created_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  WHEN 'timers' THEN
    DELETE FROM timers WHERE id IN (
      SELECT id FROM timers
      WHERE state <> 'pending' AND updated_at < p_before
      ORDER BY updated_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  WHEN 'alerts' THEN
    DELETE FROM alerts WHERE id IN (
      SELECT id FROM alerts
      WHERE acked_at IS NOT NULL AND created_at < p_before
      ORDER BY created_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  WHEN 'audit' THEN
    PERFORM set_config('relance.prune', 'on', true);
    DELETE FROM audit_log WHERE id IN (
      SELECT id FROM audit_log WHERE at < p_before ORDER BY at LIMIT p_limit FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('relance.prune', 'off', true);
    RETURN n;
  WHEN 'message_counts' THEN
    DELETE FROM message_counts WHERE ctid = ANY (ARRAY(
      SELECT ctid FROM message_counts WHERE day < (p_before AT TIME ZONE 'UTC')::date
      ORDER BY day LIMIT p_limit FOR UPDATE SKIP LOCKED));
  WHEN 'webhook_messages' THEN
    DELETE FROM webhook_messages WHERE id IN (
      SELECT m.id FROM webhook_messages m
      WHERE m.created_at < p_before
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.webhook_message_id = m.id AND d.channel = 'webhook')
      ORDER BY m.created_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  WHEN 'webhook_attempts' THEN
    DELETE FROM webhook_attempts WHERE id IN (
      SELECT id FROM webhook_attempts WHERE started_at < p_before
      ORDER BY started_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  ELSE
    RAISE EXCEPTION 'retention_prune: unknown kind %', p_kind USING ERRCODE = '22023';
  END CASE;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION maintenance_claim(text, timestamptz, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION retention_prune(text, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION maintenance_claim(text, timestamptz, interval) TO relance_app;
GRANT EXECUTE ON FUNCTION retention_prune(text, timestamptz, integer) TO relance_app;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd
DROP FUNCTION retention_prune(text, timestamptz, integer);
DROP FUNCTION maintenance_claim(text, timestamptz, interval);
DROP TABLE maintenance_runs;
DROP INDEX webhook_attempts_age_idx;
DROP INDEX webhook_messages_age_idx;
DROP INDEX message_counts_day_idx;
DROP INDEX audit_log_at_idx;
DROP INDEX alerts_read_idx;
DROP INDEX timers_finished_idx;
DROP INDEX deliveries_finished_idx;
