-- name: PlanCreate :exec
INSERT INTO plans (id, org_id, name, paused, enrol_sources, enrol_status_id, created_at, updated_at,
  partner_leads_allowed)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8);

-- name: PlanUpdate :exec
UPDATE plans SET name = $2, enrol_sources = $3, enrol_status_id = $4, updated_at = $5,
  partner_leads_allowed = $6
WHERE id = $1;

-- name: PlanSetPaused :exec
UPDATE plans SET paused = $2, updated_at = $3 WHERE id = $1;

-- name: PlanArchive :exec
UPDATE plans SET archived_at = $2, updated_at = $2 WHERE id = $1;

-- name: PlanGet :one
SELECT * FROM plans WHERE id = $1;

-- name: PlanGetForUpdate :one
SELECT * FROM plans WHERE id = $1 FOR UPDATE;

-- name: PlanList :many
SELECT * FROM plans WHERE (sqlc.arg(include_archived)::boolean OR archived_at IS NULL)
ORDER BY lower(name), id;

-- name: PlanListEnrolling :many
-- Running plans that enrol leads from this source or given this status.
SELECT * FROM plans
WHERE archived_at IS NULL AND NOT paused
  AND (sqlc.narg(source)::text = ANY(enrol_sources) OR enrol_status_id = sqlc.narg(status_id))
ORDER BY created_at, id;

-- name: PlanStepDeleteAll :exec
DELETE FROM plan_steps WHERE plan_id = $1;

-- name: PlanStepCreate :exec
INSERT INTO plan_steps (org_id, plan_id, position, kind, automatic, anchor, after_days, min_gap_days,
  send_minute, weekdays, subject, body, assignee)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- name: PlanStepList :many
SELECT * FROM plan_steps WHERE plan_id = ANY(sqlc.arg(plan_ids)::uuid[]) ORDER BY plan_id, position;

-- name: EnrolmentCreate :one
-- Returns no row when the lead already runs the plan.
INSERT INTO enrolments (id, org_id, plan_id, lead_id, state, enrolled_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: EnrolmentGetForUpdate :one
SELECT * FROM enrolments WHERE id = $1 FOR UPDATE;

-- name: EnrolmentUpdate :exec
UPDATE enrolments SET state = $2, step = $3, exit_reason = $4, ended_at = $5, updated_at = $6
WHERE id = $1;

-- name: EnrolmentListByLead :many
SELECT * FROM enrolments WHERE lead_id = $1 ORDER BY enrolled_at, id;

-- name: EnrolmentListRunning :many
-- The enrolments still running, of a lead or of a plan, oldest first.
SELECT * FROM enrolments
WHERE state IN ('active', 'paused')
  AND (lead_id = sqlc.narg(lead_id) OR plan_id = sqlc.narg(plan_id))
ORDER BY enrolled_at, id
FOR UPDATE;

-- name: PlanStats :many
-- Per step of a plan: its actions by outcome, the executed ones the lead answered within the
-- window (a person's contact or an inbound one), and those on leads since won.
SELECT a.step::integer AS step,
       count(*) FILTER (WHERE a.state = 'done')::integer AS executed,
       count(*) FILTER (WHERE a.state = 'skipped')::integer AS skipped,
       count(*) FILTER (WHERE a.state = 'failed')::integer AS failed,
       count(*) FILTER (WHERE a.state = 'scheduled')::integer AS pending,
       count(*) FILTER (WHERE a.state = 'cancelled')::integer AS cancelled,
       count(*) FILTER (WHERE a.state = 'done' AND EXISTS (
         SELECT 1 FROM activities x
         WHERE x.lead_id = a.lead_id AND x.state = 'done' AND x.id IS DISTINCT FROM a.activity_id
           AND (x.direction = 'inbound' OR (x.origin = 'human' AND x.actor_id IS DISTINCT FROM a.done_by))
           AND x.done_at > a.done_at
           AND x.done_at <= a.done_at + make_interval(days => sqlc.arg(window_days)::integer)))::integer AS answered,
       count(*) FILTER (WHERE a.state = 'done' AND l.stage = 'won')::integer AS won,
       -- Manual email and SMS steps are sent when carried out: their messages by outcome.
       count(*) FILTER (WHERE NOT a.automatic AND d.state = 'sent')::integer AS sent,
       count(*) FILTER (WHERE NOT a.automatic AND d.state IN ('failed', 'unknown'))::integer AS not_delivered,
       count(*) FILTER (WHERE NOT a.automatic AND d.state IN ('pending', 'sending'))::integer AS queued
FROM actions a JOIN leads l ON l.id = a.lead_id
LEFT JOIN deliveries d ON d.action_id = a.id AND NOT a.automatic
WHERE a.plan_id = $1
GROUP BY a.step
ORDER BY a.step;
