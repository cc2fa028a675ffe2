-- +goose Up
-- The daily digest can be turned off for a whole organisation; it is on unless an admin turns it
-- off.
ALTER TABLE organizations ADD COLUMN digest_enabled boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE organizations DROP COLUMN digest_enabled;
