-- name: TimerCreate :exec
INSERT INTO timers (id, org_id, kind, subject_id, ref, due_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7);

-- name: TimerGetForUpdate :one
SELECT * FROM timers WHERE id = $1 FOR UPDATE;

-- name: TimerLockFree :one
-- The timer, locked, unless another transaction holds it (no row then, as for no timer).
SELECT * FROM timers WHERE id = $1 FOR UPDATE SKIP LOCKED;

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

-- name: TimerListForOperator :many
-- Pending timers across tenants, for the schema owner (relance timers): due before due_before
-- when late_only, of one organisation and one kind when given, in (due, id) order.
SELECT sqlc.embed(t), o.name AS org_name
FROM timers t JOIN organizations o ON o.id = t.org_id
WHERE t.state = 'pending'
  AND (NOT sqlc.arg(late_only)::boolean OR t.due_at < sqlc.arg(due_before)::timestamptz)
  AND (sqlc.narg(org_id)::uuid IS NULL OR t.org_id = sqlc.narg(org_id)::uuid)
  AND (sqlc.arg(kind)::text = '' OR t.kind = sqlc.arg(kind)::text)
ORDER BY t.due_at, t.id
LIMIT sqlc.arg(row_limit)::integer;

-- name: TimerGetForOperator :one
-- One timer and its organisation's name, across tenants, in the same shape as
-- TimerListForOperator's rows.
SELECT sqlc.embed(t), o.name AS org_name FROM timers t JOIN organizations o ON o.id = t.org_id WHERE t.id = $1;

-- name: TimerLeadOf :one
-- The lead a timer is about: its subject, or the lead of its delivery, action or activity.
SELECT l.id, l.org_id, l.site_id, l.contact_name, l.stage, l.assignee_id, l.received_at
FROM leads l
WHERE l.id = (
  SELECT COALESCE(
    (SELECT ld.id FROM leads ld WHERE ld.id = t.subject_id),
    (SELECT d.lead_id FROM deliveries d WHERE d.id = t.subject_id),
    (SELECT a.lead_id FROM actions a WHERE a.id = t.subject_id),
    (SELECT ac.lead_id FROM activities ac WHERE ac.id = t.subject_id))
  FROM timers t WHERE t.id = $1);

-- name: TimerRearm :one
-- Makes a done timer pending again, due at once, under a new version (a new task id).
UPDATE timers SET state = 'pending', due_at = $2, version = version + 1, fired_at = NULL, updated_at = $2
WHERE id = $1 AND state = 'done'
RETURNING *;

-- name: TimerLockDue :many
-- Pending timers of one organisation due by now, of the kinds given, other than skip_id, oldest
-- first, locked; those another transaction holds are skipped.
SELECT * FROM timers
WHERE org_id = @org_id AND state = 'pending' AND due_at <= @now AND kind = ANY(@kinds::text[]) AND id <> @skip_id
ORDER BY due_at, id
LIMIT @row_limit::integer
FOR UPDATE SKIP LOCKED;

-- name: TimerLockMany :exec
-- Locks timers in id order, so that two transactions locking overlapping sets cannot deadlock.
SELECT id FROM timers WHERE id = ANY(@ids::uuid[]) ORDER BY id FOR UPDATE;

-- name: TimerFinishMany :exec
UPDATE timers SET state = 'done', fired_at = @fired_at, updated_at = @fired_at
WHERE id = ANY(@ids::uuid[]) AND state = 'pending';

-- name: TimerPending :one
SELECT timer_pending(sqlc.arg(id)::uuid, sqlc.arg(version)::integer)::boolean AS pending;

-- name: TimerCreateMany :exec
-- Timers, each with its kind, subject, reference and instant, written at once.
INSERT INTO timers (id, org_id, kind, subject_id, ref, due_at, created_at, updated_at)
SELECT unnest(@ids::uuid[]), @org_id::uuid, unnest(@kinds::text[]), unnest(@subject_ids::uuid[]), unnest(@refs::text[]),
  unnest(@due_ats::timestamptz[]), @created_at::timestamptz, @created_at::timestamptz;
