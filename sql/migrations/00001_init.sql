-- +goose Up
-- The schema of Relance. Every tenant table carries org_id and is guarded by row-level security:
-- the application connects as relance_app, which owns nothing and cannot bypass RLS, and sets
-- app.org_id at the start of every transaction.

-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'relance_app') THEN
    CREATE ROLE relance_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO relance_app;

-- app_org is the tenant of the current transaction, or NULL when none is set (then every
-- policy below hides every row).
CREATE FUNCTION app_org() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT NULLIF(current_setting('app.org_id', true), '')::uuid $$;

CREATE TABLE organizations (
  id          uuid PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL
);

CREATE TABLE sites (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations (id),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone   text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (org_id, id)
);

-- One row per opening window; minutes since local midnight, end exclusive (1440 = midnight).
CREATE TABLE site_windows (
  org_id        uuid NOT NULL,
  site_id       uuid NOT NULL,
  weekday       smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_minute  smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute    smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
  CHECK (end_minute > start_minute),
  PRIMARY KEY (site_id, weekday, start_minute),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE
);

CREATE TABLE site_closures (
  org_id      uuid NOT NULL,
  site_id     uuid NOT NULL,
  start_date  date NOT NULL,
  end_date    date NOT NULL,
  reason      text NOT NULL DEFAULT '',
  CHECK (end_date >= start_date),
  PRIMARY KEY (site_id, start_date),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE
);

