#!/usr/bin/env bash
# Soak benchmark (see bench/soak.ts): the four services as processes under a steady publish rate with
# several streams, memory sampled from every service's /metrics. Settings by environment: SOAK_RATE
# (events/s, 500), SOAK_MINUTES (30), SOAK_SUBSCRIBERS (3), SOAK_BATCH (25), SOAK_BASE_PORT (5700).
#   npm run bench:soak                      30 minutes at 500 events/s
#   SOAK_MINUTES=3 npm run bench:soak       a short run (written as -quick)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export PATH="$PWD/node_modules/.bin:$PATH" npm_config_loglevel=error KAFKAJS_NO_PARTITIONER_WARNING=1
# KAFKA_BROKERS / TEST_DATABASE_URL set: use that broker and PostgreSQL as they are (a shared machine's);
# otherwise start the local ones as the other benchmarks do.
if [ -z "${KAFKA_BROKERS:-}" ]; then
  ensure_node_modules
  start_kafka_if_needed
  export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
fi
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  scripts/postgres.sh start
  TEST_DATABASE_URL="$(scripts/postgres.sh url)"
  export TEST_DATABASE_URL
fi
npm run build
node dist/bench/soak.js "$@"
