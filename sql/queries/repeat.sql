-- name: RepeatCandidate :one
-- The open lead a new inquiry repeats, when the organisation looks for repeats: at the same site,
-- with the same phone number or email address, received within the organisation's repeat days
-- before the inquiry; the newest.
-- One branch per key, each repeating its partial index's condition (a non-empty phone number,
-- email address) so that it reads that index: with an OR of the two, the plan Postgres caches for
-- the prepared statement walked every open lead of the site in time order instead (10 ms per
-- inquiry at a site of 20,000 open leads, against well under one).
SELECT c.id
FROM (
  SELECT l.id, l.received_at FROM leads l
  WHERE l.org_id = sqlc.arg(org_id) AND sqlc.arg(phone)::text <> ''
    AND l.contact_phone <> '' AND l.contact_phone = sqlc.arg(phone)::text
    AND l.site_id = sqlc.arg(site_id) AND l.stage = 'open'
  UNION ALL
  SELECT l.id, l.received_at FROM leads l
  WHERE l.org_id = sqlc.arg(org_id) AND sqlc.arg(email)::text <> ''
    AND l.contact_email <> '' AND lower(l.contact_email) = lower(sqlc.arg(email)::text)
    AND l.site_id = sqlc.arg(site_id) AND l.stage = 'open'
) c JOIN organizations o ON o.id = sqlc.arg(org_id)
WHERE o.repeat_days > 0
  AND c.received_at >= sqlc.arg(received_at)::timestamptz - make_interval(days => o.repeat_days)
ORDER BY c.received_at DESC, c.id DESC
LIMIT 1;

-- name: RepeatCreate :execrows
-- Records a repeat inquiry; nothing when its idempotency key or external id is already taken.
INSERT INTO lead_repeats (id, org_id, lead_id, source, source_group, contact_name, contact_phone,
  contact_email, notes, received_at, created_at, external_id, idempotency_key, idempotency_scope, fingerprint)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT DO NOTHING;

-- name: RepeatGetByDedupKey :one
-- The repeat holding an external id of a source, or an idempotency key of a credential.
SELECT * FROM lead_repeats
WHERE (sqlc.narg(external_id)::text IS NOT NULL AND source = sqlc.arg(source) AND external_id = sqlc.narg(external_id))
   OR (sqlc.narg(idempotency_key)::text IS NOT NULL AND idempotency_scope = sqlc.arg(idempotency_scope)
       AND idempotency_key = sqlc.narg(idempotency_key))
ORDER BY created_at
LIMIT 1;

-- name: RepeatGet :one
SELECT * FROM lead_repeats WHERE id = $1;

-- name: DashboardRepeats :one
-- Repeat inquiries received since since, filtered as DashboardFigures filters leads (source and
-- source group: the repeat's own; site, advisor and category: its lead's).
SELECT count(*)::integer FROM lead_repeats r JOIN leads l ON l.id = r.lead_id
WHERE r.received_at >= sqlc.arg(since) AND r.org_id = sqlc.arg(org_id)
  AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR l.site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(site_id)::uuid IS NULL OR l.site_id = sqlc.narg(site_id))
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR l.assignee_id = sqlc.narg(assignee_id))
  AND (sqlc.narg(source)::text IS NULL OR r.source = sqlc.narg(source))
  AND (sqlc.narg(source_group)::text IS NULL OR r.source_group = sqlc.narg(source_group))
  AND (sqlc.narg(category)::text IS NULL OR l.category = sqlc.narg(category))
  AND (sqlc.narg(unit_id)::uuid IS NULL OR (l.assignee_id, l.site_id) IN (SELECT m.user_id, m.site_id FROM user_sites m WHERE m.unit_id = sqlc.narg(unit_id)));

-- name: RepeatLock :exec
-- Serialises the inquiries of one customer at one site while the organisation looks for
-- repeats: a transaction-scoped advisory lock per phone number and per email address (in lower
-- case) that is set, taken in the order of their keys (volatile functions run after the sort)
-- so that two inquiries sharing one of them never deadlock. Held until commit, so that the
-- next inquiry's RepeatCandidate, a later statement, sees the lead this one creates.
SELECT pg_advisory_xact_lock(k.key)
FROM (
  SELECT DISTINCT hashtextextended(v, 0) AS key
  FROM unnest(ARRAY[
    CASE WHEN sqlc.arg(phone)::text <> ''
      THEN 'repeat:' || sqlc.arg(org_id)::uuid || ':' || sqlc.arg(site_id)::uuid || ':phone:' || sqlc.arg(phone)::text END,
    CASE WHEN sqlc.arg(email)::text <> ''
      THEN 'repeat:' || sqlc.arg(org_id)::uuid || ':' || sqlc.arg(site_id)::uuid || ':email:' || lower(sqlc.arg(email)::text) END
  ]) AS v
  WHERE v IS NOT NULL
) k
WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = sqlc.arg(org_id)::uuid AND o.repeat_days > 0)
ORDER BY k.key;