CREATE TABLE users (
  id                  uuid PRIMARY KEY,
  org_id              uuid NOT NULL REFERENCES organizations (id),
  email               text NOT NULL CHECK (email = lower(email)),
  display_name        text NOT NULL,
  role                text NOT NULL CHECK (role IN ('advisor', 'manager', 'admin')),
  manager_id          uuid,
  personal_email      text NOT NULL DEFAULT '',
  phone               text NOT NULL DEFAULT '',
  locale              text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en', 'ru')),
  notify_email        boolean NOT NULL DEFAULT true,
  notify_sms          boolean NOT NULL DEFAULT false,
  notify_in_app       boolean NOT NULL DEFAULT true,
  use_personal_email  boolean NOT NULL DEFAULT false,
  active              boolean NOT NULL DEFAULT true,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id)
);
-- A work email signs in to exactly one organisation.
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE user_sites (
  org_id   uuid NOT NULL,
  user_id  uuid NOT NULL,
  site_id  uuid NOT NULL,
  PRIMARY KEY (user_id, site_id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE
);
CREATE INDEX user_sites_site_idx ON user_sites (site_id);

CREATE TABLE absences (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  user_id     uuid NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  CHECK (ends_at > starts_at),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX absences_user_idx ON absences (user_id, ends_at);

CREATE TABLE passwords (
  user_id     uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  hash        text NOT NULL,
  updated_at  timestamptz NOT NULL,
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- Session tokens (kind 'session', owned by a user) and partner API keys (kind 'api_key', with
-- scopes). Only a SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL REFERENCES organizations (id),
  kind          text NOT NULL CHECK (kind IN ('session', 'api_key')),
  user_id       uuid,
  name          text NOT NULL DEFAULT '',
  prefix        text NOT NULL,
  secret_hash   bytea NOT NULL UNIQUE,
  scopes        text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  CHECK ((kind = 'session') = (user_id IS NOT NULL)),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

CREATE TABLE leads (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL,
  site_id            uuid NOT NULL,
  source             text NOT NULL,
  source_group       text NOT NULL DEFAULT '',
  category           text NOT NULL DEFAULT '' CHECK (category IN ('', 'A', 'B', 'C')),
  contact_name       text NOT NULL,
  contact_phone      text NOT NULL DEFAULT '',
  contact_email      text NOT NULL DEFAULT '',
  assignee_id        uuid,
  stage              text NOT NULL DEFAULT 'open' CHECK (stage IN ('open', 'won', 'rejected')),
  interaction_status text NOT NULL DEFAULT '',
  external_id        text,
  idempotency_key    text,
  notes              text NOT NULL DEFAULT '',
  received_at        timestamptz NOT NULL,
  assigned_at        timestamptz,
  first_response_at  timestamptz,
  -- Business seconds from receipt to first_response_at, in the site's opening hours.
  response_seconds   integer,
  late_at            timestamptz,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id),
  FOREIGN KEY (org_id, assignee_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX leads_external_id_key ON leads (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX leads_idempotency_key ON leads (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The list order is (received_at DESC, id DESC); these serve it per organisation, site and assignee.
CREATE INDEX leads_org_order_idx ON leads (org_id, received_at DESC, id DESC);
CREATE INDEX leads_site_order_idx ON leads (site_id, received_at DESC, id DESC);
CREATE INDEX leads_assignee_order_idx ON leads (assignee_id, received_at DESC, id DESC);

CREATE TABLE activities (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  lead_id     uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('call', 'email', 'sms', 'letter', 'task', 'meeting')),
  origin      text NOT NULL CHECK (origin IN ('human', 'system')),
  state       text NOT NULL CHECK (state IN ('planned', 'done', 'skipped', 'failed')),
  due_at      timestamptz,
  done_at     timestamptz,
  actor_id    uuid,
  content     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  CHECK (state <> 'done' OR done_at IS NOT NULL),
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, actor_id) REFERENCES users (org_id, id)
);
CREATE INDEX activities_lead_idx ON activities (lead_id, created_at, id);

-- The timer ledger: every obligation that fires at a time. Postgres decides (this row), the task
-- queue only delivers (task id = timer id + version). A handler locks the row and re-checks it.
CREATE TABLE timers (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organizations (id),
  kind        text NOT NULL,
  subject_id  uuid NOT NULL,
  -- Opaque to the ledger: what the obligation was about when it was written (e.g. the assignee).
  ref         text NOT NULL DEFAULT '',
  due_at      timestamptz NOT NULL,
  version     integer NOT NULL DEFAULT 1,
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
  fired_at    timestamptz,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX timers_due_idx ON timers (due_at, id) WHERE state = 'pending';
CREATE INDEX timers_subject_idx ON timers (subject_id, kind);

-- A message to a person. The unique key is written before anything is sent, so that no retry,
-- duplicate task or second worker ever sends it twice.
CREATE TABLE deliveries (
  id             uuid PRIMARY KEY,
  org_id         uuid NOT NULL REFERENCES organizations (id),
  key            text NOT NULL,
  channel        text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient      text NOT NULL,
  user_id        uuid,
  lead_id        uuid,
  subject        text NOT NULL DEFAULT '',
  body_text      text NOT NULL,
  body_html      text NOT NULL DEFAULT '',
  state          text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts       integer NOT NULL DEFAULT 0,
  lease_until    timestamptz,
  last_error     text NOT NULL DEFAULT '',
  provider_id    text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL,
  sent_at        timestamptz,
  UNIQUE (org_id, key)
);
CREATE INDEX deliveries_lead_idx ON deliveries (lead_id);

-- In-app alerts, shown live and kept for who was offline.
CREATE TABLE alerts (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  user_id     uuid NOT NULL,
  kind        text NOT NULL,
  lead_id     uuid,
  title       text NOT NULL,
  body        text NOT NULL DEFAULT '',
  key         text NOT NULL,
  created_at  timestamptz NOT NULL,
  acked_at    timestamptz,
  UNIQUE (org_id, key),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX alerts_user_idx ON alerts (user_id, created_at DESC);

-- Who did what, append-only: the application role may insert and read, never change.
CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id        uuid NOT NULL,
  at            timestamptz NOT NULL,
  actor_kind    text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system')),
  actor_id      uuid,
  action        text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    uuid,
  details       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, at DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();

-- Row-level security: one policy per tenant table.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organizations USING (id = app_org()) WITH CHECK (id = app_org());

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sites', 'site_windows', 'site_closures', 'users', 'user_sites',
    'absences', 'passwords', 'api_tokens', 'leads', 'activities', 'timers', 'deliveries',
    'alerts', 'audit_log']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = app_org()) WITH CHECK (org_id = app_org())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO relance_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
GRANT SELECT, INSERT, UPDATE ON organizations TO relance_app;
REVOKE UPDATE, DELETE ON audit_log FROM relance_app;

-- The three reads that must cross tenants, each returning only what its caller needs. They run
-- as the schema owner (SECURITY DEFINER) with a fixed search_path.

-- auth_password_lookup finds the account behind a work email, for Login.
CREATE FUNCTION auth_password_lookup(p_email text)
RETURNS TABLE (org_id uuid, user_id uuid, hash text, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT u.org_id, u.id, p.hash, u.active
  FROM users u JOIN passwords p ON p.user_id = u.id
  WHERE u.email = lower(p_email)
$$;

-- auth_token_lookup finds the live token or API key behind a secret's hash, with what
-- authorisation needs of its user (role and sites), in one round trip.
CREATE FUNCTION auth_token_lookup(p_hash bytea, p_now timestamptz)
RETURNS TABLE (org_id uuid, token_id uuid, kind text, user_id uuid, scopes text[], role text, site_ids uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT t.org_id, t.id, t.kind, t.user_id, t.scopes, u.role,
         ARRAY(SELECT s.site_id FROM user_sites s WHERE s.user_id = t.user_id ORDER BY s.site_id)
  FROM api_tokens t
  LEFT JOIN users u ON u.id = t.user_id
  WHERE t.secret_hash = p_hash
    AND t.revoked_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > p_now)
    AND (t.kind = 'api_key' OR u.active)
$$;

-- timer_list_due pages through pending timers due before an instant, across tenants, for the
-- sweeper: the page after (p_after_due, p_after_id) in (due_at, id) order.
CREATE FUNCTION timer_list_due(p_before timestamptz, p_after_due timestamptz, p_after_id uuid, p_limit integer)
RETURNS TABLE (id uuid, org_id uuid, version integer, due_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT t.id, t.org_id, t.version, t.due_at
  FROM timers t
  WHERE t.state = 'pending' AND t.due_at <= p_before AND (t.due_at, t.id) > (p_after_due, p_after_id)
  ORDER BY t.due_at, t.id
  LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION auth_password_lookup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_token_lookup(bytea, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION timer_list_due(timestamptz, timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_password_lookup(text) TO relance_app;
GRANT EXECUTE ON FUNCTION auth_token_lookup(bytea, timestamptz) TO relance_app;
GRANT EXECUTE ON FUNCTION timer_list_due(timestamptz, timestamptz, uuid, integer) TO relance_app;

-- +goose Down
DROP FUNCTION timer_list_due(timestamptz, timestamptz, uuid, integer);
DROP FUNCTION auth_token_lookup(bytea, timestamptz);
DROP FUNCTION auth_password_lookup(text);
DROP TABLE audit_log, alerts, deliveries, timers, activities, leads, api_tokens, passwords,
  absences, user_sites, users, site_closures, site_windows, sites, organizations;
DROP FUNCTION audit_log_immutable();
DROP FUNCTION app_org();
