-- name: StatusCreate :one
INSERT INTO interaction_statuses (id, org_id, name, sort_order, applies_to, schedules_call,
  call_after_days, terminal, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
RETURNING *;

-- name: StatusGet :one
SELECT * FROM interaction_statuses WHERE id = $1;

-- name: StatusGetForUpdate :one
SELECT * FROM interaction_statuses WHERE id = $1 FOR UPDATE;

-- name: StatusUpdate :one
UPDATE interaction_statuses SET name = $2, sort_order = $3, applies_to = $4, schedules_call = $5,
  call_after_days = $6, terminal = $7, updated_at = $8
WHERE id = $1
RETURNING *;

-- name: StatusArchive :one
UPDATE interaction_statuses SET archived_at = $2, updated_at = $2 WHERE id = $1 RETURNING *;

-- name: StatusDelete :execrows
-- Deletes a status nothing refers to; 0 rows when it is in use (the caller archives it then).
DELETE FROM interaction_statuses s
WHERE s.id = $1
  AND NOT EXISTS (SELECT 1 FROM leads WHERE status_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM counterparties WHERE status_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM actions WHERE status_id = s.id);

-- name: StatusList :many
SELECT * FROM interaction_statuses
WHERE (sqlc.arg(include_archived)::boolean OR archived_at IS NULL)
ORDER BY sort_order, lower(name), id;
