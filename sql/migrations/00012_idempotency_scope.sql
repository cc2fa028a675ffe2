-- +goose Up
-- An idempotency key belongs to the credential that sent it (an API key, or a person, whose
-- session token changes at each login), and an external id to its source: two callers never
-- share a key, and two lead sources never share an id. The fingerprint (SHA-256 of the request
-- that created the lead) tells a retry from a different request sent under the same key.
ALTER TABLE leads ADD COLUMN idempotency_scope uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE leads ADD COLUMN fingerprint bytea;

-- Leads created before this migration: their creator is the actor of their lead.create audit
-- row (the API key, or the person). Their fingerprint stays unknown (NULL): a retry of such a
-- request is answered with its lead, as it was before.
UPDATE leads l SET idempotency_scope = a.actor_id
FROM audit_log a
WHERE a.org_id = l.org_id AND a.subject_id = l.id AND a.action = 'lead.create' AND a.actor_id IS NOT NULL
  AND l.idempotency_key IS NOT NULL;

DROP INDEX leads_idempotency_key;
DROP INDEX leads_external_id_key;
CREATE UNIQUE INDEX leads_idempotency_key ON leads (org_id, idempotency_scope, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX leads_external_id_key ON leads (org_id, source, external_id) WHERE external_id IS NOT NULL;

-- A call's external id stays one per organisation (the telephony system's id, which the app and
-- the telephony key may both report); its fingerprint tells a retry from another call under it.
ALTER TABLE calls ADD COLUMN fingerprint bytea;

-- The last active admin of an organisation is found and locked by role.
CREATE INDEX users_admin_idx ON users (org_id) WHERE role = 'admin' AND active;

-- A user's sessions are revoked together (password change, deactivation).
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id) WHERE user_id IS NOT NULL AND revoked_at IS NULL;

-- +goose Down
DROP INDEX api_tokens_user_idx;
DROP INDEX users_admin_idx;
DROP INDEX leads_external_id_key;
DROP INDEX leads_idempotency_key;
CREATE UNIQUE INDEX leads_external_id_key ON leads (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX leads_idempotency_key ON leads (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
ALTER TABLE calls DROP COLUMN fingerprint;
ALTER TABLE leads DROP COLUMN fingerprint, DROP COLUMN idempotency_scope;
