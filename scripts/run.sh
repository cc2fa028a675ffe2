#!/usr/bin/env bash
# make run: install what is missing, start PostgreSQL and Redis as child processes (data kept in
# .data/), migrate, seed the demo organisation, and run the API and the worker in one process.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

PG_PORT="${RELANCE_PG_PORT:-25432}"
REDIS_PORT="${RELANCE_REDIS_PORT:-26379}"
API_ADDR="${LISTEN_ADDR:-127.0.0.1:8080}"
CATCHER="${CATCHER_ADDR:-127.0.0.1:8025}"
DATA="$PWD/.data"

ensure_packages
mkdir -p "$DATA"
chmod 755 "$DATA"
# The postgres user must be able to reach .data; a checkout under a private home folder may not be.
if [ "$(id -u)" -eq 0 ] && ! "${AS_PG[@]}" test -x "$DATA"; then
  die "the postgres user cannot enter $DATA; clone the repository where other users can read it (or run as a normal user)"
fi

build_web
log "building relance"
go build -o "$DATA/bin/relance" ./cmd/relance

cleanup() {
  trap - EXIT INT TERM
  log "stopping"
  stop_pid "${APP_PID:-}"
  stop_pid "${REDIS_PID:-}"
  stop_pid "${PG_PID:-}"
}
trap cleanup EXIT INT TERM

start_postgres "$DATA/pg" "$PG_PORT" durable
start_redis "$REDIS_PORT" "$DATA/redis"
create_database "$PG_PORT" relance

export MIGRATE_DATABASE_URL="postgres://relance_owner@127.0.0.1:$PG_PORT/relance?sslmode=disable"
export DATABASE_URL="postgres://relance_app@127.0.0.1:$PG_PORT/relance?sslmode=disable"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export LISTEN_ADDR="$API_ADDR"
export CATCHER_ADDR="$CATCHER"
export CORS_ORIGINS="${CORS_ORIGINS:-*}"
export SWEEP_INTERVAL="${SWEEP_INTERVAL:-5s}"
export WEB_DIR="${WEB_DIR:-$PWD/web/dist}"
export REFLECTION="${REFLECTION:-public}" # development: grpcurl without a token
# Web Push: a development key pair, made once and kept in .data/ so that browsers that
# subscribed stay subscribed across runs (VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY override it).
if [ -z "${VAPID_PUBLIC_KEY:-}" ]; then
  [ -s "$DATA/vapid.env" ] || "$DATA/bin/relance" vapid >"$DATA/vapid.env"
  set -a; source "$DATA/vapid.env"; set +a
fi

"$DATA/bin/relance" migrate
seed_out="$("$DATA/bin/relance" seed)"
token="$(sed -n 's/^  Admin token: *//p' <<<"$seed_out")"

"$DATA/bin/relance" run &
APP_PID=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/${API_ADDR%:*}/${API_ADDR##*:}") 2>/dev/null && break
  kill -0 "$APP_PID" 2>/dev/null || die "relance exited"
  sleep 0.1
done

cat <<BANNER

────────────────────────────────────────────────────────────────────────────
 Relance is running.

 Web app:                        http://$API_ADDR/
   sign in as alice@demo.relance.test (advisor), marie.manager@demo.relance.test
   (manager) or admin@demo.relance.test, password demo-password
 API (Connect, gRPC, gRPC-web):  http://$API_ADDR
 REST routes (partner calls):    http://$API_ADDR/v1/…, described at http://$API_ADDR/openapi.yaml
 Outbox (email, SMS, FCM push):  http://$CATCHER/

$seed_out

 Try it (server reflection, no proto files needed):

   grpcurl -plaintext -H 'Authorization: Bearer $token' \\
     $API_ADDR relance.v1.LeadService/ListLeads

 The response-time widget of the last 24 hours, as the admin:

   curl -s http://$API_ADDR/relance.v1.ReportService/Dashboard \\
     -H 'Authorization: Bearer $token' -H 'Content-Type: application/json' -d '{"period":"86400s"}'

 The admin's latest leads over REST, and over Connect GET:

   curl -s 'http://$API_ADDR/v1/leads?pageSize=5' -H 'Authorization: Bearer $token'
   curl -s --get http://$API_ADDR/relance.v1.LeadService/ListLeads -H 'Authorization: Bearer $token' \\
     --data-urlencode encoding=json --data-urlencode 'message={"pageSize":5}'

 or sign in with plain HTTP (Connect protocol):

   curl -s http://$API_ADDR/relance.v1.AuthService/Login \\
     -H 'Content-Type: application/json' \\
     -d '{"email":"alice@demo.relance.test","password":"demo-password"}'

 Data lives in .data/ (make clean-data to start over). Ctrl-C stops everything.
────────────────────────────────────────────────────────────────────────────

BANNER
wait "$APP_PID"
