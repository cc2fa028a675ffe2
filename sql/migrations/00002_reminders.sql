-- +goose Up
-- Reminder ladders per site. A site without a row uses the default ladder (see package relance).
CREATE TABLE reminder_policies (
  site_id     uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  -- [{"delay_seconds": 7200, "recipients": ["advisor"], "channels": ["email"]}, ...]
  rungs       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL,
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE
);
ALTER TABLE reminder_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON reminder_policies USING (org_id = app_org()) WITH CHECK (org_id = app_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON reminder_policies TO relance_app;

-- Late counts per advisor read open leads by assignee.
CREATE INDEX leads_open_assignee_idx ON leads (assignee_id) WHERE stage = 'open';

-- +goose Down
DROP INDEX leads_open_assignee_idx;
DROP TABLE reminder_policies;
