-- name: DigestItems :many
-- What needs an action today from the given advisors: open leads with an activity planned or a
-- manual action (status call, plan step) due before the end of the day (today's, and overdue
-- ones), customers with a status call due, and late open leads. lead_id is the customer's id
-- for a customer.
SELECT l.id AS lead_id, l.assignee_id::uuid AS assignee_id, l.contact_name, l.contact_phone, l.source,
       'planned'::text AS reason, a.due_at AS due_at, a.kind AS action
FROM activities a JOIN leads l ON l.id = a.lead_id
WHERE l.assignee_id = ANY(sqlc.arg(assignees)::uuid[]) AND l.stage = 'open'
  AND a.state = 'planned' AND a.due_at < sqlc.arg(day_end)::timestamptz
UNION ALL
SELECT l.id, a.assignee_id::uuid, l.contact_name, l.contact_phone, l.source, 'planned'::text, a.due_at, a.kind
FROM actions a JOIN leads l ON l.id = a.lead_id
WHERE a.assignee_id = ANY(sqlc.arg(assignees)::uuid[]) AND l.stage = 'open'
  AND a.state = 'scheduled' AND a.due_at < sqlc.arg(day_end)::timestamptz
UNION ALL
SELECT c.id, a.assignee_id::uuid, c.name, c.phone, ''::text, 'planned'::text, a.due_at, a.kind
FROM actions a JOIN counterparties c ON c.id = a.counterparty_id
WHERE a.assignee_id = ANY(sqlc.arg(assignees)::uuid[])
  AND a.state = 'scheduled' AND a.due_at < sqlc.arg(day_end)::timestamptz
UNION ALL
SELECT l.id, l.assignee_id::uuid, l.contact_name, l.contact_phone, l.source,
       'late'::text, l.late_at, ''::text
FROM leads l
WHERE l.assignee_id = ANY(sqlc.arg(assignees)::uuid[]) AND l.stage = 'open' AND l.late_at IS NOT NULL
ORDER BY 2, 6, 7;

-- name: UserListByManager :many
SELECT * FROM users WHERE manager_id = $1 AND active ORDER BY display_name, id;
