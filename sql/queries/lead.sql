-- name: LeadCreate :execrows
-- Inserts a lead and its audit row ("lead.create", at its creation), or nothing (0 rows) when a
-- lead with the same external id (of the source) or the same idempotency key (of the
-- credential) exists.
WITH lead AS (
  INSERT INTO leads (id, org_id, site_id, source, source_group, category, contact_name,
    contact_phone, contact_email, assignee_id, external_id, idempotency_key, notes, received_at,
    assigned_at, created_at, updated_at, partner_key_id, idempotency_scope, fingerprint,
    vehicle_interest, vehicle_status, vehicle_year, vehicle_make, vehicle_model, vehicle_vin, vehicle_stock)
  VALUES (sqlc.arg(id), sqlc.arg(org_id), sqlc.arg(site_id), sqlc.arg(source), sqlc.arg(source_group),
    sqlc.arg(category), sqlc.arg(contact_name), sqlc.arg(contact_phone), sqlc.arg(contact_email),
    sqlc.narg(assignee_id), sqlc.narg(external_id), sqlc.narg(idempotency_key), sqlc.arg(notes),
    sqlc.arg(received_at), sqlc.narg(assigned_at), sqlc.arg(created_at), sqlc.arg(created_at),
    sqlc.narg(partner_key_id), sqlc.arg(idempotency_scope), sqlc.arg(fingerprint),
    sqlc.arg(vehicle_interest), sqlc.arg(vehicle_status), sqlc.arg(vehicle_year), sqlc.arg(vehicle_make),
    sqlc.arg(vehicle_model), sqlc.arg(vehicle_vin), sqlc.arg(vehicle_stock))
  ON CONFLICT DO NOTHING
  RETURNING org_id, id, created_at
)
INSERT INTO audit_log (org_id, at, actor_kind, actor_id, action, subject_type, subject_id, details)
SELECT org_id, created_at, sqlc.arg(audit_actor_kind)::text, sqlc.narg(audit_actor_id)::uuid, 'lead.create', 'lead', id,
  sqlc.arg(audit_details)::jsonb
FROM lead;

-- name: LeadGet :one
SELECT * FROM leads WHERE id = $1;

-- name: LeadGetMany :many
SELECT * FROM leads WHERE id = ANY(sqlc.arg(ids)::uuid[]);

-- name: LeadSetLateMany :exec
UPDATE leads SET late_at = sqlc.arg(late_at), updated_at = sqlc.arg(late_at)
WHERE id = ANY(sqlc.arg(ids)::uuid[]) AND late_at IS NULL;

-- name: LeadGetForUpdate :one
SELECT * FROM leads WHERE id = $1 FOR UPDATE;

-- name: LeadGetByDedupKey :one
-- The lead holding an external id of a source, or an idempotency key of a credential.
SELECT * FROM leads
WHERE (sqlc.narg(external_id)::text IS NOT NULL AND source = sqlc.arg(source) AND external_id = sqlc.narg(external_id))
   OR (sqlc.narg(idempotency_key)::text IS NOT NULL AND idempotency_scope = sqlc.arg(idempotency_scope)
       AND idempotency_key = sqlc.narg(idempotency_key))
ORDER BY created_at
LIMIT 1;

-- name: LeadAssign :exec
UPDATE leads SET assignee_id = $2, assigned_at = $3, late_at = NULL, updated_at = $3 WHERE id = $1;

-- name: LeadUpdate :exec
UPDATE leads SET stage = $2, category = $3, status_id = $4, notes = $5, updated_at = $6
WHERE id = $1;

-- name: LeadSetFirstResponse :exec
UPDATE leads SET first_response_at = $2, response_seconds = $3, updated_at = $4
WHERE id = $1 AND (first_response_at IS NULL OR first_response_at > $2);

-- name: LeadList :many
-- Newest first; the cursor is the (received_at, id) of the last row of the previous page.
-- Visibility is part of the filter: a caller passes the sites or the assignee it may see.
SELECT * FROM leads
WHERE (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(visible_assignee_id)::uuid IS NULL OR assignee_id = sqlc.narg(visible_assignee_id))
  AND (sqlc.narg(site_id)::uuid IS NULL OR site_id = sqlc.narg(site_id))
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR assignee_id = sqlc.narg(assignee_id))
  AND (sqlc.narg(stage)::text IS NULL OR stage = sqlc.narg(stage))
  AND (sqlc.narg(status_id)::uuid IS NULL OR status_id = sqlc.narg(status_id))
  AND (sqlc.narg(source)::text IS NULL OR source = sqlc.narg(source))
  AND (sqlc.narg(late)::boolean IS NULL OR (late_at IS NOT NULL) = sqlc.narg(late))
  AND (NOT sqlc.arg(no_attempt_today)::boolean OR (stage = 'open' AND (last_attempt_at IS NULL
       OR last_attempt_at < (SELECT date_trunc('day', sqlc.arg(now)::timestamptz AT TIME ZONE s.time_zone) AT TIME ZONE s.time_zone
                             FROM sites s WHERE s.id = leads.site_id))))
  AND (NOT sqlc.arg(improper_only)::boolean OR improper_closure_at IS NOT NULL)
  AND (sqlc.narg(after_received_at)::timestamptz IS NULL
       OR (received_at, id) < (sqlc.narg(after_received_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY received_at DESC, id DESC
LIMIT sqlc.arg(row_limit);

-- name: LeadLateCounts :many
-- Open assigned leads per advisor, and how many of them are late.
SELECT assignee_id::uuid AS assignee_id,
       count(*) FILTER (WHERE late_at IS NOT NULL)::integer AS late,
       count(*)::integer AS open
FROM leads
WHERE stage = 'open' AND assignee_id IS NOT NULL
  AND (sqlc.narg(site_id)::uuid IS NULL OR site_id = sqlc.narg(site_id))
  AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(visible_assignee_id)::uuid IS NULL OR assignee_id = sqlc.narg(visible_assignee_id))
GROUP BY assignee_id
ORDER BY assignee_id;

-- name: LeadByPhone :one
-- The leads an E.164 number belongs to: open ones first, then those of the call's advisor, then
-- the newest.
SELECT * FROM leads
WHERE org_id = sqlc.arg(org_id) AND contact_phone = sqlc.arg(phone)
ORDER BY stage = 'open' DESC, assignee_id IS NOT DISTINCT FROM sqlc.narg(advisor_id) DESC, received_at DESC, id
LIMIT 1;

-- name: LeadMarkImproper :exec
UPDATE leads SET improper_closure_at = $2, closure_contacts = $3 WHERE id = $1;

-- name: LeadContacts :one
-- Contacts with a lead so far: done human activities other than tasks (each call leaves one).
SELECT count(*)::integer FROM activities
WHERE lead_id = $1 AND origin = 'human' AND state = 'done' AND kind <> 'task';
