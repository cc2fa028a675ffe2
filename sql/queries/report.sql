-- name: ResponseTimeGroups :many
-- Response-time figures of the leads received in [from_time, to_time) that pass the filters, per
-- group and in total (is_total). A group is an advisor, a site or a unit (key_id; the nil UUID for
-- unassigned leads, or leads in no unit), or a source or source group (key_text): typed keys sort
-- fast. A lead's unit is its assignee's at the lead's site (user_sites): one hash join, planned
-- away for the other groupings. Buckets are
-- [lo[i], hi[i]) in seconds; unused ones are (-1, -1).
SELECT coalesce(k.key_id, '00000000-0000-0000-0000-000000000000')::uuid AS key_id, coalesce(k.key_text, '')::text AS key_text, grouping(k.key_id, k.key_text)::integer AS is_total,
  count(*)::integer AS received,
  count(k.response_seconds)::integer AS answered,
  coalesce(avg(k.response_seconds), 0)::float8 AS average,
  coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY k.response_seconds), 0)::float8 AS median,
  count(*) FILTER (WHERE k.response_seconds <= 86400)::integer AS within_24h,
  count(*) FILTER (WHERE k.response_seconds <= sqlc.arg(window_seconds)::integer)::integer AS within_window,
  count(*) FILTER (WHERE k.response_seconds >= (sqlc.arg(lo)::integer[])[1] AND k.response_seconds < (sqlc.arg(hi)::integer[])[1])::integer AS b1,
  count(*) FILTER (WHERE k.response_seconds >= (sqlc.arg(lo)::integer[])[2] AND k.response_seconds < (sqlc.arg(hi)::integer[])[2])::integer AS b2,
  count(*) FILTER (WHERE k.response_seconds >= (sqlc.arg(lo)::integer[])[3] AND k.response_seconds < (sqlc.arg(hi)::integer[])[3])::integer AS b3,
  count(*) FILTER (WHERE k.response_seconds >= (sqlc.arg(lo)::integer[])[4] AND k.response_seconds < (sqlc.arg(hi)::integer[])[4])::integer AS b4,
  count(*) FILTER (WHERE k.response_seconds >= (sqlc.arg(lo)::integer[])[5] AND k.response_seconds < (sqlc.arg(hi)::integer[])[5])::integer AS b5
FROM (
  SELECT CASE sqlc.arg(group_by)::text WHEN 'advisor' THEN l.assignee_id WHEN 'site' THEN l.site_id WHEN 'unit' THEN us.unit_id END::uuid AS key_id,
         CASE sqlc.arg(group_by)::text WHEN 'source' THEN l.source WHEN 'source_group' THEN l.source_group END COLLATE "C" AS key_text,
         l.response_seconds
  FROM leads l LEFT JOIN user_sites us ON sqlc.arg(group_by)::text = 'unit' AND us.user_id = l.assignee_id AND us.site_id = l.site_id
  WHERE l.org_id = sqlc.arg(org_id) AND l.received_at >= sqlc.arg(from_time) AND l.received_at < sqlc.arg(to_time)
    AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR l.site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
    AND (sqlc.narg(site_id)::uuid IS NULL OR l.site_id = sqlc.narg(site_id))
    AND (sqlc.narg(assignee_id)::uuid IS NULL OR l.assignee_id = sqlc.narg(assignee_id))
    AND (sqlc.narg(source)::text IS NULL OR l.source = sqlc.narg(source))
    AND (sqlc.narg(source_group)::text IS NULL OR l.source_group = sqlc.narg(source_group))
    AND (sqlc.narg(category)::text IS NULL OR l.category = sqlc.narg(category))
    AND (sqlc.narg(unit_id)::uuid IS NULL OR (l.assignee_id, l.site_id) IN (SELECT m.user_id, m.site_id FROM user_sites m WHERE m.unit_id = sqlc.narg(unit_id)))
) k
GROUP BY GROUPING SETS ((k.key_id, k.key_text), ())
ORDER BY 3, 1, 2;

