-- name: TimerCreate :exec
INSERT INTO timers (id, org_id, kind, subject_id, ref, due_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7);

-- name: TimerGetForUpdate :one
SELECT * FROM timers WHERE id = $1 FOR UPDATE;

-- name: TimerFinish :exec
UPDATE timers SET state = $2, fired_at = $3, updated_at = $3 WHERE id = $1;

-- name: TimerReschedule :one
UPDATE timers SET due_at = $2, version = version + 1, updated_at = $3
WHERE id = $1 AND state = 'pending'
RETURNING *;

-- name: TimerCancelBySubject :exec
UPDATE timers SET state = 'cancelled', updated_at = $3
WHERE subject_id = $1 AND kind = $2 AND state = 'pending';

-- name: TimerListDue :many
SELECT id::uuid AS id, org_id::uuid AS org_id, version::integer AS version, due_at::timestamptz AS due_at
FROM timer_list_due(sqlc.arg(before)::timestamptz, sqlc.arg(after_due)::timestamptz,
  sqlc.arg(after_id)::uuid, sqlc.arg(row_limit)::integer);

-- name: TimerCreateKeyed :execrows
-- Writes nothing (0 rows) when a live timer with the same key exists, pending or done.
INSERT INTO timers (id, org_id, kind, subject_id, ref, due_at, key, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
ON CONFLICT (org_id, key) WHERE key IS NOT NULL AND state <> 'cancelled' DO NOTHING;

-- name: TimerCancelByKind :exec
UPDATE timers SET state = 'cancelled', updated_at = $2 WHERE kind = $1 AND state = 'pending';

-- name: DigestUsersMissing :many
SELECT org_id::uuid AS org_id, user_id::uuid AS user_id FROM digest_users_missing(sqlc.arg(after_org)::uuid, sqlc.arg(after_user)::uuid, sqlc.arg(row_limit)::integer);

-- name: TimerCancelAllBySubject :exec
UPDATE timers SET state = 'cancelled', updated_at = $2 WHERE subject_id = $1 AND state = 'pending';
