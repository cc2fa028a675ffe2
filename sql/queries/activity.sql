-- name: ActivityCreate :exec
INSERT INTO activities (id, org_id, lead_id, kind, origin, state, due_at, done_at, actor_id,
  content, direction, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);

-- name: ActivityLastContact :one
-- When the lead was last contacted, either way, by a person or by the system.
SELECT done_at FROM activities WHERE lead_id = $1 AND state = 'done' AND done_at IS NOT NULL
ORDER BY done_at DESC LIMIT 1;

-- name: ActivityListByLead :many
SELECT * FROM activities WHERE lead_id = $1 ORDER BY created_at, id;

-- name: ActivityGetForUpdate :one
SELECT * FROM activities WHERE id = $1 FOR UPDATE;

-- name: ActivityGet :one
SELECT * FROM activities WHERE id = $1;

-- name: ActivityFinish :exec
-- Completes (done, with done_at) or skips a planned activity.
UPDATE activities SET state = $2, done_at = $3, actor_id = $4, content = $5 WHERE id = $1;
