-- +goose Up
-- Follow-up plans: ordered steps, enrolments of leads, and the actions each step produces.

-- Whether a contact came from the customer (a reply) or went to them.
ALTER TABLE activities ADD COLUMN direction text NOT NULL DEFAULT ''
  CHECK (direction IN ('', 'inbound', 'outbound'));
CREATE INDEX activities_lead_done_idx ON activities (lead_id, done_at) WHERE state = 'done';

CREATE TABLE plans (
  id               uuid PRIMARY KEY,
  org_id           uuid NOT NULL REFERENCES organizations (id),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  paused           boolean NOT NULL DEFAULT false,
  -- Leads created from one of these sources are enrolled.
  enrol_sources    text[] NOT NULL DEFAULT '{}',
  -- Leads given this status are enrolled.
  enrol_status_id  uuid,
  archived_at      timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, enrol_status_id) REFERENCES interaction_statuses (org_id, id)
);
CREATE INDEX plans_sources_idx ON plans USING gin (enrol_sources) WHERE archived_at IS NULL;

CREATE TABLE plan_steps (
  org_id        uuid NOT NULL,
  plan_id       uuid NOT NULL,
  position      smallint NOT NULL CHECK (position >= 0),
  kind          text NOT NULL CHECK (kind IN ('call', 'email', 'sms', 'letter', 'task')),
  automatic     boolean NOT NULL,
  -- The step falls after_days days after the lead's receipt or its enrolment.
  anchor        text NOT NULL CHECK (anchor IN ('received', 'enrolled')),
  after_days    smallint NOT NULL CHECK (after_days BETWEEN 0 AND 365),
  -- Postponed until min_gap_days after the last contact with the lead.
  min_gap_days  smallint NOT NULL DEFAULT 0 CHECK (min_gap_days BETWEEN 0 AND 365),
  -- Local time, in minutes after midnight; NULL for the organisation's send time.
  send_minute   smallint CHECK (send_minute BETWEEN 0 AND 1439),
  -- Allowed weekdays, bit d for time.Weekday d (Monday to Friday: 62).
  weekdays      smallint NOT NULL DEFAULT 62 CHECK (weekdays BETWEEN 1 AND 127),
  subject       text NOT NULL DEFAULT '',
  body          text NOT NULL DEFAULT '',
  assignee      text NOT NULL DEFAULT 'advisor' CHECK (assignee IN ('advisor', 'manager')),
  CHECK (NOT automatic OR kind IN ('email', 'sms')),
  PRIMARY KEY (plan_id, position),
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE
);

CREATE TABLE enrolments (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL,
  plan_id      uuid NOT NULL,
  lead_id      uuid NOT NULL,
  state        text NOT NULL DEFAULT 'active'
               CHECK (state IN ('active', 'paused', 'completed', 'exited')),
  exit_reason  text NOT NULL DEFAULT '',
  -- The position of the step in progress (or next).
  step         smallint NOT NULL DEFAULT 0,
  enrolled_at  timestamptz NOT NULL,
  ended_at     timestamptz,
  updated_at   timestamptz NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id),
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE
);
-- A lead runs a plan once at a time.
CREATE UNIQUE INDEX enrolments_running_key ON enrolments (plan_id, lead_id)
  WHERE state IN ('active', 'paused');
CREATE INDEX enrolments_lead_idx ON enrolments (lead_id);

ALTER TABLE actions ADD COLUMN enrolment_id uuid;
ALTER TABLE actions ADD COLUMN plan_id uuid;
ALTER TABLE actions ADD COLUMN step smallint;
ALTER TABLE actions ADD FOREIGN KEY (org_id, enrolment_id) REFERENCES enrolments (org_id, id) ON DELETE CASCADE;
CREATE INDEX actions_enrolment_idx ON actions (enrolment_id) WHERE enrolment_id IS NOT NULL;
CREATE INDEX actions_plan_idx ON actions (plan_id, step) WHERE plan_id IS NOT NULL;

SELECT make_tenant_tables('plans', 'plan_steps', 'enrolments');

-- +goose Down
ALTER TABLE actions DROP COLUMN enrolment_id, DROP COLUMN plan_id, DROP COLUMN step;
DROP TABLE enrolments, plan_steps, plans;
DROP INDEX activities_lead_done_idx;
ALTER TABLE activities DROP COLUMN direction;
