-- name: DeliveryCreate :one
-- Returns no row when a delivery with the same key already exists. A delivery written already
-- leased (state sending, attempts 1, lease_until) is sent by the worker that wrote it.
INSERT INTO deliveries (id, org_id, key, channel, recipient, user_id, lead_id, subject, body_text,
  body_html, created_at, customer, action_id, from_name, from_address, reply_to, attachment_ids,
  state, attempts, lease_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, sqlc.arg(attachment_ids)::uuid[],
  sqlc.arg(state), sqlc.arg(attempts), sqlc.narg(lease_until))
ON CONFLICT (org_id, key) DO NOTHING
RETURNING *;

-- name: DeliveryGetForUpdate :one
SELECT * FROM deliveries WHERE id = $1 FOR UPDATE;

-- name: DeliveryClaim :exec
UPDATE deliveries SET state = 'sending', attempts = attempts + 1, lease_until = $2 WHERE id = $1;

-- name: DeliveryUntried :exec
-- Puts back a delivery whose send never reached its provider: pending again, and its lease's
-- attempt taken back.
UPDATE deliveries SET state = 'pending', attempts = attempts - 1, last_error = $2, lease_until = NULL
WHERE id = $1;

-- name: DeliveryFinish :exec
UPDATE deliveries SET state = $2, last_error = $3, provider_id = $4, sent_at = $5, lease_until = NULL
WHERE id = $1;

-- name: DeliveryListByLead :many
-- Webhook deliveries are the admins' (WebhookService): their recipient is an endpoint URL.
SELECT * FROM deliveries WHERE lead_id = $1 AND channel <> 'webhook' ORDER BY created_at, id;

-- name: DeliveryListFailed :many
-- Failed deliveries across tenants, for the schema owner (relance deliveries), newest first.
SELECT d.id, d.org_id, o.name AS org_name, d.channel, d.recipient, d.lead_id, d.attempts, d.last_error, d.created_at
FROM deliveries d JOIN organizations o ON o.id = d.org_id
WHERE d.state = 'failed' AND d.created_at >= sqlc.arg(since)::timestamptz
  AND (sqlc.arg(channel)::text = '' OR d.channel = sqlc.arg(channel)::text)
  AND (sqlc.narg(org_id)::uuid IS NULL OR d.org_id = sqlc.narg(org_id)::uuid)
ORDER BY d.created_at DESC, d.id DESC
LIMIT sqlc.arg(row_limit)::integer;

-- name: DeliveryGetForOperator :one
SELECT id, org_id, state, channel FROM deliveries WHERE id = $1;

-- name: DeliveryRevive :one
-- A failed delivery back to pending from its first try; no row when it is not failed (any more).
UPDATE deliveries SET state = 'pending', attempts = 0, last_error = '', lease_until = NULL
WHERE id = $1 AND state = 'failed'
RETURNING id;

-- name: DeliveryFinishSentMany :many
-- Records as sent the deliveries still held by the attempt that sent them (sending, with that
-- attempt count); it returns those it recorded. A delivery whose lease ran out and was taken
-- over is left as it is. The rows are found by id (d.id = ANY): joined only to the list, the
-- planner may start from the organisation's deliveries being sent, and unnest the list again
-- for each of them.
UPDATE deliveries d
SET state = 'sent', last_error = '', provider_id = s.provider_id, sent_at = @sent_at, lease_until = NULL
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@attempts::integer[]) AS attempts,
  unnest(@provider_ids::text[]) AS provider_id) AS s
WHERE d.id = ANY(@ids::uuid[]) AND d.id = s.id AND d.state = 'sending' AND d.attempts = s.attempts
RETURNING d.id;
