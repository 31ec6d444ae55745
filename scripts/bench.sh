#!/usr/bin/env bash
# Benchmarks on real Kafka and PostgreSQL (see bench/run.ts). `npm run bench -- --quick` for a short run.
# `--cluster` (or BENCH_KAFKA=cluster) runs them on the local 3-node replicated cluster
# (scripts/kafka-cluster.sh, RF 3, min.insync.replicas 2) instead of the single broker.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export PATH="$PWD/node_modules/.bin:$PATH" npm_config_loglevel=error KAFKAJS_NO_PARTITIONER_WARNING=1
ensure_node_modules
args=()
kafka="${BENCH_KAFKA:-single}"
for a in "$@"; do
  if [ "$a" = --cluster ]; then kafka=cluster; else args+=("$a"); fi
done
if [ "$kafka" = cluster ]; then
  start_kafka_cluster_if_needed # exports KAFKA_BROKERS, KAFKA_REPLICATION_FACTOR=3, KAFKA_MIN_INSYNC_REPLICAS=2
else
  start_kafka_if_needed
  export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
fi
scripts/postgres.sh start
export TEST_DATABASE_URL="$(scripts/postgres.sh url)"
npm run build
node dist/bench/run.js ${args[@]+"${args[@]}"}
