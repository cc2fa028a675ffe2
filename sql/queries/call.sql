-- name: CallRecord :one
-- Records a call, its entry on the lead's timeline (an activity, done when the call started, by
-- its advisor), its count on the lead (attempts, successful touches, the last attempt) and its
-- audit row ("call.record"), in one round trip; a second call with the same external id records
-- none of them and returns no row.
WITH call AS (
  INSERT INTO calls (id, org_id, lead_id, advisor_id, direction, started_at, duration_seconds, outcome, phone,
    recording_url, external_id, successful, activity_id, recorded_by, created_at, fingerprint)
  VALUES (sqlc.arg(id), sqlc.arg(org_id), sqlc.arg(lead_id), sqlc.narg(advisor_id), sqlc.arg(direction),
    sqlc.arg(started_at), sqlc.arg(duration_seconds), sqlc.arg(outcome), sqlc.arg(phone), sqlc.arg(recording_url),
    sqlc.narg(external_id), sqlc.arg(successful), sqlc.arg(activity_id), sqlc.narg(recorded_by),
    sqlc.arg(created_at), sqlc.arg(fingerprint))
  ON CONFLICT (org_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
  RETURNING id, org_id, lead_id, advisor_id, direction, started_at, activity_id, created_at
), activity AS (
  INSERT INTO activities (id, org_id, lead_id, kind, origin, state, done_at, actor_id, content, direction, created_at)
  SELECT activity_id, org_id, lead_id, sqlc.arg(activity_kind)::text, sqlc.arg(activity_origin)::text,
    sqlc.arg(activity_state)::text, started_at, advisor_id, sqlc.arg(activity_content)::text, direction, created_at
  FROM call
), counted AS (
  UPDATE leads SET call_attempts = call_attempts + sqlc.arg(attempts)::integer,
    successful_touches = successful_touches + sqlc.arg(touches)::integer,
    last_attempt_at = CASE WHEN sqlc.arg(attempts)::integer > 0 THEN greatest(last_attempt_at, call.started_at) ELSE last_attempt_at END
  FROM call WHERE leads.id = call.lead_id
), audited AS (
  INSERT INTO audit_log (org_id, at, actor_kind, actor_id, action, subject_type, subject_id, details)
  SELECT org_id, created_at, sqlc.arg(audit_actor_kind)::text, sqlc.narg(audit_actor_id)::uuid, 'call.record', 'lead',
    lead_id, sqlc.arg(audit_details)::jsonb
  FROM call
)
SELECT id FROM call;

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
