-- +goose Up
-- Decisions a manager owes: a lead was assigned to an advisor away for more than a day.
CREATE TABLE decisions (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  lead_id       uuid NOT NULL,
  advisor_id    uuid NOT NULL,
  manager_id    uuid NOT NULL,
  -- Until when the advisor is away, as known when the decision was asked.
  absent_until  timestamptz NOT NULL,
  state         text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'reassigned', 'kept', 'obsolete')),
  reassigned_to uuid,
  resolved_by   uuid,
  created_at    timestamptz NOT NULL,
  resolved_at   timestamptz,
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, advisor_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id)
);
-- One open question per lead and manager.
CREATE UNIQUE INDEX decisions_pending_key ON decisions (lead_id, manager_id) WHERE state = 'pending';
CREATE INDEX decisions_manager_idx ON decisions (manager_id, created_at) WHERE state = 'pending';
ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON decisions USING (org_id = app_org()) WITH CHECK (org_id = app_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON decisions TO relance_app;

-- +goose Down
DROP TABLE decisions;
