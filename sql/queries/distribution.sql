-- name: DistributionRuleList :many
SELECT * FROM distribution_rules ORDER BY site_id NULLS FIRST, source NULLS FIRST, id;

-- name: DistributionRuleLock :one
-- Takes a rule's lock for one distribution: concurrent distributions under the rule wait here,
-- then read the standings and loads the previous one committed.
SELECT * FROM distribution_rules WHERE id = $1 FOR UPDATE;

-- name: DistributionRuleCreate :one
INSERT INTO distribution_rules (id, org_id, site_id, source, strategy, fixed_advisor_id, max_open_leads,
  calendar_within_minutes, move_after_minutes, max_moves, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
RETURNING *;

-- name: DistributionRuleUpdate :one
UPDATE distribution_rules SET site_id = $2, source = $3, strategy = $4, fixed_advisor_id = $5,
  max_open_leads = $6, calendar_within_minutes = $7, move_after_minutes = $8, max_moves = $9, updated_at = $10
WHERE id = $1
RETURNING *;

-- name: DistributionRuleDelete :execrows
DELETE FROM distribution_rules WHERE id = $1;

-- name: DistributionRuleAdvance :exec
UPDATE distribution_rules SET rr_clock = $2, rr_turn = $3 WHERE id = $1;

-- name: DistributionWeightList :many
SELECT * FROM distribution_weights WHERE rule_id = ANY(sqlc.arg(rule_ids)::uuid[]) ORDER BY rule_id, advisor_id;

-- name: DistributionWeightDeleteAll :exec
DELETE FROM distribution_weights WHERE rule_id = $1;

-- name: DistributionWeightInsert :exec
INSERT INTO distribution_weights (org_id, rule_id, advisor_id, weight) VALUES ($1, $2, $3, $4);

-- name: DistributionCandidates :many
-- The people a lead of a site may go to under a rule: the site's advisors, and the rule's fixed
-- advisor wherever they work, with their open leads (counted only when the rule weighs loads,
-- else 0) and their standing under the rule.
SELECT u.id, u.display_name, u.role, u.active,
  EXISTS (SELECT 1 FROM user_sites s WHERE s.user_id = u.id AND s.site_id = sqlc.arg(site_id)) AS at_site,
  (CASE WHEN sqlc.arg(count_open_leads)::boolean
    THEN (SELECT count(*) FROM leads l WHERE l.assignee_id = u.id AND l.stage = 'open') ELSE 0 END)::integer AS open_leads,
  COALESCE(t.pass, 0)::bigint AS pass, COALESCE(t.last_turn, 0)::bigint AS last_turn
FROM users u
LEFT JOIN distribution_turns t ON t.rule_id = sqlc.arg(rule_id) AND t.advisor_id = u.id
WHERE (u.role = 'advisor' AND u.id IN (SELECT user_id FROM user_sites WHERE site_id = sqlc.arg(site_id)))
   OR u.id = sqlc.narg(fixed_advisor_id)
ORDER BY u.id;

-- name: DistributionTurnSet :exec
INSERT INTO distribution_turns (org_id, rule_id, advisor_id, pass, last_turn) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (rule_id, advisor_id) DO UPDATE SET pass = EXCLUDED.pass, last_turn = EXCLUDED.last_turn;
