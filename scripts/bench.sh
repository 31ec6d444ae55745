#!/usr/bin/env bash
# Benchmarks on real Kafka and PostgreSQL (see bench/run.ts). `npm run bench -- --quick` for a short run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH" npm_config_loglevel=error KAFKAJS_NO_PARTITIONER_WARNING=1
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci; fi
if ! scripts/kafka.sh status >/dev/null 2>&1; then trap 'scripts/kafka.sh stop' EXIT; fi
scripts/kafka.sh start
scripts/postgres.sh start
export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092} TEST_DATABASE_URL="$(scripts/postgres.sh url)"
npm run build
node dist/bench/run.js "$@"
