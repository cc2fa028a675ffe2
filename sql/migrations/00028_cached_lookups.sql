-- +goose Up
-- The cross-tenant reads called once per request or per fired task are PL/pgSQL: a SQL function
-- with SET or SECURITY DEFINER is never inlined, and PostgreSQL plans its body again at every
-- call, which made authenticating a request cost more than inserting a lead. PL/pgSQL keeps its
-- statements' plans for the session. Same arguments, same results, same privileges.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION auth_token_lookup(p_hash bytea, p_now timestamptz)
RETURNS TABLE (org_id uuid, token_id uuid, kind text, user_id uuid, scopes text[], role text, site_ids uuid[],
               requests_per_minute integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  RETURN QUERY
  SELECT t.org_id, t.id, t.kind, t.user_id, t.scopes, u.role,
         ARRAY(SELECT s.site_id FROM user_sites s WHERE s.user_id = t.user_id ORDER BY s.site_id),
         t.requests_per_minute
  FROM api_tokens t
  LEFT JOIN users u ON u.id = t.user_id
  WHERE t.secret_hash = p_hash
    AND t.revoked_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > p_now)
    AND (t.kind = 'api_key' OR u.active);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION timer_pending(p_id uuid, p_version integer) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM timers WHERE id = p_id AND version = p_version AND state = 'pending');
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION auth_token_lookup(p_hash bytea, p_now timestamptz)
RETURNS TABLE (org_id uuid, token_id uuid, kind text, user_id uuid, scopes text[], role text, site_ids uuid[],
               requests_per_minute integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT t.org_id, t.id, t.kind, t.user_id, t.scopes, u.role,
         ARRAY(SELECT s.site_id FROM user_sites s WHERE s.user_id = t.user_id ORDER BY s.site_id),
         t.requests_per_minute
  FROM api_tokens t
  LEFT JOIN users u ON u.id = t.user_id
  WHERE t.secret_hash = p_hash
    AND t.revoked_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > p_now)
    AND (t.kind = 'api_key' OR u.active)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION timer_pending(p_id uuid, p_version integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM timers WHERE id = p_id AND version = p_version AND state = 'pending')
$$;
-- +goose StatementEnd
