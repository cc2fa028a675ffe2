-- name: WebhookEndpointCreate :one
INSERT INTO webhook_endpoints (id, org_id, url, description, filter, enabled, secret, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
RETURNING *;

-- name: WebhookEndpointGet :one
SELECT * FROM webhook_endpoints WHERE id = $1;

-- name: WebhookEndpointGetForUpdate :one
SELECT * FROM webhook_endpoints WHERE id = $1 FOR UPDATE;

-- name: WebhookEndpointList :many
SELECT * FROM webhook_endpoints ORDER BY created_at, id;

-- name: WebhookEndpointListEnabled :many
SELECT * FROM webhook_endpoints WHERE enabled ORDER BY id;

-- name: WebhookEndpointUpdate :one
-- Enabling an endpoint forgets why it was disabled and since when it failed.
UPDATE webhook_endpoints SET url = $2, description = $3, filter = $4, enabled = $5,
  disabled_reason = CASE WHEN $5 THEN '' ELSE disabled_reason END,
  failing_since = CASE WHEN $5 AND NOT enabled THEN NULL ELSE failing_since END,
  updated_at = $6
WHERE id = $1
RETURNING *;

-- name: WebhookEndpointDelete :execrows
DELETE FROM webhook_endpoints WHERE id = $1;

-- name: WebhookEndpointRotate :one
UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $3, secret = $2, updated_at = $4
WHERE id = $1
RETURNING *;

-- name: WebhookEndpointFailing :one
-- Records a failed attempt; returns since when the endpoint has been failing.
UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1
RETURNING failing_since::timestamptz;

-- name: WebhookEndpointHealthy :exec
UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL;

-- name: WebhookEndpointDisable :execrows
UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3
WHERE id = $1 AND enabled;

-- name: WebhookMessageCreate :exec
INSERT INTO webhook_messages (id, org_id, type, lead_id, payload, created_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: WebhookMessageList :many
-- The newest messages first, those created before a cursor (id), optionally of one lead.
SELECT * FROM webhook_messages
WHERE (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id))
  AND (sqlc.narg(lead_id)::uuid IS NULL OR lead_id = sqlc.narg(lead_id))
ORDER BY id DESC
LIMIT sqlc.arg(row_limit);

-- name: WebhookDeliveryCreate :one
-- Returns no row when this message already has a delivery to this endpoint.
INSERT INTO deliveries (id, org_id, key, channel, recipient, lead_id, body_text, created_at,
  webhook_endpoint_id, webhook_message_id)
VALUES ($1, $2, $3, 'webhook', $4, $5, '', $6, $7, $8)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING id;

-- name: WebhookDeliveryEarlier :one
-- An earlier message of the same lead to the same endpoint that is not delivered yet.
SELECT id FROM deliveries
WHERE channel = 'webhook' AND webhook_endpoint_id = $1 AND lead_id = $2
  AND webhook_message_id < $3 AND state IN ('pending', 'sending')
ORDER BY webhook_message_id
LIMIT 1;

-- name: WebhookDeliveryNextTimer :one
-- The pending timer of the next waiting message of the same lead to the same endpoint.
SELECT t.id FROM deliveries d JOIN timers t ON t.subject_id = d.id AND t.kind = 'delivery.send' AND t.state = 'pending'
WHERE d.channel = 'webhook' AND d.webhook_endpoint_id = $1 AND d.lead_id = $2
  AND d.webhook_message_id > $3 AND d.state = 'pending'
ORDER BY d.webhook_message_id
LIMIT 1;

-- name: WebhookMessageGet :one
SELECT * FROM webhook_messages WHERE id = $1;

-- name: WebhookDeliveryListByMessages :many
SELECT * FROM deliveries
WHERE channel = 'webhook' AND webhook_message_id = ANY(sqlc.arg(message_ids)::uuid[])
ORDER BY webhook_message_id, webhook_endpoint_id;

-- name: WebhookDeliveryListFailed :many
-- Failed webhook deliveries of messages since an instant, optionally to one endpoint.
SELECT d.id FROM deliveries d JOIN webhook_messages m ON m.id = d.webhook_message_id
WHERE d.channel = 'webhook' AND d.state IN ('failed', 'unknown') AND m.created_at >= $1
  AND (sqlc.narg(endpoint_id)::uuid IS NULL OR d.webhook_endpoint_id = sqlc.narg(endpoint_id))
ORDER BY d.webhook_message_id
LIMIT 10000;

-- name: WebhookDeliveryRevive :exec
UPDATE deliveries SET state = 'pending', attempts = 0, last_error = '', lease_until = NULL
WHERE id = $1 AND state IN ('failed', 'unknown');

-- name: WebhookAttemptCreate :exec
INSERT INTO webhook_attempts (id, org_id, delivery_id, attempt, started_at, status_code, duration_ms, response, error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: WebhookAttemptList :many
SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt, started_at;

-- name: WebhookDeliveryGet :one
SELECT * FROM deliveries WHERE id = $1 AND channel = 'webhook';
