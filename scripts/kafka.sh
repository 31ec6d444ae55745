#!/usr/bin/env bash
# Apache Kafka (KRaft, one node) from Maven Central jars: no container engine needed.
#   scripts/kafka.sh fetch|start|stop|status|reset|env [principal]
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), RENKEI_STATE_DIR (.renkei), RENKEI_CACHE (~/.cache/renkei),
#      KAFKA_SECURITY (plaintext | sasl_ssl)
# With KAFKA_SECURITY=sasl_ssl the client listener is SASL_SSL (SCRAM-SHA-512, the local CA's certificate from
# scripts/certs.sh) and the StandardAuthorizer denies what no ACL allows (docs/operations.md, "Kafka security").
# A password per principal (admin and each service) is generated at format time into
# $RENKEI_STATE_DIR/kafka-<port>/sasl/<principal>.password (0600); `env <principal>` prints the client settings.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/infra/kafka/pom.xml")"
cache="${RENKEI_CACHE:-$HOME/.cache/renkei}"
libs="$cache/kafka-$version/libs"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
state="${RENKEI_STATE_DIR:-$root/.renkei}/kafka-$port"
pidfile="$state/kafka.pid"
security="${KAFKA_SECURITY:-plaintext}"
# The SCRAM principals: admin (the super user) and every service that speaks Kafka (cps-sim and the console
# do not: they use the services' HTTP APIs).
principals=(admin registry clearing exchange)

log() { printf '[kafka] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return; fi
  command -v java >/dev/null || { log "java not found: install a JDK 17+ (apt-get install -y openjdk-17-jre-headless)"; exit 1; }
  command -v mvn >/dev/null || { log "mvn not found: apt-get install -y maven"; exit 1; }
  log "fetching Kafka $version jars from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  (cd "$root/infra/kafka" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs")
  touch "$libs/.complete"
}

# The secure variant: the local CA's certificate as a PEM key store, a generated password per principal
# (kept across restarts: they are in the cluster metadata), and the SASL_SSL overlay on the broker's settings.
secure_config() {
  local tls="${RENKEI_TLS_DIR:-${RENKEI_STATE_DIR:-$root/.renkei}/tls}" p
  bash "$root/scripts/certs.sh" "$tls"
  (
    umask 077
    mkdir -p "$state/sasl"
    cat "$tls/server.key" "$tls/server.crt" > "$state/keystore.pem"
    cp "$tls/ca.crt" "$state/ca.crt"
    for p in "${principals[@]}"; do
      [ -s "$state/sasl/$p.password" ] || openssl rand -hex 24 > "$state/sasl/$p.password"
    done
    sed -e "s#@STATE@#$state#g" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" \
      -e "s#@ADMIN_PASSWORD@#$(cat "$state/sasl/admin.password")#g" \
      "$root/infra/kafka/sasl-ssl.properties" >> "$state/server.properties"
  )
}

# The client settings (docs/operations.md) for one principal of the secure broker, as shell assignments.
client_env() {
  local p="${1:-admin}"
  [ -f "$state/sasl/$p.password" ] || { log "no credentials for '$p' in $state/sasl (KAFKA_SECURITY=sasl_ssl start first)"; exit 1; }
  printf 'KAFKA_BROKERS=127.0.0.1:%s\nKAFKA_SSL=true\nKAFKA_SSL_CA_FILE=%s\nKAFKA_SASL_MECHANISM=scram-sha-512\nKAFKA_SASL_USERNAME=%s\nKAFKA_SASL_PASSWORD_FILE=%s\n' \
    "$port" "$state/ca.crt" "$p" "$state/sasl/$p.password"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  fetch
  if running; then log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is taken by another process (another checkout's Kafka?): stop it, or set KAFKA_PORT and KAFKA_CONTROLLER_PORT"
    exit 1
  fi
  mkdir -p "$state/data"
  case "$security" in plaintext | sasl_ssl) ;; *) log "KAFKA_SECURITY must be plaintext or sasl_ssl, not '$security'"; exit 2 ;; esac
  if [ -f "$state/data/meta.properties" ] && [ "$(cat "$state/security" 2>/dev/null || echo plaintext)" != "$security" ]; then
    log "$state was formatted for $(cat "$state/security" 2>/dev/null || echo plaintext), not $security: run '$0 reset' first"
    exit 1
  fi
  local scram=()
  (
    umask 077
    sed -e "s#@LOG_DIR@#$state/data#" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" \
      "$root/infra/kafka/server.properties" > "$state/server.properties"
  )
  if [ "$security" = sasl_ssl ]; then secure_config; for p in "${principals[@]}"; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(cat "$state/sasl/$p.password")]")
  done; fi
  local java=(java -Xms256m -Xmx768m -XX:+UseG1GC -Dlog4j2.configurationFile="$root/infra/kafka/log4j2.properties"
    -Dkafka.logs.dir="$state" -cp "$libs/*")
  if [ ! -f "$state/data/meta.properties" ]; then
    # The SCRAM credentials go into the cluster's first metadata (the broker itself logs in as admin).
    "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$state/server.properties" --standalone --ignore-formatted "${scram[@]}" >/dev/null 2>"$state/format.err" ||
      "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
        -c "$state/server.properties" --ignore-formatted "${scram[@]}" >/dev/null
    echo "$security" > "$state/security"
  fi
  : > "$state/server.log"
  nohup "${java[@]}" kafka.Kafka "$state/server.properties" > "$state/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  log "starting Kafka $version (pid $!) on 127.0.0.1:$port"
  for _ in $(seq 1 120); do
    if grep -q 'Kafka Server started' "$state/server.log" 2>/dev/null; then log "ready"; return; fi
    if ! running; then log "Kafka exited; see $state/stdout.log and $state/server.log"; tail -20 "$state/stdout.log" >&2; exit 1; fi
    sleep 0.5
  done
  log "not ready after 60 s; see $state/server.log"; exit 1
}

stop() {
  if running; then
    local pid; pid="$(cat "$pidfile")"
    kill "$pid"; for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  env) client_env "${2:-admin}" ;;
  status) if running; then echo "running on 127.0.0.1:$port"; else echo "stopped"; exit 1; fi ;;
  reset) stop; rm -rf "$state" ;;
  *) echo "usage: $0 fetch|start|stop|status|reset|env [principal]" >&2; exit 2 ;;
esac
