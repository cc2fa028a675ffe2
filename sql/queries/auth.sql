-- name: AuthPasswordLookup :one
SELECT org_id::uuid AS org_id, user_id::uuid AS user_id, hash::text AS hash, active::boolean AS active
FROM auth_password_lookup(sqlc.arg(email)::text);

-- name: AuthTokenLookup :one
SELECT org_id::uuid AS org_id, token_id::uuid AS token_id, kind::text AS kind,
  COALESCE(user_id, '00000000-0000-0000-0000-000000000000')::uuid AS user_id,
  scopes::text[] AS scopes, COALESCE(role, '')::text AS role, site_ids::uuid[] AS site_ids,
  requests_per_minute::integer AS requests_per_minute
FROM auth_token_lookup(sqlc.arg(secret_hash)::bytea, sqlc.arg(now)::timestamptz);

-- name: PasswordSet :exec
INSERT INTO passwords (user_id, org_id, hash, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash, updated_at = EXCLUDED.updated_at;

-- name: APITokenCreate :exec
INSERT INTO api_tokens (id, org_id, kind, user_id, name, prefix, secret_hash, scopes, created_at, expires_at,
  requests_per_minute)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: APITokenRevoke :execrows
UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL;

-- name: APITokenListKeys :many
SELECT * FROM api_tokens WHERE kind = 'api_key' ORDER BY created_at, id;

-- name: APITokenGet :one
SELECT * FROM api_tokens WHERE id = $1;

-- name: PasswordGet :one
SELECT hash FROM passwords WHERE user_id = $1;

-- name: APITokenRevokeSessions :execrows
-- Ends a user's sessions, all but keep's (uuid.Nil keeps none).
UPDATE api_tokens SET revoked_at = sqlc.arg(revoked_at)
WHERE user_id = sqlc.arg(user_id) AND kind = 'session' AND revoked_at IS NULL AND id <> sqlc.arg(keep);
