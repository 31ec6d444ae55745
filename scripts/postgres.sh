#!/usr/bin/env bash
# PostgreSQL for tests and CI: Debian's server, in a cluster of its own (PG_CLUSTER, "renkei") on PG_PORT.
#   scripts/postgres.sh start|stop|status|url [role]
# Over TLS only (ADR 0034): the server presents the local CA's certificate (scripts/certs.sh, .renkei/tls),
# pg_hba accepts TCP connections with TLS only (hostssl; hostnossl is rejected), and `url` names
# sslmode=verify-full with the CA. PG_TLS=off leaves a cluster as plain TCP (nothing is changed then).
# Roles: the owner renkei (CREATEDB; runs the migrations) and one LOGIN role per service (renkei_registry,
# renkei_clearing, renkei_exchange, renkei_cps) with the password <PG_PASSWORD>-<service>; what each may
# touch is granted by the migrations' deploy step (prisma/service-roles.sql). `url renkei_clearing` prints
# that role's URL.
# The local demo uses an embedded server from npm instead (scripts/local-postgres.mjs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${PG_PORT:-55432}"
cluster="${PG_CLUSTER:-renkei}"
user=renkei
password="${PG_PASSWORD:-renkei-test}"
db=renkei
tls="${PG_TLS:-on}"
tls_dir="${RENKEI_STATE_DIR:-$root/.renkei}/tls"
service_roles=(renkei_registry renkei_clearing renkei_exchange renkei_cps)
role_password() { echo "$password-${1#renkei_}"; }

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
  [ "$tls" = off ] || configure_tls "$v"
  pg_ctlcluster "$v" "$cluster" start >/dev/null 2>&1 || pg_ctlcluster "$v" "$cluster" reload >/dev/null
  for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.25; done
  local r roles=""
  for r in "${service_roles[@]}"; do
    roles+="
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$r') THEN
    CREATE ROLE $r LOGIN PASSWORD '$(role_password "$r")';
  END IF;"
  done
  su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password';
  END IF;$roles
END \$\$;
SQL
  su postgres -c "psql -qtA -p $port -c \"SELECT 1 FROM pg_database WHERE datname = '$db'\"" | grep -q 1 ||
    su postgres -c "createdb -p $port -O $user $db"
  log "ready on 127.0.0.1:$port (PostgreSQL $v$([ "$tls" = off ] || echo ', TLS only'))"
}

# The server's certificate (a copy the postgres user owns, as the server requires), ssl=on, and pg_hba:
# TCP with TLS and a password only; local socket connections by peer (the postgres superuser's psql above).
configure_tls() {
  local v="$1" conf="/etc/postgresql/$1/$cluster"
  bash "$root/scripts/certs.sh" "$tls_dir"
  install -d -o postgres -g postgres -m 700 "$conf/tls"
  install -o postgres -g postgres -m 600 "$tls_dir/server.crt" "$conf/tls/server.crt"
  install -o postgres -g postgres -m 600 "$tls_dir/server.key" "$conf/tls/server.key"
  printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\nssl_min_protocol_version = 'TLSv1.2'\n" \
    "$conf/tls/server.crt" "$conf/tls/server.key" > "$conf/conf.d/renkei-tls.conf"
  cat > "$conf/pg_hba.conf" <<HBA
# Written by scripts/postgres.sh (ADR 0034): TCP only over TLS, with a password.
local   all all                 peer
hostssl all all 127.0.0.1/32    scram-sha-256
hostssl all all ::1/128         scram-sha-256
hostnossl all all 0.0.0.0/0     reject
hostnossl all all ::/0          reject
HBA
  chown postgres:postgres "$conf/pg_hba.conf" "$conf/conf.d/renkei-tls.conf"
}

url() {
  local role="${1:-$user}" pass="$password" query=""
  [ "$role" = "$user" ] || pass="$(role_password "$role")"
  [ "$tls" = off ] || query="?sslmode=verify-full&sslrootcert=$tls_dir/ca.crt"
  echo "postgresql://$role:$pass@127.0.0.1:$port/$db$query"
}

stop() { pg_ctlcluster "$(version)" "$cluster" stop 2>/dev/null || true; }
drop() { pg_dropcluster --stop "$(version)" "$cluster" 2>/dev/null || true; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  drop) drop ;;
  status) pg_isready -h 127.0.0.1 -p "$port" ;;
  url) url "${2:-}" ;;
  *) echo "usage: $0 start|stop|status|url [role]" >&2; exit 2 ;;
esac
