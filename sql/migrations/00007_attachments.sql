-- +goose Up
-- Files joined to actions: what is known of each here, and (with the PostgreSQL blob store)
-- their bytes in a table of their own, so that listing attachments never reads them.

CREATE TABLE attachments (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  action_id     uuid NOT NULL,
  file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
  sha256        bytea NOT NULL CHECK (length(sha256) = 32),
  storage       text NOT NULL,
  uploaded_by   uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  FOREIGN KEY (org_id, action_id) REFERENCES actions (org_id, id),
  FOREIGN KEY (org_id, uploaded_by) REFERENCES users (org_id, id)
);
CREATE INDEX attachments_action_idx ON attachments (action_id, created_at, id);

CREATE TABLE blobs (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations (id),
  data        bytea NOT NULL,
  created_at  timestamptz NOT NULL
);
-- The bytes are compressed already (PDF, images, zip) or small: no TOAST compression.
ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;

SELECT make_tenant_tables('attachments', 'blobs');

-- +goose Down
DROP TABLE blobs, attachments;
