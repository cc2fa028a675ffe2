-- name: CallCreate :one
-- Records a call; a second call with the same external id records nothing and returns no row.
INSERT INTO calls (id, org_id, lead_id, advisor_id, direction, started_at, duration_seconds, outcome, phone,
  recording_url, external_id, successful, activity_id, recorded_by, created_at, fingerprint)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (org_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
RETURNING *;

-- name: CallGetByExternalID :one
SELECT * FROM calls WHERE external_id = $1;

-- name: CallListByLead :many
SELECT * FROM calls WHERE lead_id = $1 ORDER BY started_at, id;

-- name: CallAttemptsOfLeads :many
-- The outbound calls of some leads, for their cadence.
SELECT lead_id, started_at FROM calls
WHERE lead_id = ANY(sqlc.arg(lead_ids)::uuid[]) AND direction = 'outbound'
ORDER BY lead_id, started_at;

-- name: CadenceRuleList :many
SELECT * FROM cadence_rules ORDER BY site_id NULLS FIRST, source NULLS FIRST;

-- name: CadenceRuleUpsert :one
INSERT INTO cadence_rules (id, org_id, site_id, source, attempts_per_day, days, min_contacts, success_seconds,
  closure_guard, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (org_id, site_id, source) DO UPDATE SET attempts_per_day = EXCLUDED.attempts_per_day,
  days = EXCLUDED.days, min_contacts = EXCLUDED.min_contacts, success_seconds = EXCLUDED.success_seconds,
  closure_guard = EXCLUDED.closure_guard, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: CadenceRuleDelete :execrows
DELETE FROM cadence_rules WHERE site_id IS NOT DISTINCT FROM sqlc.narg(site_id) AND source IS NOT DISTINCT FROM sqlc.narg(source);

-- name: ComplianceLeads :many
-- The open leads of some advisors received since a day, with their site and source, for the
-- compliance report.
SELECT id, site_id, source, assignee_id::uuid AS assignee_id, received_at, successful_touches
FROM leads
WHERE assignee_id = ANY(sqlc.arg(advisor_ids)::uuid[]) AND stage = 'open' AND received_at >= sqlc.arg(since)
  AND received_at < sqlc.arg(until);

-- name: ComplianceCalls :many
-- The outbound calls of some advisors' leads since a day.
SELECT c.lead_id, c.started_at, c.successful FROM calls c JOIN leads l ON l.id = c.lead_id
WHERE l.assignee_id = ANY(sqlc.arg(advisor_ids)::uuid[]) AND l.stage = 'open' AND l.received_at >= sqlc.arg(since)
  AND c.direction = 'outbound' AND c.started_at < sqlc.arg(until);
