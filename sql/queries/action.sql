-- name: ActionCreate :one
INSERT INTO actions (id, org_id, lead_id, counterparty_id, origin, status_id, kind, automatic,
  assignee_id, due_at, subject, content, recipients, enrolment_id, plan_id, step, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
RETURNING *;

-- name: ActionMove :exec
UPDATE actions SET due_at = $2, updated_at = $3 WHERE id = $1;

-- name: ActionCancelForEnrolments :many
-- Cancels the pending actions of ended enrolments; returns the ids cancelled.
UPDATE actions SET state = 'cancelled', updated_at = sqlc.arg(updated_at)
WHERE enrolment_id = ANY(sqlc.arg(enrolment_ids)::uuid[]) AND state = 'scheduled'
RETURNING id;

-- name: ActionPendingForEnrolment :many
SELECT * FROM actions WHERE enrolment_id = $1 AND state = 'scheduled' ORDER BY due_at, id;

-- name: ActionGet :one
SELECT * FROM actions WHERE id = $1;

-- name: ActionGetForUpdate :one
SELECT * FROM actions WHERE id = $1 FOR UPDATE;

-- name: ActionUpdate :one
UPDATE actions SET kind = $2, subject = $3, content = $4, recipients = $5, notes = $6, updated_at = $7
WHERE id = $1
RETURNING *;

-- name: ActionFinish :one
UPDATE actions SET state = $2, outcome = $3, notes = $4, done_at = $5, done_by = $6, activity_id = $7,
  updated_at = $8
WHERE id = $1
RETURNING *;

-- name: ActionCancelStatusCall :many
-- Cancels the pending status call of a lead or a counterparty; returns the ids cancelled.
UPDATE actions SET state = 'cancelled', updated_at = sqlc.arg(updated_at)
WHERE origin = 'status' AND state = 'scheduled'
  AND (lead_id = sqlc.narg(lead_id) OR counterparty_id = sqlc.narg(counterparty_id))
RETURNING id;

-- name: ActionReassign :many
-- Hands the pending manual actions of a lead or a counterparty from one person (or nobody) to
-- another; returns those handed over.
UPDATE actions SET assignee_id = sqlc.arg(to_id), updated_at = sqlc.arg(updated_at)
WHERE state = 'scheduled' AND NOT automatic AND assignee_id IS NOT DISTINCT FROM sqlc.narg(from_id)
  AND (lead_id = sqlc.narg(lead_id) OR counterparty_id = sqlc.narg(counterparty_id))
RETURNING id, due_at;

-- name: ActionListByAssignee :many
-- A person's pending manual actions due from after and before before (NULL: unbounded),
-- soonest first.
SELECT * FROM actions
WHERE assignee_id = $1 AND state = 'scheduled'
  AND (sqlc.narg(after)::timestamptz IS NULL OR due_at >= sqlc.narg(after))
  AND (sqlc.narg(before)::timestamptz IS NULL OR due_at < sqlc.narg(before))
ORDER BY due_at, id
LIMIT sqlc.arg(row_limit);

-- name: ScheduledCallList :many
-- Calls scheduled by statuses, with their subject, soonest first. Visibility is part of the
-- filter; state is 'scheduled' (pending, due from now), 'overdue' (pending, due before now),
-- 'done', or NULL for pending and done.
SELECT sqlc.embed(a), s.subject_name, s.category, s.site_id
FROM actions a
CROSS JOIN LATERAL (
  SELECT l.contact_name AS subject_name, l.category, l.site_id FROM leads l WHERE l.id = a.lead_id
  UNION ALL
  SELECT c.name, c.category, c.site_id FROM counterparties c WHERE c.id = a.counterparty_id
) s
JOIN users u ON u.id = a.assignee_id
WHERE a.origin = 'status'
  AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR s.site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(visible_assignee_id)::uuid IS NULL OR a.assignee_id = sqlc.narg(visible_assignee_id))
  AND (sqlc.narg(manager_id)::uuid IS NULL OR u.manager_id = sqlc.narg(manager_id))
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR a.assignee_id = sqlc.narg(assignee_id))
  AND (sqlc.narg(status_id)::uuid IS NULL OR a.status_id = sqlc.narg(status_id))
  AND (sqlc.narg(category)::text IS NULL OR s.category = sqlc.narg(category))
  AND (sqlc.narg(subject)::text IS NULL OR (sqlc.narg(subject) = 'lead') = (a.lead_id IS NOT NULL))
  AND (sqlc.narg(due_from)::timestamptz IS NULL OR a.due_at >= sqlc.narg(due_from))
  AND (sqlc.narg(due_to)::timestamptz IS NULL OR a.due_at < sqlc.narg(due_to))
  AND CASE sqlc.narg(state)::text
        WHEN 'scheduled' THEN a.state = 'scheduled' AND a.due_at >= sqlc.arg(now)::timestamptz
        WHEN 'overdue' THEN a.state = 'scheduled' AND a.due_at < sqlc.arg(now)::timestamptz
        WHEN 'done' THEN a.state IN ('done', 'skipped')
        ELSE a.state IN ('scheduled', 'done', 'skipped')
      END
  AND (sqlc.narg(lead_id)::uuid IS NULL OR a.lead_id = sqlc.narg(lead_id))
  AND (sqlc.narg(counterparty_id)::uuid IS NULL OR a.counterparty_id = sqlc.narg(counterparty_id))
  AND (sqlc.narg(after_due)::timestamptz IS NULL OR (a.due_at, a.id) > (sqlc.narg(after_due)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY a.due_at, a.id
LIMIT sqlc.arg(row_limit);

-- name: ScheduledCallCounts :many
-- Pending status calls per status (the quick selections of the listing), with the listing's
-- visibility and people filters.
SELECT a.status_id::uuid AS status_id, count(*)::integer AS calls,
       count(*) FILTER (WHERE a.due_at < sqlc.arg(now)::timestamptz)::integer AS overdue
FROM actions a
JOIN users u ON u.id = a.assignee_id
LEFT JOIN leads l ON l.id = a.lead_id
LEFT JOIN counterparties c ON c.id = a.counterparty_id
WHERE a.origin = 'status' AND a.state = 'scheduled'
  AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR COALESCE(l.site_id, c.site_id) = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(visible_assignee_id)::uuid IS NULL OR a.assignee_id = sqlc.narg(visible_assignee_id))
  AND (sqlc.narg(manager_id)::uuid IS NULL OR u.manager_id = sqlc.narg(manager_id))
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR a.assignee_id = sqlc.narg(assignee_id))
GROUP BY a.status_id
ORDER BY a.status_id;

-- name: ActionUndelivered :exec
-- Marks a sent automatic step failed when its message could not be delivered after all, and its
-- timeline entry with it.
WITH failed AS (
  UPDATE actions SET state = 'failed', outcome = sqlc.arg(outcome), updated_at = sqlc.arg(updated_at)
  WHERE actions.id = sqlc.arg(id) AND state = 'done' AND automatic
  RETURNING activity_id
)
UPDATE activities SET state = 'failed', done_at = NULL, content = sqlc.arg(outcome)
WHERE activities.id = (SELECT activity_id FROM failed);
