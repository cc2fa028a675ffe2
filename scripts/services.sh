# shellcheck shell=bash
# Helpers to install, start and stop PostgreSQL and Redis as child processes of the calling
# script (no system services, no Docker), and to build the web app. Sourced by test.sh, run.sh
# and bench.sh.

log() { printf '\033[1;34m[relance]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[relance]\033[0m %s\n' "$*" >&2; exit 1; }

# pg_bin prints the folder holding initdb and postgres.
pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin "$(dirname "$(command -v postgres 2>/dev/null || echo /nonexistent/x)")"; do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}

# ensure_packages [browser] installs what a fresh Debian machine lacks: PostgreSQL server binaries
# and Redis, and with "browser" Debian's Chromium for the browser tests (never a downloaded one).
ensure_packages() {
  local missing=()
  [ "${1:-}" = browser ] && ! [ -x /usr/bin/chromium ] && missing+=(chromium)
  pg_bin >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v psql >/dev/null || missing+=(postgresql-client)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # Another install running at the same time (a second make target) is waited for, not failed on.
  local wait_lock=(-o DPkg::Lock::Timeout=600)
  $sudo apt-get "${wait_lock[@]}" update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start system services of their own; ours run as child processes instead.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
  fi
}

# build_web installs the web app's npm packages when its lock file changed, then builds it into
# web/dist, which relance serves at /.
build_web() {
  command -v npm >/dev/null || die "npm is needed to build the web app (Node.js 20 or later)"
  if [ ! -f web/node_modules/.installed ] || [ web/package-lock.json -nt web/node_modules/.installed ]; then
    log "installing the web app's packages (npm ci)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error) && touch web/node_modules/.installed
  fi
  log "building the web app"
  (cd web && node_modules/.bin/vite build --logLevel warn)
}

# AS_PG prefixes a command so that it runs as the postgres user when we are root (initdb and
# postgres refuse root). setpriv execs in place, so $! of a backgrounded "${AS_PG[@]}" command is
# the server itself (a shell function would put a subshell in between).
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi

# free_port [EXCEPT...] prints a TCP port nobody listens on, on 127.0.0.1, other than EXCEPT.
# It picks below the kernel's ephemeral range, so an outgoing connection's local port can never
# take it between this check and the server's bind.
free_port() {
  local low p
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  for p in $(shuf -i 20000-$((low - 1)) -n 50); do
    case " $* " in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

# start_postgres DATA_DIR PORT MODE starts PostgreSQL on 127.0.0.1:PORT (MODE "fast" turns
# durability off, for tests), creating the cluster on first use. Sets PG_PID.
start_postgres() {
  local data="$1" port="$2" mode="${3:-durable}" bin
  bin="$(pg_bin)" || die "PostgreSQL server binaries not found"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$data"; fi
  chmod 700 "$data"
  if [ ! -s "$data/PG_VERSION" ]; then
    "${AS_PG[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 \
      || { cat "$data.initdb.log" >&2; die "initdb failed"; }
  fi
  local opts=(-c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=300)
  [ "$mode" = fast ] && opts+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
  # setsid: a Ctrl-C in the terminal reaches the script, which stops the app before the servers.
  setsid "${AS_PG[@]}" "$bin/postgres" -D "$data" -p "$port" "${opts[@]}" >"$data.log" 2>&1 &
  PG_PID=$!
  local i
  for i in $(seq 1 100); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then return 0; fi
    kill -0 "$PG_PID" 2>/dev/null || { tail -20 "$data.log" >&2; die "postgres exited"; }
    sleep 0.1
  done
  die "postgres did not start in 10 s (log: $data.log)"
}

# start_redis PORT [DIR] starts Redis on 127.0.0.1:PORT; with DIR it persists there (AOF).
# Sets REDIS_PID.
start_redis() {
  local port="$1" dir="${2:-}"
  local opts=(--bind 127.0.0.1 --port "$port" --daemonize no --save '')
  if [ -n "$dir" ]; then
    mkdir -p "$dir"
    opts+=(--dir "$dir" --appendonly yes)
  else
    opts+=(--appendonly no)
  fi
  setsid redis-server "${opts[@]}" >"${dir:-/tmp}/redis-$port.log" 2>&1 &
  REDIS_PID=$!
  local i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$REDIS_PID" 2>/dev/null || die "redis exited"
    sleep 0.1
  done
  die "redis did not start in 10 s"
}

# stop_pid PID stops one of our child processes: SIGINT (a fast shutdown for postgres), then
# SIGKILL after 10 s.
stop_pid() {
  local pid="$1" i
  [ -n "$pid" ] || return 0
  kill -INT "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# psql_as_super PORT SQL... runs SQL as the postgres superuser.
psql_as_super() {
  local port="$1"; shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

# create_database PORT NAME creates the schema owner role and database NAME owned by it, if absent.
create_database() {
  local port="$1" name="$2"
  psql_as_super "$port" -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'relance_owner') THEN
    CREATE ROLE relance_owner LOGIN CREATEROLE;
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $name OWNER relance_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$name')
\gexec
SQL
}
