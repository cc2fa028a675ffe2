-- name: MaintenanceClaim :one
SELECT maintenance_claim(sqlc.arg(job)::text, sqlc.arg(now)::timestamptz, sqlc.arg(every)::interval)::boolean AS claimed;

-- name: RetentionPrune :one
SELECT retention_prune(sqlc.arg(kind)::text, sqlc.arg(before)::timestamptz, sqlc.arg(row_limit)::integer)::integer AS deleted;
