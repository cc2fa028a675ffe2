-- +goose Up
-- Repeat inquiries: the same customer (phone or email) writing again while an open lead of
-- theirs exists at the same site, received within the organisation's repeat_days, is recorded on
-- that lead instead of becoming a second one. 0 days turns the rule off.
ALTER TABLE organizations ADD COLUMN repeat_days integer NOT NULL DEFAULT 30
  CHECK (repeat_days BETWEEN 0 AND 365);

CREATE TABLE lead_repeats (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL,
  lead_id            uuid NOT NULL,
  source             text NOT NULL,
  source_group       text NOT NULL DEFAULT '',
  contact_name       text NOT NULL,
  contact_phone      text NOT NULL DEFAULT '',
  contact_email      text NOT NULL DEFAULT '',
  notes              text NOT NULL DEFAULT '',
  received_at        timestamptz NOT NULL,
  created_at         timestamptz NOT NULL,
  -- The request's own keys, so that a retry gives the same answer.
  external_id        text,
  idempotency_key    text,
  idempotency_scope  uuid NOT NULL,
  fingerprint        bytea NOT NULL,
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX lead_repeats_idempotency_key ON lead_repeats (org_id, idempotency_scope, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX lead_repeats_external_id_key ON lead_repeats (org_id, source, external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX lead_repeats_lead_idx ON lead_repeats (lead_id);
CREATE INDEX lead_repeats_received_idx ON lead_repeats (org_id, received_at);
-- Repeats are found by email as calls find leads by phone (leads_phone_idx).
CREATE INDEX leads_email_idx ON leads (org_id, lower(contact_email)) WHERE contact_email <> '';

SELECT make_tenant_tables('lead_repeats');

-- A repeat shows on its lead's timeline as an inquiry, which only the system records.
ALTER TABLE activities DROP CONSTRAINT activities_kind_check;
ALTER TABLE activities ADD CONSTRAINT activities_kind_check
  CHECK (kind IN ('call', 'email', 'sms', 'letter', 'task', 'meeting', 'inquiry'));

-- +goose Down
DELETE FROM activities WHERE kind = 'inquiry';
ALTER TABLE activities DROP CONSTRAINT activities_kind_check;
ALTER TABLE activities ADD CONSTRAINT activities_kind_check
  CHECK (kind IN ('call', 'email', 'sms', 'letter', 'task', 'meeting'));
DROP INDEX leads_email_idx;
DROP TABLE lead_repeats;
ALTER TABLE organizations DROP COLUMN repeat_days;
