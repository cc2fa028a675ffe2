-- name: AuditInsert :exec
INSERT INTO audit_log (org_id, at, actor_kind, actor_id, action, subject_type, subject_id, details)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

