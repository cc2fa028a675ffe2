-- name: AttachmentCreate :exec
INSERT INTO attachments (id, org_id, action_id, file_name, content_type, size_bytes, sha256, storage,
  uploaded_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: AttachmentGet :one
SELECT * FROM attachments WHERE id = $1;

-- name: AttachmentDelete :exec
DELETE FROM attachments WHERE id = $1;

-- name: AttachmentCount :one
SELECT count(*) FROM attachments WHERE action_id = $1;

-- name: AttachmentList :many
-- The attachments of some actions, oldest first.
SELECT * FROM attachments WHERE action_id = ANY(sqlc.arg(action_ids)::uuid[]) ORDER BY created_at, id;

-- name: AttachmentListByID :many
-- Some attachments by id, oldest first.
SELECT * FROM attachments WHERE id = ANY(sqlc.arg(ids)::uuid[]) ORDER BY created_at, id;

-- name: BlobPut :exec
INSERT INTO blobs (id, org_id, data, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO NOTHING;

-- name: BlobGet :one
SELECT data FROM blobs WHERE id = $1;

-- name: BlobDelete :exec
DELETE FROM blobs WHERE id = $1;
