-- name: SiteCreate :exec
INSERT INTO sites (id, org_id, name, time_zone, country, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6);

-- name: SiteUpdate :execrows
UPDATE sites SET name = $2, time_zone = $3, country = $4, updated_at = $5 WHERE id = $1;

-- name: SiteCountry :one
SELECT country FROM sites WHERE id = $1;

-- name: SiteGet :one
SELECT * FROM sites WHERE id = $1;

-- name: SiteGetWithHours :one
-- A site with its opening windows and its closures, in one round trip: each as parallel arrays,
-- every array of one ordered by all its columns (so that they line up), windows by weekday and
-- start as SiteWindowList, closures by start as SiteClosureList.
SELECT sqlc.embed(sites),
  ARRAY(SELECT w.weekday FROM site_windows w WHERE w.site_id = sites.id
        ORDER BY w.weekday, w.start_minute, w.end_minute)::smallint[] AS window_weekdays,
  ARRAY(SELECT w.start_minute FROM site_windows w WHERE w.site_id = sites.id
        ORDER BY w.weekday, w.start_minute, w.end_minute)::smallint[] AS window_starts,
  ARRAY(SELECT w.end_minute FROM site_windows w WHERE w.site_id = sites.id
        ORDER BY w.weekday, w.start_minute, w.end_minute)::smallint[] AS window_ends,
  ARRAY(SELECT c.start_date FROM site_closures c WHERE c.site_id = sites.id
        ORDER BY c.start_date, c.end_date, c.reason)::date[] AS closure_starts,
  ARRAY(SELECT c.end_date FROM site_closures c WHERE c.site_id = sites.id
        ORDER BY c.start_date, c.end_date, c.reason)::date[] AS closure_ends,
  ARRAY(SELECT c.reason FROM site_closures c WHERE c.site_id = sites.id
        ORDER BY c.start_date, c.end_date, c.reason)::text[] AS closure_reasons
FROM sites WHERE sites.id = $1;

-- name: SiteLock :one
-- Serialises the read-modify-write of a site's hours and closures.
SELECT id FROM sites WHERE id = $1 FOR UPDATE;

-- name: SiteList :many
SELECT * FROM sites ORDER BY name, id;

-- name: SiteListByIDs :many
SELECT * FROM sites WHERE id = ANY(sqlc.arg(ids)::uuid[]) ORDER BY name, id;

-- name: SiteWindowDeleteAll :exec
DELETE FROM site_windows WHERE site_id = $1;

-- name: SiteWindowInsert :exec
INSERT INTO site_windows (org_id, site_id, weekday, start_minute, end_minute)
VALUES ($1, $2, $3, $4, $5);

-- name: SiteWindowList :many
SELECT * FROM site_windows WHERE site_id = ANY(sqlc.arg(site_ids)::uuid[])
ORDER BY site_id, weekday, start_minute;

-- name: SiteClosureDeleteAll :exec
DELETE FROM site_closures WHERE site_id = $1;

-- name: SiteClosureInsert :exec
-- Two closures starting the same day become the longer one.
INSERT INTO site_closures (org_id, site_id, start_date, end_date, reason)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (site_id, start_date) DO UPDATE
SET end_date = GREATEST(site_closures.end_date, EXCLUDED.end_date),
    reason = CASE WHEN EXCLUDED.end_date > site_closures.end_date THEN EXCLUDED.reason ELSE site_closures.reason END;

-- name: SiteClosureList :many
SELECT * FROM site_closures WHERE site_id = ANY(sqlc.arg(site_ids)::uuid[])
ORDER BY site_id, start_date;

-- name: SiteClosureListFrom :many
SELECT * FROM site_closures WHERE site_id = $1 AND end_date >= sqlc.arg(from_date)::date
ORDER BY start_date;

-- name: CallCountry :one
-- The country a call's national number is read in: the one the sites of the call's advisor
-- share, or, for a call without an advisor or by one without a site, the one the organisation's
-- sites share; '' when they do not share one.
WITH advisor AS (
  SELECT s.country FROM sites s JOIN user_sites us ON us.site_id = s.id
  WHERE us.user_id = sqlc.narg(advisor_id) AND s.country <> ''
), pool AS (
  SELECT a.country FROM advisor a
  UNION ALL
  SELECT s.country FROM sites s
  WHERE s.org_id = sqlc.arg(org_id) AND s.country <> '' AND NOT EXISTS (SELECT 1 FROM advisor)
)
SELECT (CASE WHEN count(DISTINCT p.country) = 1 THEN min(p.country) ELSE '' END)::text AS country
FROM pool p;
