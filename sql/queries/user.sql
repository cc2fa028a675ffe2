-- name: UserCreate :exec
INSERT INTO users (id, org_id, email, display_name, role, manager_id, personal_email, phone,
  locale, notify_email, notify_sms, notify_in_app, use_personal_email, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, true, $14, $14);

-- name: UserUpdate :exec
UPDATE users SET display_name = $2, role = $3, manager_id = $4, personal_email = $5, phone = $6,
  locale = $7, notify_email = $8, notify_sms = $9, notify_in_app = $10, use_personal_email = $11,
  active = $12, updated_at = $13
WHERE id = $1;

-- name: UserGet :one
-- A user with their sites (in id order, as UserSiteList) and their unit at each (the nil UUID for
-- none), in one round trip.
SELECT sqlc.embed(users),
  ARRAY(SELECT s.site_id FROM user_sites s WHERE s.user_id = users.id ORDER BY s.site_id)::uuid[] AS site_ids,
  ARRAY(SELECT coalesce(s.unit_id, '00000000-0000-0000-0000-000000000000'::uuid) FROM user_sites s
        WHERE s.user_id = users.id ORDER BY s.site_id)::uuid[] AS unit_ids
FROM users WHERE users.id = $1;

-- name: UserGetMany :many
-- UserGet for several users at once (timers fired together read their people in one go).
SELECT sqlc.embed(users),
  ARRAY(SELECT s.site_id FROM user_sites s WHERE s.user_id = users.id ORDER BY s.site_id)::uuid[] AS site_ids,
  ARRAY(SELECT coalesce(s.unit_id, '00000000-0000-0000-0000-000000000000'::uuid) FROM user_sites s
        WHERE s.user_id = users.id ORDER BY s.site_id)::uuid[] AS unit_ids
FROM users WHERE users.id = ANY(sqlc.arg(ids)::uuid[]);

-- name: UserList :many
SELECT * FROM users
WHERE (sqlc.narg(role)::text IS NULL OR role = sqlc.narg(role))
  AND (sqlc.narg(site_id)::uuid IS NULL
       OR id IN (SELECT user_id FROM user_sites WHERE site_id = sqlc.narg(site_id)))
ORDER BY display_name, id;

-- name: UserSiteDeleteOthers :exec
-- Removes a user from the sites not in site_ids; their unit at the sites they keep stays.
DELETE FROM user_sites WHERE user_id = $1 AND NOT (site_id = ANY(sqlc.arg(site_ids)::uuid[]));

-- name: UserSiteInsert :exec
INSERT INTO user_sites (org_id, user_id, site_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING;

-- name: UserSiteList :many
SELECT * FROM user_sites WHERE user_id = ANY(sqlc.arg(user_ids)::uuid[]) ORDER BY user_id, site_id;

-- name: UserNames :many
SELECT id, display_name FROM users WHERE id = ANY(sqlc.arg(ids)::uuid[]);

-- name: UserLockActiveAdmins :many
-- Locks the organisation's active admins (in id order, so that two callers never deadlock), for
-- a change that could leave none: a concurrent demotion waits, then is counted.
SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE;
