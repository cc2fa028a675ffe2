#!/usr/bin/env bash
# make test: start a throwaway PostgreSQL and Redis, migrate a template database, run every Go
# test with the race detector, stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_packages
work="$(mktemp -d)"
chmod 755 "$work"
cleanup() {
  stop_pid "${REDIS_PID:-}"
  stop_pid "${PG_PID:-}"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_port="$(free_port)"
redis_port="$(free_port "$pg_port")"
start_postgres "$work/pg" "$pg_port" fast
start_redis "$redis_port"
create_database "$pg_port" relance_template
log "migrating the template database"
MIGRATE_DATABASE_URL="postgres://relance_owner@127.0.0.1:$pg_port/relance_template?sslmode=disable" go run ./cmd/relance migrate

# Tests clone relance_template into a database of their own (see internal/testenv).
export RELANCE_TEST_PG="127.0.0.1:$pg_port"
export RELANCE_TEST_REDIS="127.0.0.1:$redis_port"
log "running tests (postgres :$pg_port, redis :$redis_port)"
# A hung test fails in minutes, with its goroutines dumped, instead of holding CI. 12 minutes:
# under -race on two shared cores the postgres package alone takes about 4, and over 6 when
# every package runs at once.
go test -race -count=1 -timeout 12m "${@:-./...}"
