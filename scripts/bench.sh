#!/usr/bin/env bash
# Benchmarks on real Kafka and PostgreSQL (see bench/run.ts). `npm run bench -- --quick` for a short run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export PATH="$PWD/node_modules/.bin:$PATH" npm_config_loglevel=error KAFKAJS_NO_PARTITIONER_WARNING=1
ensure_node_modules
start_kafka_if_needed
scripts/postgres.sh start
export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092} TEST_DATABASE_URL="$(scripts/postgres.sh url)"
npm run build
node dist/bench/run.js "$@"
