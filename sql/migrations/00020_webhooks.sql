-- +goose Up
-- Outgoing webhooks (Standard Webhooks). An event is a webhook_messages row written in the same
-- transaction as the change; each enabled endpoint whose filter matches gets one delivery in the
-- ledger (channel 'webhook'), sent and retried by its timer like every other message.

-- Where an organisation's events go. The secrets sign messages, so they are kept as written
-- (an HMAC key cannot be hashed); previous_secret still signs, beside the new one, until
-- previous_until, so that receivers can switch keys without losing a message.
CREATE TABLE webhook_endpoints (
  id              uuid PRIMARY KEY,
  org_id          uuid NOT NULL REFERENCES organizations (id),
  url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
  description     text NOT NULL DEFAULT '',
  filter          text[] NOT NULL DEFAULT '{}',
  enabled         boolean NOT NULL DEFAULT true,
  secret          text NOT NULL,
  previous_secret text NOT NULL DEFAULT '',
  previous_until  timestamptz,
  -- Since when every attempt failed (NULL after a success); 5 days of it disables the endpoint.
  failing_since   timestamptz,
  disabled_reason text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id) WHERE enabled;

-- One event; its id is the webhook-id of every attempt to every endpoint. payload is the body
-- sent: {"type", "timestamp", "data"}.
CREATE TABLE webhook_messages (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations (id),
  type        text NOT NULL,
  lead_id     uuid,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX webhook_messages_created_idx ON webhook_messages (org_id, created_at DESC, id DESC);

-- A delivery of channel 'webhook' carries one message to one endpoint (key: message id + endpoint
-- id). Its recipient is the URL at the time the event happened, for the log.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check
  CHECK (channel IN ('email', 'sms', 'push', 'webhook'));
ALTER TABLE deliveries
  ADD COLUMN webhook_endpoint_id uuid REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  ADD COLUMN webhook_message_id uuid REFERENCES webhook_messages (id),
  ADD CONSTRAINT deliveries_webhook_check
    CHECK ((channel = 'webhook') = (webhook_endpoint_id IS NOT NULL AND webhook_message_id IS NOT NULL));
-- One lead's events reach one endpoint in order: a delivery waits while an earlier one of the
-- same lead to the same endpoint is still undelivered. This index finds that earlier one.
CREATE INDEX deliveries_webhook_order_idx ON deliveries (webhook_endpoint_id, lead_id, webhook_message_id)
  WHERE channel = 'webhook' AND state IN ('pending', 'sending');
CREATE INDEX deliveries_webhook_message_idx ON deliveries (webhook_message_id) WHERE channel = 'webhook';

-- Every attempt of a webhook delivery: the answer's status (0: none), how long it took, and the
-- first KiB of the answer or the error.
CREATE TABLE webhook_attempts (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL REFERENCES organizations (id),
  delivery_id  uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  started_at   timestamptz NOT NULL,
  status_code  integer NOT NULL DEFAULT 0,
  duration_ms  integer NOT NULL DEFAULT 0,
  response     text NOT NULL DEFAULT '' CHECK (octet_length(response) <= 1024),
  error        text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt);

SELECT make_tenant_tables('webhook_endpoints', 'webhook_messages', 'webhook_attempts');

-- +goose Down
DROP TABLE webhook_attempts;
DROP INDEX deliveries_webhook_message_idx;
DROP INDEX deliveries_webhook_order_idx;
DELETE FROM deliveries WHERE channel = 'webhook';
ALTER TABLE deliveries DROP CONSTRAINT deliveries_webhook_check,
  DROP COLUMN webhook_message_id, DROP COLUMN webhook_endpoint_id;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check
  CHECK (channel IN ('email', 'sms', 'push'));
DROP TABLE webhook_messages, webhook_endpoints;
