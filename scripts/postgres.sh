#!/usr/bin/env bash
# PostgreSQL for tests and CI: Debian's server, in a cluster of its own ("renkei") on PG_PORT.
#   scripts/postgres.sh start|stop|status|url
# The local demo uses an embedded server from npm instead (scripts/local-postgres.mjs).
set -euo pipefail
port="${PG_PORT:-55432}"
cluster=renkei
user=renkei
password="${PG_PASSWORD:-renkei-test}"
db=renkei

log() { printf '[postgres] %s\n' "$*" >&2; }

ensure_installed() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql/*/bin/postgres 2>/dev/null)" ]; then
    [ "$(id -u)" = 0 ] || { log "PostgreSQL server missing: run 'sudo apt-get install -y postgresql'"; exit 1; }
    log "installing Debian's postgresql server"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

version() { ls /usr/lib/postgresql | sort -n | tail -1; }

start() {
  if [ "$(id -u)" != 0 ]; then
    log "the test cluster is a Debian PostgreSQL cluster of its own: run this as root (as CI does),"
    log "or point TEST_DATABASE_URL at a PostgreSQL you run (e.g. node scripts/local-postgres.mjs)"
    exit 1
  fi
  ensure_installed
  local v; v="$(version)"
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$cluster"; then
    log "creating cluster $v/$cluster on port $port"
    pg_createcluster "$v" "$cluster" -p "$port" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    # Tests open and close many short connections; keep the server lean but roomy.
    printf "listen_addresses = '127.0.0.1'\nmax_connections = 200\n" > "/etc/postgresql/$v/$cluster/conf.d/renkei.conf"
  fi
  pg_ctlcluster "$v" "$cluster" start 2>/dev/null || pg_ctlcluster "$v" "$cluster" status >/dev/null
  for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.25; done
  su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password';
  END IF;
END \$\$;
SQL
  su postgres -c "psql -qtA -p $port -c \"SELECT 1 FROM pg_database WHERE datname = '$db'\"" | grep -q 1 ||
    su postgres -c "createdb -p $port -O $user $db"
  log "ready on 127.0.0.1:$port (PostgreSQL $v)"
}

stop() { pg_ctlcluster "$(version)" "$cluster" stop 2>/dev/null || true; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) pg_isready -h 127.0.0.1 -p "$port" ;;
  url) echo "postgresql://$user:$password@127.0.0.1:$port/$db" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
