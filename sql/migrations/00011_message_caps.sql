-- +goose Up
-- Limits on what the platform sends to customers on an organisation's behalf, and where a lead
-- came from, so that a partner key cannot turn the organisation's SMS account into a pump.

-- Daily caps on messages to customers (leads), per organisation and per recipient. A day is the
-- UTC calendar day. 0 sends nothing on that channel.
ALTER TABLE organizations ADD COLUMN sms_daily_cap integer NOT NULL DEFAULT 200
  CHECK (sms_daily_cap BETWEEN 0 AND 100000);
ALTER TABLE organizations ADD COLUMN email_daily_cap integer NOT NULL DEFAULT 1000
  CHECK (email_daily_cap BETWEEN 0 AND 1000000);
ALTER TABLE organizations ADD COLUMN recipient_daily_cap integer NOT NULL DEFAULT 3
  CHECK (recipient_daily_cap BETWEEN 0 AND 100);

-- Leads created with a partner API key enter plans that message customers only when the plan
-- allows it.
ALTER TABLE plans ADD COLUMN partner_leads_allowed boolean NOT NULL DEFAULT false;

-- The partner API key that created a lead; NULL when a person did.
ALTER TABLE leads ADD COLUMN partner_key_id uuid;

-- Messages to a customer (as opposed to the organisation's own staff) count against the caps.
ALTER TABLE deliveries ADD COLUMN customer boolean NOT NULL DEFAULT false;
-- Until now, the messages about a lead to no user were plan steps to the lead.
UPDATE deliveries SET customer = true WHERE user_id IS NULL AND lead_id IS NOT NULL;

-- Customer messages claimed for sending, per UTC day and channel: the row with recipient '' counts
-- the organisation's messages, the others each recipient's. A worker locks the rows of a message
-- (upsert) before deciding it may go, so concurrent workers never exceed a cap.
CREATE TABLE message_counts (
  org_id     uuid NOT NULL REFERENCES organizations (id),
  day        date NOT NULL,
  channel    text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient  text NOT NULL,
  sent       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, channel, recipient)
);
SELECT make_tenant_tables('message_counts');

-- +goose Down
DROP TABLE message_counts;
ALTER TABLE deliveries DROP COLUMN customer;
ALTER TABLE leads DROP COLUMN partner_key_id;
ALTER TABLE plans DROP COLUMN partner_leads_allowed;
ALTER TABLE organizations DROP COLUMN sms_daily_cap, DROP COLUMN email_daily_cap,
  DROP COLUMN recipient_daily_cap;
