#!/usr/bin/env bash
# make test: start a throwaway PostgreSQL and Redis, migrate a template database, run every Go
# test with the race detector, then (for the whole suite, no arguments) the web app's unit tests
# and its browser tests against the relance binary serving the built app; stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

# No arguments: everything. "web [e2e/x.e2e.ts …]": only the web app's tests (the named browser
# test files, or all) and the partner examples. "examples": only the partner examples (against
# the same server as the browser tests). Otherwise: go test with them.
run_go=yes browser_tests="" examples_only=""
case "${1:-}" in
  "") browser_tests=yes ;;
  web) run_go="" browser_tests=yes; shift ;;
  examples) run_go="" browser_tests=yes examples_only=yes; shift ;;
esac
ensure_packages ${browser_tests:+browser}
work="$(mktemp -d)"
chmod 755 "$work"
cleanup() {
  stop_pid "${APP_PID:-}"
  stop_pid "${REDIS_PID:-}"
  stop_pid "${PG_PID:-}"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_port="$(free_port)"
redis_port="$(free_port "$pg_port")"
start_postgres "$work/pg" "$pg_port" fast
start_redis "$redis_port"
if [ -n "$run_go" ]; then
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
fi

[ -n "$browser_tests" ] || exit 0

# The web app: formatting unit tests, then the browser tests against the real binary serving
# the built app, with a database of its own seeded with the demo organisation.
build_web
if [ -z "$examples_only" ]; then
  log "web unit tests (vitest)"
  (cd web && node_modules/.bin/vitest run --reporter=dot)
fi
go build -o "$work/relance" ./cmd/relance
create_database "$pg_port" relance_e2e
api_port="$(free_port "$pg_port" "$redis_port")"
catcher_port="$(free_port "$pg_port" "$redis_port" "$api_port")"
smtp_port="$(free_port "$pg_port" "$redis_port" "$api_port" "$catcher_port")"
export MIGRATE_DATABASE_URL="postgres://relance_owner@127.0.0.1:$pg_port/relance_e2e?sslmode=disable"
export DATABASE_URL="postgres://relance_app@127.0.0.1:$pg_port/relance_e2e?sslmode=disable"
export REDIS_URL="redis://127.0.0.1:$redis_port/1" QUEUE=relance-e2e SWEEP_INTERVAL=2s
export LISTEN_ADDR="127.0.0.1:$api_port" CATCHER_ADDR="127.0.0.1:$catcher_port" CATCHER_SMTP_ADDR="127.0.0.1:$smtp_port"
export WEB_DIR="$PWD/web/dist"
# The partner examples register webhook endpoints on loopback servers of their own.
export ALLOW_PRIVATE_WEBHOOKS=true
# Web Push: a key pair of its own, so the Notifications page offers push in the browser.
eval "$("$work/relance" vapid)"
export VAPID_PUBLIC_KEY VAPID_PRIVATE_KEY
"$work/relance" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
"$work/relance" seed >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; die "seed failed"; }
"$work/relance" run >"$work/relance.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$api_port") 2>/dev/null && break
  kill -0 "$APP_PID" 2>/dev/null || { tail -20 "$work/relance.log" >&2; die "relance exited"; }
  sleep 0.1
done
if [ -z "$examples_only" ]; then
  log "browser tests (Chromium, playwright-core) against http://$LISTEN_ADDR; screenshots in web/test-results/"
  if ! (cd web && RELANCE_URL="http://$LISTEN_ADDR" timeout 900 node_modules/.bin/vitest run --config vitest.e2e.config.ts "$@"); then
    tail -30 "$work/relance.log" >&2
    die "browser tests failed"
  fi
fi

# The partner examples (examples/run.sh) against the same server, so that they cannot rot.
log "partner examples (curl, Go, TypeScript) against http://$LISTEN_ADDR"
if ! RELANCE_URL="http://$LISTEN_ADDR" timeout 900 bash examples/run.sh; then
  tail -30 "$work/relance.log" >&2
  die "partner examples failed"
fi
