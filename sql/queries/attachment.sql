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
-- Some files by id, oldest first: the actions' and the plans' (those an email carries).
SELECT id, file_name, content_type, storage, created_at FROM attachments WHERE id = ANY(sqlc.arg(ids)::uuid[])
UNION ALL
SELECT id, file_name, content_type, storage, created_at FROM plan_files WHERE id = ANY(sqlc.arg(ids)::uuid[])
ORDER BY created_at, id;

-- name: PlanFileCreate :exec
INSERT INTO plan_files (id, org_id, plan_id, step, file_name, content_type, size_bytes, sha256, storage,
  uploaded_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: PlanFileGet :one
-- A file a plan's step carries now.
SELECT * FROM plan_files WHERE id = $1 AND removed_at IS NULL;

-- name: PlanFileRemove :exec
-- Takes a file off its step; emails already written still carry it.
UPDATE plan_files SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL;

-- name: PlanFileRemoveOffSteps :exec
-- Takes the files off the steps of a plan that are not among the positions given (those that
-- no longer exist or no longer send an automatic email).
UPDATE plan_files SET removed_at = sqlc.arg(now)
WHERE plan_id = sqlc.arg(plan_id) AND removed_at IS NULL AND NOT (step = ANY(sqlc.arg(keep)::smallint[]));

-- name: PlanFileList :many
-- The files the steps of some plans carry now, oldest first.
SELECT * FROM plan_files WHERE plan_id = ANY(sqlc.arg(plan_ids)::uuid[]) AND removed_at IS NULL
ORDER BY step, created_at, id;

-- name: BlobPut :exec
INSERT INTO blobs (id, org_id, data, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO NOTHING;

-- name: BlobGet :one
SELECT data FROM blobs WHERE id = $1;

-- name: BlobDelete :exec
DELETE FROM blobs WHERE id = $1;
