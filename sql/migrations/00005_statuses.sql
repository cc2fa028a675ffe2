-- +goose Up
-- Interaction statuses, counterparties, and actions: the to-dos and executed steps of statuses
-- and follow-up plans.

-- The local time automatic messages and scheduled calls go out at, in minutes after midnight.
ALTER TABLE organizations ADD COLUMN send_minute smallint NOT NULL DEFAULT 600
  CHECK (send_minute BETWEEN 0 AND 1439);

-- Each organisation's own reference book of interaction statuses.
CREATE TABLE interaction_statuses (
  id               uuid PRIMARY KEY,
  org_id           uuid NOT NULL REFERENCES organizations (id),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  sort_order       integer NOT NULL DEFAULT 0,
  applies_to       text NOT NULL CHECK (applies_to IN ('leads', 'counterparties', 'both')),
  -- Setting the status schedules a call call_after_days working days later.
  schedules_call   boolean NOT NULL DEFAULT false,
  call_after_days  smallint NOT NULL DEFAULT 0 CHECK (call_after_days BETWEEN 0 AND 365),
  -- What setting it on a lead means for its stage: '' (nothing), 'won' or 'rejected'.
  terminal         text NOT NULL DEFAULT '' CHECK (terminal IN ('', 'won', 'rejected')),
  archived_at      timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  CHECK (NOT schedules_call OR call_after_days >= 1),
  UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX interaction_statuses_name_key ON interaction_statuses (org_id, lower(name))
  WHERE archived_at IS NULL;

ALTER TABLE leads DROP COLUMN interaction_status;
ALTER TABLE leads ADD COLUMN status_id uuid;
ALTER TABLE leads ADD FOREIGN KEY (org_id, status_id) REFERENCES interaction_statuses (org_id, id);

-- Existing customers, followed up like leads.
CREATE TABLE counterparties (
  id              uuid PRIMARY KEY,
  org_id          uuid NOT NULL,
  site_id         uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('company', 'person')),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  category        text NOT NULL DEFAULT '' CHECK (category IN ('', 'A', 'B', 'C')),
  phone           text NOT NULL DEFAULT '',
  email           text NOT NULL DEFAULT '',
  responsible_id  uuid,
  status_id       uuid,
  notes           text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id),
  FOREIGN KEY (org_id, responsible_id) REFERENCES users (org_id, id),
  FOREIGN KEY (org_id, status_id) REFERENCES interaction_statuses (org_id, id)
);
CREATE INDEX counterparties_org_idx ON counterparties (org_id, name, id);
CREATE INDEX counterparties_responsible_idx ON counterparties (responsible_id);

-- An action is something to do (or done) about a lead or a counterparty: a call scheduled by a
-- status, or a step of a follow-up plan. Manual ones wait in their assignee's inbox.
CREATE TABLE actions (
  id               uuid PRIMARY KEY,
  org_id           uuid NOT NULL,
  lead_id          uuid,
  counterparty_id  uuid,
  origin           text NOT NULL CHECK (origin IN ('status', 'plan')),
  status_id        uuid,
  kind             text NOT NULL CHECK (kind IN ('call', 'email', 'sms', 'letter', 'task')),
  automatic        boolean NOT NULL DEFAULT false,
  -- NULL for automatic actions, and for manual ones waiting for the lead to be assigned.
  assignee_id      uuid,
  state            text NOT NULL DEFAULT 'scheduled'
                   CHECK (state IN ('scheduled', 'done', 'skipped', 'failed', 'cancelled')),
  due_at           timestamptz NOT NULL,
  subject          text NOT NULL DEFAULT '',
  content          text NOT NULL DEFAULT '',
  recipients       text[] NOT NULL DEFAULT '{}',
  notes            text NOT NULL DEFAULT '',
  outcome          text NOT NULL DEFAULT '',
  done_at          timestamptz,
  done_by          uuid,
  -- The timeline entry the action produced when it was carried out.
  activity_id      uuid,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  CHECK (num_nonnulls(lead_id, counterparty_id) = 1),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, counterparty_id) REFERENCES counterparties (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, status_id) REFERENCES interaction_statuses (org_id, id),
  FOREIGN KEY (org_id, assignee_id) REFERENCES users (org_id, id)
);
-- Never two pending status calls for one lead or counterparty.
CREATE UNIQUE INDEX actions_status_call_lead_key ON actions (lead_id)
  WHERE origin = 'status' AND state = 'scheduled';
CREATE UNIQUE INDEX actions_status_call_counterparty_key ON actions (counterparty_id)
  WHERE origin = 'status' AND state = 'scheduled';
CREATE INDEX actions_assignee_idx ON actions (assignee_id, due_at) WHERE state = 'scheduled';
CREATE INDEX actions_org_due_idx ON actions (org_id, due_at, id);
CREATE INDEX actions_lead_idx ON actions (lead_id, due_at);
CREATE INDEX actions_counterparty_idx ON actions (counterparty_id, due_at);

-- Puts tables under the tenant policy and opens them to the application role, as 00001 does.
-- +goose StatementBegin
CREATE FUNCTION make_tenant_tables(VARIADIC names text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY names
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = app_org()) WITH CHECK (org_id = app_org())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO relance_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION make_tenant_tables(text[]) FROM PUBLIC;
SELECT make_tenant_tables('interaction_statuses', 'counterparties', 'actions');

-- +goose Down
DROP FUNCTION make_tenant_tables(text[]);
DROP TABLE actions, counterparties;
ALTER TABLE leads DROP COLUMN status_id;
ALTER TABLE leads ADD COLUMN interaction_status text NOT NULL DEFAULT '';
DROP TABLE interaction_statuses;
ALTER TABLE organizations DROP COLUMN send_minute;
