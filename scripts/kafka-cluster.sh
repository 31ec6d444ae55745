#!/usr/bin/env bash
# A local replicated Apache Kafka: three KRaft nodes, each broker and controller (combined mode), from the
# same Maven Central jars as scripts/kafka.sh. Replication factor 3, min.insync.replicas=2, unclean leader
# election off (infra/kafka/cluster-server.properties). For the reliability tests and for trying the
# platform's replicated settings (docs/operations.md, "Replicated Kafka").
#   scripts/kafka-cluster.sh start [n]|stop|status|brokers|kill <n>|pause <n>|resume <n>|pid <n>|reset
#     start        starts every node that is not running (all three at first; after `kill n`, node n)
#     kill <n>     SIGKILL node n (a crash); `start` brings it back with its data
#     pause <n>    SIGSTOP node n (a hung host or a partition: its sockets stay open, nothing answers)
#     resume <n>   SIGCONT node n
#   env [principal]  with KAFKA_SECURITY=sasl_ssl: a client's settings (scripts/kafka-security.sh)
# Env: KAFKA_CLUSTER_PORT (19092: node n listens on +n-1), KAFKA_CLUSTER_CONTROLLER_PORT (19192),
#      KAFKA_CLUSTER_HEAP (512m), RENKEI_STATE_DIR (.renkei), RENKEI_CACHE (~/.cache/renkei),
#      KAFKA_SECURITY (plaintext | sasl_ssl: SASL_SSL and ACLs as scripts/kafka.sh; one password set per cluster)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/infra/kafka/pom.xml")"
libs="${RENKEI_CACHE:-$HOME/.cache/renkei}/kafka-$version/libs"
nodes=3
port="${KAFKA_CLUSTER_PORT:-19092}"
cport="${KAFKA_CLUSTER_CONTROLLER_PORT:-19192}"
heap="${KAFKA_CLUSTER_HEAP:-512m}"
state="${RENKEI_STATE_DIR:-$root/.renkei}/kafka-cluster-$port"
KAFKA_SASL_SECRETS_DIR="${KAFKA_SASL_SECRETS_DIR:-$state/sasl}" # the nodes log in to each other as admin
source "$root/scripts/kafka-security.sh"

log() { printf '[kafka-cluster] %s\n' "$*" >&2; }
node_port() { echo $((port + $1 - 1)); }
node_cport() { echo $((cport + $1 - 1)); }
node_dir() { echo "$state/node-$1"; }
pid_of() { cat "$(node_dir "$1")/kafka.pid" 2>/dev/null || true; }
running() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
check_node() { [[ "${1:-}" =~ ^[1-3]$ ]] || { log "node must be 1, 2 or 3"; exit 2; }; }
java_cmd() { # sets $java for node $1
  java=(java -Xms128m "-Xmx$heap" -XX:+UseG1GC -Dlog4j2.configurationFile="$root/infra/kafka/log4j2.properties"
    "-Dkafka.logs.dir=$(node_dir "$1")" -cp "$libs/*")
}

configure() {
  local voters="" n
  for n in $(seq 1 $nodes); do voters+="${voters:+,}$n@127.0.0.1:$(node_cport "$n")"; done
  mkdir -p "$state"
  [ -f "$state/cluster.id" ] || java -cp "$libs/*" kafka.tools.StorageTool random-uuid > "$state/cluster.id"
  for n in $(seq 1 $nodes); do
    local dir; dir="$(node_dir "$n")"
    mkdir -p "$dir/data"
    sed -e "s#@LOG_DIR@#$dir/data#" -e "s#@NODE_ID@#$n#" -e "s#@VOTERS@#$voters#" \
      -e "s#@PORT@#$(node_port "$n")#g" -e "s#@CONTROLLER_PORT@#$(node_cport "$n")#g" \
      "$root/infra/kafka/cluster-server.properties" > "$dir/server.properties"
    kafka_security_mode "$dir"
    if [ "$kafka_security" = sasl_ssl ]; then
      kafka_secure_config "$dir" "$dir/server.properties" "$(node_port "$n")" "$(node_cport "$n")"
    fi
    if [ ! -f "$dir/data/meta.properties" ]; then
      java_cmd "$n"
      "${java[@]}" kafka.tools.StorageTool format -t "$(cat "$state/cluster.id")" -c "$dir/server.properties" \
        --ignore-formatted "${kafka_scram[@]}" > /dev/null
      echo "$kafka_security" > "$dir/security"
    fi
  done
}

