-- name: ReminderPolicyGet :one
SELECT * FROM reminder_policies WHERE site_id = $1;

-- name: ReminderPolicySet :exec
INSERT INTO reminder_policies (site_id, org_id, rungs, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (site_id) DO UPDATE SET rungs = EXCLUDED.rungs, updated_at = EXCLUDED.updated_at;
