-- +goose Up
-- The daily digest: its local time per organisation, and unique obligation keys on timers so
-- that one (person, day) digest exists once however many workers plan it.
ALTER TABLE organizations ADD COLUMN digest_minute smallint NOT NULL DEFAULT 540
  CHECK (digest_minute BETWEEN 0 AND 1439);
ALTER TABLE timers ADD COLUMN key text;
CREATE UNIQUE INDEX timers_key ON timers (org_id, key) WHERE key IS NOT NULL AND state <> 'cancelled';

-- digest_users_missing lists active advisors and managers, across tenants, who have no pending
-- digest: the planner gives each their next one.
-- Paged by (org_id, id) after the given pair.
CREATE FUNCTION digest_users_missing(p_after_org uuid, p_after_user uuid, p_limit integer)
RETURNS TABLE (org_id uuid, user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT u.org_id, u.id
  FROM users u
  WHERE u.active AND u.role IN ('advisor', 'manager') AND (u.org_id, u.id) > (p_after_org, p_after_user)
    AND EXISTS (SELECT 1 FROM user_sites s WHERE s.user_id = u.id)
    AND NOT EXISTS (SELECT 1 FROM timers t
                    WHERE t.subject_id = u.id AND t.kind = 'digest.daily' AND t.state = 'pending')
  ORDER BY u.org_id, u.id
  LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION digest_users_missing(uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION digest_users_missing(uuid, uuid, integer) TO relance_app;

-- +goose Down
DROP FUNCTION digest_users_missing(uuid, uuid, integer);
DROP INDEX timers_key;
ALTER TABLE timers DROP COLUMN key;
ALTER TABLE organizations DROP COLUMN digest_minute;
