#!/usr/bin/env bash
# make soak: a fleet under faults. Starts a throwaway PostgreSQL (durable settings) and Redis,
# builds the relance binary, and runs cmd/relance-soak, which starts 2 API and 2 worker
# processes, loads them with lead creators and alert watchers for SOAK_DURATION (default 2m)
# while it kills and restarts processes, Redis and PostgreSQL, then checks that nothing was
# lost or doubled. Exits non-zero on any violation. Every process is stopped by its pid on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_packages
work="$(mktemp -d)"
chmod 755 "$work"
mkdir -p "$work/pids" "$work/logs"
# The harness replaces PostgreSQL, Redis and the relance processes as it restarts them, and
# writes each one's pid in $work/pids: stop the relance processes first, then Redis and PostgreSQL.
cleanup() {
  local f
  stop_pid "${SOAK_PID:-}"
  for f in "$work"/pids/api-* "$work"/pids/worker-* "$work"/pids/redis "$work"/pids/pg; do
    [ -f "$f" ] && stop_pid "$(cat "$f")"
  done
  stop_pid "${REDIS_PID:-}"
  stop_pid "${PG_PID:-}"
  if [ -n "${SOAK_KEEP:-}" ]; then log "logs kept in $work/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

pg_port="$(free_port)"
redis_port="$(free_port "$pg_port")"
api0="$(free_port "$pg_port" "$redis_port")"
api1="$(free_port "$pg_port" "$redis_port" "$api0")"
smtp_port="$(free_port "$pg_port" "$redis_port" "$api0" "$api1")"
catcher_port="$(free_port "$pg_port" "$redis_port" "$api0" "$api1" "$smtp_port")"
start_postgres "$work/pg" "$pg_port" durable
echo "$PG_PID" >"$work/pids/pg"
start_redis "$redis_port"
echo "$REDIS_PID" >"$work/pids/redis"
create_database "$pg_port" relance_soak

log "building relance and the soak harness"
go build -o "$work/relance" ./cmd/relance
go build -o "$work/relance-soak" ./cmd/relance-soak

export MIGRATE_DATABASE_URL="postgres://relance_owner@127.0.0.1:$pg_port/relance_soak?sslmode=disable"
export DATABASE_URL="postgres://relance_app@127.0.0.1:$pg_port/relance_soak?sslmode=disable"
"$work/relance" migrate >"$work/logs/migrate.log" 2>&1 || { cat "$work/logs/migrate.log" >&2; die "migrate failed"; }

export SOAK_SUPER_URL="postgres://postgres@127.0.0.1:$pg_port/relance_soak?sslmode=disable"
export SOAK_RELANCE="$work/relance" SOAK_WORK="$work" SOAK_SERVICES="$PWD/scripts/services.sh"
export SOAK_PG_DATA="$work/pg" SOAK_PG_PORT="$pg_port" SOAK_REDIS_PORT="$redis_port"
export SOAK_API_ADDRS="127.0.0.1:$api0,127.0.0.1:$api1"
export SOAK_SMTP_ADDR="127.0.0.1:$smtp_port" SOAK_CATCHER_ADDR="127.0.0.1:$catcher_port"
log "soak for ${SOAK_DURATION:-2m} (postgres :$pg_port, redis :$redis_port, API :$api0 and :$api1)"
# In the background, so that the trap can stop it by its pid on Ctrl-C.
"$work/relance-soak" &
SOAK_PID=$!
status=0
wait "$SOAK_PID" || status=$?
SOAK_PID=""
if [ "$status" -ne 0 ]; then
  for f in "$work"/logs/*.log; do
    if grep -q 'level=ERROR' "$f"; then echo "--- last errors in $(basename "$f")" >&2; grep 'level=ERROR' "$f" | tail -5 >&2; fi
  done
fi
exit "$status"
