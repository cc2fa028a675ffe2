-- +goose Up
-- Call attempts from telephony and the app, the cadence rules that judge them, and what they
-- leave on leads.

-- The rule of call attempts: per organisation (site_id and source NULL), or for one site, or
-- for one source (which wins over a site's).
CREATE TABLE cadence_rules (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL REFERENCES organizations (id),
  site_id           uuid,
  source            text,
  attempts_per_day  smallint NOT NULL CHECK (attempts_per_day BETWEEN 1 AND 20),
  days              smallint NOT NULL CHECK (days BETWEEN 1 AND 60),
  min_contacts      smallint NOT NULL CHECK (min_contacts BETWEEN 0 AND 1000),
  success_seconds   integer NOT NULL CHECK (success_seconds BETWEEN 1 AND 3600),
  closure_guard     text NOT NULL CHECK (closure_guard IN ('flag', 'refuse')),
  updated_at        timestamptz NOT NULL,
  CHECK (site_id IS NULL OR source IS NULL),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id)
);
CREATE UNIQUE INDEX cadence_rules_scope_key ON cadence_rules (org_id, site_id, source) NULLS NOT DISTINCT;

CREATE TABLE calls (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  lead_id           uuid NOT NULL,
  advisor_id        uuid,
  direction         text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  started_at        timestamptz NOT NULL,
  duration_seconds  integer NOT NULL CHECK (duration_seconds >= 0),
  outcome           text NOT NULL CHECK (outcome IN ('answered', 'no_answer', 'busy', 'voicemail', 'failed')),
  phone             text NOT NULL DEFAULT '',
  recording_url     text NOT NULL DEFAULT '',
  external_id       text,
  -- Longer than the rule's successful-touch threshold, and answered.
  successful        boolean NOT NULL,
  activity_id       uuid NOT NULL,
  recorded_by       uuid,
  created_at        timestamptz NOT NULL,
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, advisor_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX calls_external_id_key ON calls (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX calls_lead_idx ON calls (lead_id, started_at);
CREATE INDEX calls_advisor_idx ON calls (advisor_id, started_at) WHERE direction = 'outbound';

-- What the calls leave on a lead, kept up to date as they are recorded, so that lists and
-- filters need no aggregate.
ALTER TABLE leads ADD COLUMN call_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN successful_touches integer NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN last_attempt_at timestamptz;
-- Rejected with fewer contacts than the cadence rule asks: when, and with how many.
ALTER TABLE leads ADD COLUMN improper_closure_at timestamptz;
ALTER TABLE leads ADD COLUMN closure_contacts integer;
CREATE INDEX leads_improper_idx ON leads (org_id, improper_closure_at) WHERE improper_closure_at IS NOT NULL;
-- Calls find their lead by phone number, whole (E.164) or by its national end: the reversed
-- number serves both as a prefix search.
CREATE INDEX leads_phone_idx ON leads (org_id, reverse(contact_phone) text_pattern_ops) WHERE contact_phone <> '';

SELECT make_tenant_tables('cadence_rules', 'calls');

-- +goose Down
DROP INDEX leads_phone_idx;
ALTER TABLE leads DROP COLUMN call_attempts, DROP COLUMN successful_touches, DROP COLUMN last_attempt_at,
  DROP COLUMN improper_closure_at, DROP COLUMN closure_contacts;
DROP TABLE calls, cadence_rules;
