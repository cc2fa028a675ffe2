-- name: AdfVendorCreate :exec
INSERT INTO adf_vendors (id, org_id, vendor_id, vendor_name, site_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: AdfVendorList :many
SELECT * FROM adf_vendors ORDER BY vendor_id, lower(vendor_name), id;

-- name: AdfVendorDelete :execrows
DELETE FROM adf_vendors WHERE id = $1;

-- name: AdfVendorFind :one
-- The site of a vendor: a mapping of its id first, else one of its name (without case).
SELECT site_id FROM adf_vendors
WHERE (sqlc.arg(vendor_id)::text <> '' AND vendor_id = sqlc.arg(vendor_id)::text)
   OR (sqlc.arg(vendor_name)::text <> '' AND vendor_name <> '' AND lower(vendor_name) = lower(sqlc.arg(vendor_name)::text))
ORDER BY (vendor_id <> '') DESC
LIMIT 1;

-- name: AdfIntakeTokenCreate :exec
INSERT INTO adf_intake_tokens (token_id, org_id, source, site_id, created_at)
VALUES ($1, $2, $3, $4, $5);

-- name: AdfIntakeTokenGet :one
SELECT * FROM adf_intake_tokens WHERE token_id = $1;

-- name: AdfIntakeTokenList :many
SELECT i.token_id, i.source, i.site_id, i.created_at, t.prefix, t.revoked_at
FROM adf_intake_tokens i JOIN api_tokens t ON t.id = i.token_id
ORDER BY i.created_at, i.token_id;

-- name: AdfDocumentCreate :exec
-- A lead keeps the first document it came from.
INSERT INTO adf_documents (lead_id, org_id, content, received_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (lead_id) DO NOTHING;

-- name: AdfDocumentGet :one
SELECT * FROM adf_documents WHERE lead_id = $1;

-- name: AdfDocumentListRecent :many
-- The newest first by lead id (UUIDv7, so in creation order), which walks the primary key.
SELECT d.lead_id, d.received_at, l.site_id, l.source, l.contact_name
FROM adf_documents d JOIN leads l ON l.id = d.lead_id
ORDER BY d.lead_id DESC
LIMIT $1;
