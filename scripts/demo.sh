#!/usr/bin/env bash
# Installs and starts Renkei locally on embedded defaults, then runs the battery CFP exchange as a
# narrated demo. Needs: git, Node >= 20.19 with npm, a JDK 17+ with Maven (Kafka comes from Maven Central);
# the OPA CLI is built from the Go module proxy (Go itself too if missing). Leaves the platform running
# until Ctrl-C (not under CI). A Kafka that was already running is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export PATH="$PWD/node_modules/.bin:$PATH"
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false KAFKAJS_NO_PARTITIONER_WARNING=1
state=.renkei
mkdir -p "$state/logs"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
at_exit cleanup

step "installing dependencies (Node LTS comes from npm)"
ensure_node_modules
echo "node $(node --version)"

step "starting Kafka (KRaft, from Maven Central jars) and an embedded PostgreSQL"
start_kafka_if_needed
# KAFKA_SECURITY=sasl_ssl: the demo's own clients log in as admin, each service as itself (ADR 0035).
if [ "${KAFKA_SECURITY:-plaintext}" = sasl_ssl ]; then set -a && eval "$(scripts/kafka.sh env admin)" && set +a; fi
node scripts/local-postgres.mjs > "$state/logs/postgres.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q ready "$state/logs/postgres.log" && break; sleep 0.5; done
grep -q ready "$state/logs/postgres.log" || { cat "$state/logs/postgres.log"; exit 1; }
export DATABASE_URL="postgresql://renkei:renkei-local@127.0.0.1:${LOCAL_PG_PORT:-54329}/renkei"

step "building (Prisma client, Rego -> WebAssembly, TypeScript) and migrating the database"
npm run build
node scripts/prisma-migrate.mjs deploy

step "starting registry, clearing, exchange, cps-sim and the console over HTTPS; running the battery CFP demo"
# The local CA and the services' certificate (.renkei/tls); DEMO_TLS=0 serves plain HTTP instead.
[ "${DEMO_TLS:-1}" = 0 ] || scripts/certs.sh
node dist/scripts/demo.js
