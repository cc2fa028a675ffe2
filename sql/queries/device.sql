-- name: DeviceUpsert :one
-- Registers a device, or refreshes the keys and label of the one a person already registered
-- under the same token or endpoint (a browser renews its subscription keys, an app restarts).
INSERT INTO devices (id, org_id, user_id, kind, token, p256dh, auth, label, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (user_id, token) DO UPDATE
SET kind = EXCLUDED.kind, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, label = EXCLUDED.label
RETURNING *;

-- name: DeviceDeleteTokenOfOthers :exec
-- A token or endpoint reaches whoever registered it last: the person who signed in on a shared
-- phone, not the one before.
DELETE FROM devices WHERE token = $1 AND user_id <> $2;

-- name: DeviceListByUser :many
SELECT * FROM devices WHERE user_id = $1 ORDER BY created_at, id;

-- name: DeviceListByUsers :many
SELECT * FROM devices WHERE user_id = ANY(sqlc.arg(user_ids)::uuid[]) ORDER BY user_id, created_at, id;

-- name: DeviceGet :one
SELECT * FROM devices WHERE id = $1;

-- name: DeviceDelete :execrows
DELETE FROM devices WHERE id = $1 AND user_id = $2;

-- name: DeviceTouch :exec
UPDATE devices SET last_used_at = $2 WHERE id = $1;

-- name: PushPreferencesGet :one
SELECT * FROM push_preferences WHERE user_id = $1;

-- name: PushPreferencesGetMany :many
SELECT * FROM push_preferences WHERE user_id = ANY(sqlc.arg(user_ids)::uuid[]);

-- name: PushPreferencesSet :one
INSERT INTO push_preferences (org_id, user_id, assignments, reminders, due_actions, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id) DO UPDATE
SET assignments = EXCLUDED.assignments, reminders = EXCLUDED.reminders,
  due_actions = EXCLUDED.due_actions, updated_at = EXCLUDED.updated_at
RETURNING *;
