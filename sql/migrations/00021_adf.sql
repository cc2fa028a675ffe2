-- +goose Up
-- ADF/XML intake. A prospect's <vendor> names the dealer; admins map a vendor id or name to a
-- site. Lead providers that cannot set an Authorization header post to a URL holding a
-- per-source intake token: an API key (api_tokens, scope leads.create) with the source its leads
-- get and the site they go to when a prospect names no vendor. Every document read is
-- kept, linked to the leads it created, for admins to read.
CREATE TABLE adf_vendors (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  vendor_id   text NOT NULL DEFAULT '',
  vendor_name text NOT NULL DEFAULT '',
  site_id     uuid NOT NULL,
  created_at  timestamptz NOT NULL,
  CHECK ((vendor_id = '') <> (vendor_name = '')),
  FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id) ON DELETE CASCADE
);
-- A vendor id or name maps to one site per organisation; names match without case.
CREATE UNIQUE INDEX adf_vendors_id_idx ON adf_vendors (org_id, vendor_id) WHERE vendor_id <> '';
CREATE UNIQUE INDEX adf_vendors_name_idx ON adf_vendors (org_id, lower(vendor_name)) WHERE vendor_name <> '';

CREATE TABLE adf_intake_tokens (
  token_id    uuid PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
  org_id      uuid NOT NULL,
  source      text NOT NULL,
  site_id     uuid,
  created_at  timestamptz NOT NULL,
  FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE SET NULL
);

CREATE TABLE adf_documents (
  lead_id     uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  content     text NOT NULL,
  received_at timestamptz NOT NULL,
  FOREIGN KEY (org_id, lead_id) REFERENCES leads (org_id, id) ON DELETE CASCADE
);

-- The vehicle a lead asks about (ADF's vehicle of interest): all empty when none.
ALTER TABLE leads
  ADD COLUMN vehicle_interest text NOT NULL DEFAULT '',
  ADD COLUMN vehicle_status   text NOT NULL DEFAULT '',
  ADD COLUMN vehicle_year     text NOT NULL DEFAULT '',
  ADD COLUMN vehicle_make     text NOT NULL DEFAULT '',
  ADD COLUMN vehicle_model    text NOT NULL DEFAULT '',
  ADD COLUMN vehicle_vin      text NOT NULL DEFAULT '',
  ADD COLUMN vehicle_stock    text NOT NULL DEFAULT '';

ALTER TABLE adf_vendors ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON adf_vendors USING (org_id = app_org()) WITH CHECK (org_id = app_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON adf_vendors TO relance_app;
ALTER TABLE adf_intake_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON adf_intake_tokens USING (org_id = app_org()) WITH CHECK (org_id = app_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON adf_intake_tokens TO relance_app;
ALTER TABLE adf_documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON adf_documents USING (org_id = app_org()) WITH CHECK (org_id = app_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON adf_documents TO relance_app;

-- +goose Down
ALTER TABLE leads DROP COLUMN vehicle_interest, DROP COLUMN vehicle_status, DROP COLUMN vehicle_year,
  DROP COLUMN vehicle_make, DROP COLUMN vehicle_model, DROP COLUMN vehicle_vin, DROP COLUMN vehicle_stock;
DROP TABLE adf_documents;
DROP TABLE adf_intake_tokens;
DROP TABLE adf_vendors;
