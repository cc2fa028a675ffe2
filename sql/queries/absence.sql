-- name: AbsenceCreate :exec
INSERT INTO absences (id, org_id, user_id, starts_at, ends_at, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: AbsenceGet :one
SELECT * FROM absences WHERE id = $1;

-- name: AbsenceDelete :exec
DELETE FROM absences WHERE id = $1;

-- name: AbsenceListByUser :many
SELECT * FROM absences WHERE user_id = $1 AND ends_at > sqlc.arg(from_time)
ORDER BY starts_at, id;

-- name: AbsenceListBetween :many
-- The absences of a user that overlap [from_time, to_time).
SELECT * FROM absences WHERE user_id = $1 AND ends_at > sqlc.arg(from_time) AND starts_at < sqlc.arg(to_time)
ORDER BY starts_at, id;

-- name: AbsenceListForUsers :many
-- The absences of some users that overlap [from_time, to_time).
SELECT * FROM absences
WHERE user_id = ANY(sqlc.arg(user_ids)::uuid[]) AND ends_at > sqlc.arg(from_time) AND starts_at < sqlc.arg(to_time)
ORDER BY user_id, starts_at, id;
