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

-- +goose Down
DROP INDEX deliveries_action_idx;
ALTER TABLE deliveries DROP COLUMN attachment_ids, DROP COLUMN reply_to, DROP COLUMN from_address,
  DROP COLUMN from_name, DROP COLUMN action_id;
ALTER TABLE organizations DROP COLUMN sender_mode;
