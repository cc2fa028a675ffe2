-- +goose Up
-- Push notifications to people's phones and browsers: the devices each person registered, what
-- they want pushed, and push as one more channel of the delivery ledger.

-- A device a person receives push notifications on: a Firebase Cloud Messaging registration
-- token (the mobile app), or a Web Push subscription (an installed web app: the push service's
-- endpoint URL and the browser's P-256 key and auth secret, base64url). token holds the FCM
-- token or the Web Push endpoint. A device belongs to one person; removing the person removes it.
CREATE TABLE devices (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL REFERENCES organizations (id),
  user_id       uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('fcm', 'web_push')),
  token         text NOT NULL CHECK (length(token) BETWEEN 1 AND 4096),
  p256dh        text NOT NULL DEFAULT '',
  auth          text NOT NULL DEFAULT '',
  label         text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  CHECK (kind <> 'web_push' OR (p256dh <> '' AND auth <> '')),
  UNIQUE (user_id, token),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX devices_org_token_idx ON devices (org_id, token);

-- What a person wants as push; a person with no row gets every kind.
CREATE TABLE push_preferences (
  org_id        uuid NOT NULL,
  user_id       uuid PRIMARY KEY,
  assignments   boolean NOT NULL DEFAULT true,
  reminders     boolean NOT NULL DEFAULT true,
  due_actions   boolean NOT NULL DEFAULT true,
  updated_at    timestamptz NOT NULL,
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
SELECT make_tenant_tables('devices', 'push_preferences');

-- A push delivery's recipient is the id of the device it goes to.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'sms', 'push'));

-- +goose Down
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
DELETE FROM deliveries WHERE channel = 'push';
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'sms'));
DROP TABLE push_preferences, devices;
