-- name: UnitCreate :exec
INSERT INTO units (id, org_id, site_id, name, active, created_at, updated_at)
VALUES ($1, $2, $3, $4, true, $5, $5);

-- name: UnitUpdate :exec
UPDATE units SET name = $2, active = $3, updated_at = $4 WHERE id = $1;

-- name: UnitGet :one
SELECT * FROM units WHERE id = $1;

-- name: UnitList :many
-- The units of the given sites (all sites when site_ids is null), by site then name.
SELECT * FROM units
WHERE (sqlc.narg(site_ids)::uuid[] IS NULL OR site_id = ANY(sqlc.narg(site_ids)::uuid[]))
ORDER BY site_id, lower(name), id;

-- name: UserSiteSetUnit :execrows
-- Puts a user in a unit at one of their sites (unit_id null: in none).
UPDATE user_sites SET unit_id = sqlc.narg(unit_id) WHERE user_id = $1 AND site_id = $2;

-- name: UnitMembershipList :many
-- Every site membership in a unit, with the unit's name: what labels a lead with its unit.
SELECT us.user_id, us.site_id, u.id AS unit_id, u.name
FROM user_sites us JOIN units u ON u.id = us.unit_id;