start_node() {
  local n="$1" dir; dir="$(node_dir "$n")"
  if running "$n"; then return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$(node_port "$n")") 2>/dev/null; then
    log "port $(node_port "$n") is taken by another process: stop it, or set KAFKA_CLUSTER_PORT"; exit 1
  fi
  : > "$dir/server.log"
  java_cmd "$n"
  nohup "${java[@]}" kafka.Kafka "$dir/server.properties" > "$dir/stdout.log" 2>&1 &
  echo $! > "$dir/kafka.pid"
  log "node $n: starting (pid $!) on 127.0.0.1:$(node_port "$n"), controller 127.0.0.1:$(node_cport "$n")"
}

start() {
  "$root/scripts/kafka.sh" fetch
  configure
  local which=("$@") n
  [ ${#which[@]} -gt 0 ] || which=($(seq 1 $nodes))
  for n in "${which[@]}"; do check_node "$n"; start_node "$n"; done
  # Combined nodes need a controller quorum (two of three) before any broker finishes starting.
  for _ in $(seq 1 480); do
    local ready=0
    for n in "${which[@]}"; do
      if grep -q 'Kafka Server started' "$(node_dir "$n")/server.log" 2>/dev/null; then ready=$((ready + 1)); fi
      if ! running "$n"; then
        log "node $n exited; see $(node_dir "$n")/stdout.log"; tail -20 "$(node_dir "$n")/stdout.log" >&2; exit 1
      fi
    done
    if [ "$ready" -eq ${#which[@]} ]; then log "ready: $(brokers)"; return; fi
    sleep 0.5
  done
  log "not ready after 240 s; see $state/node-*/server.log"; exit 1
}

stop() {
  local n pid
  for n in $(seq 1 $nodes); do
    running "$n" && kill -CONT "$(pid_of "$n")" 2>/dev/null && kill "$(pid_of "$n")" || true
  done
  for n in $(seq 1 $nodes); do
    pid="$(pid_of "$n")"
    if [ -n "$pid" ]; then
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$(node_dir "$n")/kafka.pid"
  done
  log "stopped"
}

brokers() {
  local n list=""
  for n in $(seq 1 $nodes); do list+="${list:+,}127.0.0.1:$(node_port "$n")"; done
  echo "$list"
}

status() {
  local n up=0
  for n in $(seq 1 $nodes); do
    if running "$n"; then
      up=$((up + 1))
      local s; s="$(ps -o state= -p "$(pid_of "$n")" | tr -d ' ')"
      echo "node $n: running (pid $(pid_of "$n"), 127.0.0.1:$(node_port "$n"))$([ "$s" = T ] && echo ' paused')"
    else
      echo "node $n: stopped"
    fi
  done
  [ "$up" -gt 0 ]
}

signal() {
  check_node "${2:-}"
  running "$2" || { log "node $2 is not running"; exit 1; }
  kill "-$1" "$(pid_of "$2")"
  log "node $2: SIG$1 (pid $(pid_of "$2"))"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  brokers) brokers ;;
  env) kafka_client_env "$(node_dir 1)" "$(brokers)" "${2:-admin}" ;;
  pid) check_node "${2:-}"; pid_of "$2" ;;
  kill) signal KILL "${2:-}" ;;
  pause) signal STOP "${2:-}" ;;
  resume) signal CONT "${2:-}" ;;
  reset) stop; rm -rf "$state" ;;
  *) echo "usage: $0 start [n]|stop|status|brokers|env [principal]|pid <n>|kill <n>|pause <n>|resume <n>|reset" >&2; exit 2 ;;
esac
