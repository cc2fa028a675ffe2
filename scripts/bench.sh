#!/usr/bin/env bash
# make bench: start a throwaway PostgreSQL (durable settings, as in production) and Redis, then
# load the API and print the figures next to a raw pgx baseline. The web app's first-page weight
# comes first and needs no database; BENCH_ONLY=web prints it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = web ]; then
  bash scripts/web-size.sh
fi
if [ "${BENCH_ONLY:-}" = web ]; then
  exit 0
fi
if [ "${BENCH_ONLY:-}" = reports ]; then
  make --no-print-directory web >/dev/null # the dashboard's time to figures loads the built app
fi
source scripts/services.sh

ensure_packages browser
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
start_postgres "$work/pg" "$pg_port" durable
start_redis "$redis_port"
create_database "$pg_port" relance_bench

export MIGRATE_DATABASE_URL="postgres://relance_owner@127.0.0.1:$pg_port/relance_bench?sslmode=disable"
export DATABASE_URL="postgres://relance_app@127.0.0.1:$pg_port/relance_bench?sslmode=disable"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
go run ./cmd/relance-bench
