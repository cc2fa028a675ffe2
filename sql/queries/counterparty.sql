-- name: CounterpartyCreate :exec
INSERT INTO counterparties (id, org_id, site_id, kind, name, category, phone, email,
  responsible_id, notes, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11);

-- name: CounterpartyGet :one
SELECT * FROM counterparties WHERE id = $1;

-- name: CounterpartyGetForUpdate :one
SELECT * FROM counterparties WHERE id = $1 FOR UPDATE;

-- name: CounterpartyUpdate :exec
UPDATE counterparties SET name = $2, category = $3, phone = $4, email = $5, responsible_id = $6,
  status_id = $7, notes = $8, updated_at = $9
WHERE id = $1;

-- name: CounterpartyList :many
-- By name; the cursor is the (name, id) of the last row of the previous page. Visibility is part
-- of the filter: a caller passes the sites or the responsible person it may see.
SELECT * FROM counterparties
WHERE (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(visible_responsible_id)::uuid IS NULL OR responsible_id = sqlc.narg(visible_responsible_id))
  AND (sqlc.narg(site_id)::uuid IS NULL OR site_id = sqlc.narg(site_id))
  AND (sqlc.narg(responsible_id)::uuid IS NULL OR responsible_id = sqlc.narg(responsible_id))
  AND (sqlc.narg(status_id)::uuid IS NULL OR status_id = sqlc.narg(status_id))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(after_name)::text IS NULL OR (name, id) > (sqlc.narg(after_name)::text, sqlc.narg(after_id)::uuid))
ORDER BY name, id
LIMIT sqlc.arg(row_limit);
