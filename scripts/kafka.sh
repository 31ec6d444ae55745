#!/usr/bin/env bash
# Apache Kafka (KRaft, one node) from Maven Central jars: no container engine needed.
#   scripts/kafka.sh fetch|start|stop|status|reset|env [principal]
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), RENKEI_STATE_DIR (.renkei), RENKEI_CACHE (~/.cache/renkei),
#      KAFKA_SECURITY (plaintext | sasl_ssl)
# With KAFKA_SECURITY=sasl_ssl the client listener is SASL_SSL (SCRAM-SHA-512, the local CA's certificate from
# scripts/certs.sh) and the StandardAuthorizer denies what no ACL allows (docs/operations.md, "Kafka security").
# A password per principal (admin and each service) is generated at format time into
# $RENKEI_STATE_DIR/kafka-<port>/sasl/<principal>.password (0600, or KAFKA_SASL_SECRETS_DIR; see
# scripts/kafka-security.sh); `env <principal>` prints a client's settings (password as a file path).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/infra/kafka/pom.xml")"
cache="${RENKEI_CACHE:-$HOME/.cache/renkei}"
libs="$cache/kafka-$version/libs"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
state="${RENKEI_STATE_DIR:-$root/.renkei}/kafka-$port"
pidfile="$state/kafka.pid"
source "$root/scripts/kafka-security.sh"

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

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  fetch
  if running; then log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is taken by another process (another checkout's Kafka?): stop it, or set KAFKA_PORT and KAFKA_CONTROLLER_PORT"
    exit 1
  fi
  mkdir -p "$state/data"
  kafka_security_mode "$state"
  (
    umask 077
    sed -e "s#@LOG_DIR@#$state/data#" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" \
      "$root/infra/kafka/server.properties" > "$state/server.properties"
  )
  if [ "$kafka_security" = sasl_ssl ]; then kafka_secure_config "$state" "$state/server.properties" "$port" "$cport"; fi
  local java=(java -Xms256m -Xmx768m -XX:+UseG1GC -Dlog4j2.configurationFile="$root/infra/kafka/log4j2.properties"
    -Dkafka.logs.dir="$state" -cp "$libs/*")
  if [ ! -f "$state/data/meta.properties" ]; then
    # The SCRAM credentials go into the cluster's first metadata (the broker itself logs in as admin).
    "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$state/server.properties" --standalone --ignore-formatted "${kafka_scram[@]}" >/dev/null 2>"$state/format.err" ||
      "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
        -c "$state/server.properties" --ignore-formatted "${kafka_scram[@]}" >/dev/null
    echo "$kafka_security" > "$state/security"
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
  env) kafka_client_env "$state" "127.0.0.1:$port" "${2:-admin}" ;;
  status) if running; then echo "running on 127.0.0.1:$port"; else echo "stopped"; exit 1; fi ;;
  reset) stop; rm -rf "$state" ;;
  *) echo "usage: $0 fetch|start|stop|status|reset|env [principal]" >&2; exit 2 ;;
esac
