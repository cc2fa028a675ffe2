-- name: OrganizationCreate :exec
INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3);

-- name: OrganizationGet :one
SELECT * FROM organizations WHERE id = $1;

-- name: OrganizationUpdate :exec
UPDATE organizations SET name = $2, digest_minute = $3, send_minute = $4, sms_daily_cap = $5,
  email_daily_cap = $6, recipient_daily_cap = $7, repeat_days = $8, digest_enabled = $9,
  sender_mode = $10
WHERE id = $1;

-- name: OrganizationList :many
-- Every organisation with its head counts; only the schema owner (no row-level security) sees
-- them all.
SELECT o.id, o.name, o.created_at,
  (SELECT count(*) FROM users u WHERE u.org_id = o.id)::bigint AS users,
  (SELECT count(*) FROM sites s WHERE s.org_id = o.id)::bigint AS sites
FROM organizations o
ORDER BY o.created_at, o.id;
