-- +goose Up
-- A partner API key may carry its own request budget (requests a minute); 0 means the server's
-- default for API keys. Authentication reads it with the key, in the same round trip.
ALTER TABLE api_tokens ADD COLUMN requests_per_minute integer NOT NULL DEFAULT 0
  CHECK (requests_per_minute >= 0);

DROP FUNCTION auth_token_lookup(bytea, timestamptz);
CREATE FUNCTION auth_token_lookup(p_hash bytea, p_now timestamptz)
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
REVOKE ALL ON FUNCTION auth_token_lookup(bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_token_lookup(bytea, timestamptz) TO relance_app;

-- +goose Down
DROP FUNCTION auth_token_lookup(bytea, timestamptz);
CREATE FUNCTION auth_token_lookup(p_hash bytea, p_now timestamptz)
RETURNS TABLE (org_id uuid, token_id uuid, kind text, user_id uuid, scopes text[], role text, site_ids uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT t.org_id, t.id, t.kind, t.user_id, t.scopes, u.role,
         ARRAY(SELECT s.site_id FROM user_sites s WHERE s.user_id = t.user_id ORDER BY s.site_id)
  FROM api_tokens t
  LEFT JOIN users u ON u.id = t.user_id
  WHERE t.secret_hash = p_hash
    AND t.revoked_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > p_now)
    AND (t.kind = 'api_key' OR u.active)
$$;
REVOKE ALL ON FUNCTION auth_token_lookup(bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_token_lookup(bytea, timestamptz) TO relance_app;
ALTER TABLE api_tokens DROP COLUMN requests_per_minute;
