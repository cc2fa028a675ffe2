-- +goose Up
-- Manual email and SMS steps are sent when their assignee completes them. The organisation says
-- whose address an email comes from: the organisation's sender with the member as Reply-To
-- (passes SPF/DMARC for any member's domain), or the member's own address.
ALTER TABLE organizations ADD COLUMN sender_mode text NOT NULL DEFAULT 'organization'
  CHECK (sender_mode IN ('organization', 'member'));

-- A delivery knows the action it carries out (linked by id, not by parsing its key), its
-- sender and Reply-To when they are not the server's, and the action's files it attaches.
ALTER TABLE deliveries
  ADD COLUMN action_id uuid,
  ADD COLUMN from_name text NOT NULL DEFAULT '',
  ADD COLUMN from_address text NOT NULL DEFAULT '',
  ADD COLUMN reply_to text NOT NULL DEFAULT '',
  ADD COLUMN attachment_ids uuid[] NOT NULL DEFAULT '{}';
CREATE INDEX deliveries_action_idx ON deliveries (action_id) WHERE action_id IS NOT NULL;

-- Files an automatic email step of a plan carries, by the step's position; their bytes are in
-- the blob store as the actions' files are. A removed file keeps its row (removed_at): emails
-- already written still carry it.
CREATE TABLE plan_files (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  plan_id       uuid NOT NULL,
  step          smallint NOT NULL CHECK (step >= 0),
  file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
  sha256        bytea NOT NULL CHECK (length(sha256) = 32),
  storage       text NOT NULL,
  uploaded_by   uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  removed_at    timestamptz,
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, uploaded_by) REFERENCES users (org_id, id)
);
CREATE INDEX plan_files_plan_idx ON plan_files (plan_id, step, created_at, id) WHERE removed_at IS NULL;
SELECT make_tenant_tables('plan_files');

-- +goose Down
DROP TABLE plan_files;
DROP INDEX deliveries_action_idx;
ALTER TABLE deliveries DROP COLUMN attachment_ids, DROP COLUMN reply_to, DROP COLUMN from_address,
  DROP COLUMN from_name, DROP COLUMN action_id;
ALTER TABLE organizations DROP COLUMN sender_mode;
