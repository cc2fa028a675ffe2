-- name: AlertCreate :one
-- Returns no row when an alert with the same key already exists.
INSERT INTO alerts (id, org_id, user_id, kind, lead_id, title, body, key, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING *;

-- name: AlertList :many
SELECT * FROM alerts
WHERE user_id = $1 AND (NOT sqlc.arg(unacked_only)::boolean OR acked_at IS NULL)
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(row_limit);

-- name: AlertListAfter :many
-- The alerts of a user raised after a given one (ids are time-ordered UUIDv7), oldest first.
SELECT * FROM alerts WHERE user_id = $1 AND id > sqlc.arg(after_id) ORDER BY id LIMIT sqlc.arg(row_limit);

-- name: AlertAck :one
UPDATE alerts SET acked_at = COALESCE(acked_at, sqlc.arg(now)::timestamptz)
WHERE id = $1 AND user_id = $2
RETURNING *;