-- name: DashboardFigures :one
-- The widget: leads received since since, leads first answered since since and their average
-- response time, and the open ones received since since still waiting.
SELECT count(*) FILTER (WHERE l.received_at >= sqlc.arg(since))::integer AS received,
  count(*) FILTER (WHERE l.first_response_at >= sqlc.arg(since))::integer AS answered,
  coalesce(avg(l.response_seconds) FILTER (WHERE l.first_response_at >= sqlc.arg(since)), 0)::float8 AS average,
  count(*) FILTER (WHERE l.received_at >= sqlc.arg(since) AND l.first_response_at IS NULL AND l.stage = 'open')::integer AS waiting
FROM leads l
WHERE l.org_id = sqlc.arg(org_id) AND (l.received_at >= sqlc.arg(since) OR l.first_response_at >= sqlc.arg(since))
  AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR l.site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(site_id)::uuid IS NULL OR l.site_id = sqlc.narg(site_id))
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR l.assignee_id = sqlc.narg(assignee_id))
  AND (sqlc.narg(source)::text IS NULL OR l.source = sqlc.narg(source))
  AND (sqlc.narg(source_group)::text IS NULL OR l.source_group = sqlc.narg(source_group))
  AND (sqlc.narg(category)::text IS NULL OR l.category = sqlc.narg(category))
  AND (sqlc.narg(unit_id)::uuid IS NULL OR (l.assignee_id, l.site_id) IN (SELECT m.user_id, m.site_id FROM user_sites m WHERE m.unit_id = sqlc.narg(unit_id)));

-- name: ResponseTimeLeads :many
-- One page of the leads of a response-time report, in receipt order after the cursor.
SELECT l.* FROM leads l
WHERE l.org_id = sqlc.arg(org_id) AND l.received_at >= sqlc.arg(from_time) AND l.received_at < sqlc.arg(to_time)
  AND (l.received_at, l.id) > (sqlc.arg(after_received_at)::timestamptz, sqlc.arg(after_id)::uuid)
  AND (sqlc.narg(visible_site_ids)::uuid[] IS NULL OR l.site_id = ANY(sqlc.narg(visible_site_ids)::uuid[]))
  AND (sqlc.narg(site_id)::uuid IS NULL OR l.site_id = sqlc.narg(site_id))
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR l.assignee_id = sqlc.narg(assignee_id))
  AND (sqlc.narg(source)::text IS NULL OR l.source = sqlc.narg(source))
  AND (sqlc.narg(source_group)::text IS NULL OR l.source_group = sqlc.narg(source_group))
  AND (sqlc.narg(category)::text IS NULL OR l.category = sqlc.narg(category))
  AND (sqlc.narg(unit_id)::uuid IS NULL OR (l.assignee_id, l.site_id) IN (SELECT m.user_id, m.site_id FROM user_sites m WHERE m.unit_id = sqlc.narg(unit_id)))
ORDER BY l.received_at, l.id
LIMIT sqlc.arg(row_limit);

-- name: AdvisorFigures :many
-- Per advisor: reminders sent to them and improper closures of theirs in [from_time, to_time)
-- (their open and late leads are LeadLateCounts').
SELECT u.id, u.display_name,
  (SELECT count(*) FROM alerts a WHERE a.user_id = u.id AND a.kind = 'lead.reminder'
     AND a.created_at >= sqlc.arg(from_time) AND a.created_at < sqlc.arg(to_time))::integer AS reminders,
  (SELECT count(*) FROM leads l WHERE l.assignee_id = u.id
     AND l.improper_closure_at >= sqlc.arg(from_time) AND l.improper_closure_at < sqlc.arg(to_time))::integer AS improper
FROM users u
WHERE u.id = ANY(sqlc.arg(advisor_ids)::uuid[])
ORDER BY u.display_name, u.id;

-- name: ReportMemory :exec
-- Gives a report's sorts (medians need them) room in memory, for this transaction only.
SELECT set_config('work_mem', '64MB', true);
