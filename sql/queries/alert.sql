-- name: AlertCreate :one
-- Returns no row when an alert with the same key already exists.
INSERT INTO alerts (id, org_id, user_id, kind, lead_id, title, body, key, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING *;

-- name: AlertListByUser :many
SELECT * FROM alerts WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(row_limit);
