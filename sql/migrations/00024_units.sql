-- +goose Up
-- Business units: departments inside a site (new cars, used cars, service…). An advisor belongs
-- to at most one unit at each site they work at, so the unit lives on the site membership
-- (user_sites), and the foreign key on (site_id, unit_id) keeps it one of that site's units.
--
-- A lead's unit is not stored: the reports take it, at the time they run, from the membership of
-- the lead's assignee at the lead's site, as they take the advisor grouping from the current
-- assignee. This keeps one source of truth (no copy to keep in step on every assignment path:
-- manual, distribution rules, lead timers, imports), moving an advisor to another unit moves their
-- leads with them, and the reports pay one hash join against user_sites (a few rows per advisor)
-- over the leads they scan anyway.
CREATE TABLE units (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  site_id     uuid NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (site_id, id),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE
);
-- A name is unique within its site, without case; a deactivated unit keeps its name.
CREATE UNIQUE INDEX units_site_name_idx ON units (site_id, lower(name));

ALTER TABLE user_sites ADD COLUMN unit_id uuid,
  ADD FOREIGN KEY (site_id, unit_id) REFERENCES units (site_id, id);
CREATE INDEX user_sites_unit_idx ON user_sites (unit_id) WHERE unit_id IS NOT NULL;

ALTER TABLE units ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON units USING (org_id = app_org()) WITH CHECK (org_id = app_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON units TO relance_app;

-- +goose Down
ALTER TABLE user_sites DROP COLUMN unit_id;
DROP TABLE units;
