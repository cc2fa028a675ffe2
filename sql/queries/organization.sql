-- name: OrganizationCreate :exec
INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3);

-- name: OrganizationGet :one
SELECT * FROM organizations WHERE id = $1;

-- name: OrganizationSetTenant :exec
SELECT set_config('app.org_id', sqlc.arg(org_id)::text, true);

-- name: OrganizationUpdate :exec
UPDATE organizations SET name = $2, digest_minute = $3, send_minute = $4, sms_daily_cap = $5,
  email_daily_cap = $6, recipient_daily_cap = $7
WHERE id = $1;
