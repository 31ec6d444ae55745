#!/usr/bin/env bash
# npm run test:dsp [provider|consumer|all] (default all): the Eclipse Dataspace TCK against the real
# platform, self-contained. test/dsp/tck-run.ts starts the four services on a fresh database, seeds them,
# drives the originator's and the consumer member's moves, runs `scripts/dsp-tck.sh run <group>` (the raw
# runner) and prints its per-test result; failures listed in infra/dsp-tck/expected-failures.txt (each
# with its reason) do not fail the run, any other does. Needs Kafka and PostgreSQL running
# (KAFKA_BROKERS, default 127.0.0.1:9092; TEST_DATABASE_URL, default the test cluster of
# scripts/postgres.sh), Java 17+ and Maven (the TCK's jars, fetched once). Builds first if dist/ lacks the
# harness. DSP_TEST_BASE_PORT (default 4900) and DSP_TCK_CALLBACK_PORT (default 8783) move its ports.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$(scripts/postgres.sh url)}"
[ -f dist/test/dsp/tck-run.js ] || npm run build
scripts/dsp-tck.sh fetch
exec node --enable-source-maps dist/test/dsp/tck-run.js "$@"
