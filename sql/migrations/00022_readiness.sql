-- +goose Up
-- Readiness: the application role reads which migrations are applied, to tell a schema behind its
-- binary (run `relance migrate`) from one it can serve.
GRANT SELECT ON goose_db_version TO relance_app;

-- +goose Down
REVOKE SELECT ON goose_db_version FROM relance_app;
