-- name: AlertCreate :one
-- Returns no row when an alert with the same key already exists.
INSERT INTO alerts (id, org_id, user_id, kind, lead_id, title, body, key, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING *;

-- name: AlertCreateMany :many
-- AlertCreate for several alerts at once (the nil UUID for no lead); it returns those written.
INSERT INTO alerts (id, org_id, user_id, kind, lead_id, title, body, key, created_at)
SELECT unnest(@ids::uuid[]), @org_id::uuid, unnest(@user_ids::uuid[]), unnest(@kinds::text[]),
  NULLIF(unnest(@lead_ids::uuid[]), '00000000-0000-0000-0000-000000000000'::uuid),
  unnest(@titles::text[]), unnest(@bodies::text[]), unnest(@keys::text[]), @created_at::timestamptz
ON CONFLICT (org_id, key) DO NOTHING
RETURNING id, user_id;

-- name: AlertList :many
SELECT * FROM alerts
WHERE user_id = $1 AND (NOT sqlc.arg(unacked_only)::boolean OR acked_at IS NULL)
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(row_limit);

-- name: AlertListAfter :many
-- The alerts of a user after a stream position, in stream order (writing transaction, then
-- insertion). final is true when the alert's transaction is older than every transaction still
-- running: then no alert can ever appear before it. Final alerts come first in this order.
SELECT sqlc.embed(alerts), (tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint)::boolean AS final
FROM alerts
WHERE user_id = $1 AND (tx, pos) > (sqlc.arg(after_tx)::bigint, sqlc.arg(after_pos)::bigint)
ORDER BY tx, pos
LIMIT sqlc.arg(row_limit);

-- name: AlertStreamMark :one
-- Where a user's stream resumes: the position of the newest alert (by id) at or before mark_id,
-- or of the newest alert by position when mark_id is NULL (0, 0 when none), and the horizon below
-- which every transaction has ended.
SELECT
  COALESCE(m.tx, 0)::bigint AS tx,
  COALESCE(m.pos, 0)::bigint AS pos,
  pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
  SELECT a.tx, a.pos FROM alerts a
  WHERE a.user_id = $1 AND (sqlc.narg(mark_id)::uuid IS NULL OR a.id <= sqlc.narg(mark_id)::uuid)
  ORDER BY CASE WHEN sqlc.narg(mark_id)::uuid IS NULL THEN NULL ELSE a.id END DESC, a.tx DESC, a.pos DESC
  LIMIT 1
) AS m ON true;

-- name: AlertAck :one
UPDATE alerts SET acked_at = COALESCE(acked_at, sqlc.arg(now)::timestamptz)
WHERE id = $1 AND user_id = $2
RETURNING *;
