-- name: DecisionCreate :execrows
INSERT INTO decisions (id, org_id, lead_id, advisor_id, manager_id, absent_until, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (lead_id, manager_id) WHERE state = 'pending' DO NOTHING;

-- name: DecisionGetForUpdate :one
SELECT * FROM decisions WHERE id = $1 FOR UPDATE;

-- name: DecisionResolve :exec
UPDATE decisions SET state = $2, reassigned_to = $3, resolved_by = $4, resolved_at = $5 WHERE id = $1;

-- name: DecisionObsoleteForLead :exec
-- A lead reassigned or closed by other means no longer asks its pending questions.
UPDATE decisions SET state = 'obsolete', resolved_at = $2 WHERE lead_id = $1 AND state = 'pending';

-- name: DecisionListPending :many
SELECT * FROM decisions WHERE manager_id = $1 AND state = 'pending' ORDER BY created_at, id;

-- name: UserListManagersOfSite :many
SELECT u.* FROM users u JOIN user_sites s ON s.user_id = u.id
WHERE s.site_id = $1 AND u.role = 'manager' AND u.active
ORDER BY u.id;
