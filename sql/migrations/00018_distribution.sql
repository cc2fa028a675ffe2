-- +goose Up
-- Distribution rules: who gets a lead that arrives without an assignee, per organisation (site_id
-- and source NULL), site, source, or source at a site. The most specific rule wins.
CREATE TABLE distribution_rules (
  id                       uuid PRIMARY KEY,
  org_id                   uuid NOT NULL REFERENCES organizations (id),
  site_id                  uuid,
  source                   text CHECK (length(source) BETWEEN 1 AND 100),
  strategy                 text NOT NULL CHECK (strategy IN ('round_robin', 'least_loaded', 'fixed', 'manager')),
  fixed_advisor_id         uuid,
  -- 0: no cap on the open leads of an advisor.
  max_open_leads           integer NOT NULL DEFAULT 0 CHECK (max_open_leads BETWEEN 0 AND 10000),
  -- NULL: the advisors' calendars do not matter; else their calendar must be open now or open
  -- within that many business minutes.
  calendar_within_minutes  integer CHECK (calendar_within_minutes BETWEEN 0 AND 1440),
  -- The lead timer: a lead nobody answered within that many business minutes of its advisor
  -- moves to the next eligible advisor, at most max_moves times (NULL: no timer).
  move_after_minutes       integer CHECK (move_after_minutes BETWEEN 15 AND 120),
  max_moves                smallint NOT NULL DEFAULT 0 CHECK (max_moves BETWEEN 0 AND 10),
  -- The round-robin state, changed only under this row's lock (SELECT … FOR UPDATE), so that
  -- leads created at once by several API processes still take exact turns: the virtual time of
  -- the last turn, and the number of leads given.
  rr_clock                 bigint NOT NULL DEFAULT 0,
  rr_turn                  bigint NOT NULL DEFAULT 0,
  created_at               timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL,
  CHECK ((strategy = 'fixed') = (fixed_advisor_id IS NOT NULL)),
  CHECK ((move_after_minutes IS NULL) = (max_moves = 0)),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, fixed_advisor_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX distribution_rules_scope_key ON distribution_rules (org_id, site_id, source) NULLS NOT DISTINCT;

-- Advisors weighted differently from 1 under a rule.
CREATE TABLE distribution_weights (
  org_id      uuid NOT NULL,
  rule_id     uuid NOT NULL,
  advisor_id  uuid NOT NULL,
  weight      smallint NOT NULL CHECK (weight BETWEEN 1 AND 100),
  PRIMARY KEY (rule_id, advisor_id),
  FOREIGN KEY (org_id, rule_id) REFERENCES distribution_rules (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, advisor_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- Each advisor's round-robin standing under a rule: their virtual time, and the rule's turn at
-- which they last received a lead. Written under the rule's lock.
CREATE TABLE distribution_turns (
  org_id      uuid NOT NULL,
  rule_id     uuid NOT NULL,
  advisor_id  uuid NOT NULL,
  pass        bigint NOT NULL,
  last_turn   bigint NOT NULL,
  PRIMARY KEY (rule_id, advisor_id),
  FOREIGN KEY (org_id, rule_id) REFERENCES distribution_rules (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, advisor_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- Open leads per advisor (least-loaded, caps) are counted on leads_open_assignee_idx (00002).

SELECT make_tenant_tables('distribution_rules', 'distribution_weights', 'distribution_turns');

-- +goose Down
DROP TABLE distribution_turns, distribution_weights, distribution_rules;
