#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing (Node LTS via npm, Kafka from Maven
# Central, PostgreSQL from Debian, the OPA CLI and helm from the Go module proxy), starts Kafka and PostgreSQL,
# then runs the policy checks, lint, type check, build, unit + integration + e2e tests, the Eclipse
# Dataspace TCK against the platform (npm run test:dsp), and the broker fault tests on a 3-node Kafka
# cluster (npm run test:reliability:cluster; RENKEI_SKIP_CLUSTER=1 leaves them out).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export PATH="$PWD/node_modules/.bin:$PATH"
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false
export KAFKAJS_NO_PARTITIONER_WARNING=1
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "dependencies (npm ci; Node $(jq -r .devDependencies.node package.json 2>/dev/null || echo LTS) comes from npm)"
ensure_node_modules
hash -r # node may have been looked up before node_modules/.bin/node existed
echo "node $(node --version)"

step "infrastructure: the local CA, Kafka (KRaft) and PostgreSQL (TLS only, a role per service)"
# The local CA and the loopback server certificate (.renkei/tls): the services' HTTPS in the e2e, security,
# browser and reliability runs, and PostgreSQL's TLS (ADR 0034).
scripts/certs.sh
# The reliability project starts its own broker and its own 3-node cluster (scripts/kafka-cluster.sh,
# ports 19092-19094 and 19192-19194) from the same cached Kafka jars: fetched here, once.
scripts/kafka.sh fetch
# RENKEI_KAFKA_SECURITY=sasl_ssl: every broker of the run (this one, the reliability tests' private broker
# and cluster) takes SASL_SSL and ACLs with one CA and one password set; the tests log in as admin and
# each service the harness starts as its own principal (docs/operations.md, "Kafka security"; ADR 0035).
export KAFKA_SECURITY="${RENKEI_KAFKA_SECURITY:-plaintext}"
if [ "$KAFKA_SECURITY" = sasl_ssl ]; then
  export RENKEI_TLS_DIR="$PWD/.renkei/tls" KAFKA_SASL_SECRETS_DIR="$PWD/.renkei/kafka-sasl"
fi
start_kafka_if_needed # leaves the machine as we found it
scripts/postgres.sh start
export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
if [ "$KAFKA_SECURITY" = sasl_ssl ]; then
  set -a && eval "$(scripts/kafka.sh env admin)" && set +a # KAFKA_SSL*, KAFKA_SASL_* (a password file, never its content)
fi
# The owner's URL (sslmode=verify-full against the local CA); the services connect as their own roles,
# which must exist here (TEST_DATABASE_ROLES=1: their absence fails the run instead of falling back).
export TEST_DATABASE_URL="$(scripts/postgres.sh url)"
export DATABASE_URL="$TEST_DATABASE_URL"
export TEST_DATABASE_ROLES=1

step "policies: opa fmt, check --strict (wasm capabilities), test with coverage"
node scripts/policy.mjs check

step "build (prisma generate, policy -> wasm, swc)"
npm run build

step "lint, type check, and the committed OpenAPI documents match the code"
npm run typecheck
npm run lint
node dist/scripts/openapi.js --check

step "Schemathesis (PyPI) for the security project's OpenAPI fuzz run, into a cached venv"
scripts/schemathesis.sh install

step "Helm chart: helm lint and template, manifests validated offline against the Kubernetes schemas"
# helm is built from the Go module proxy once and cached (about a minute; more on a cold Go cache), the
# validator (PyPI kubernetes-validate) goes into a cached venv; afterwards the check takes 10-20 s.
# Bounded, so that a stuck build cannot stall the run; test/unit/helm-chart.spec.ts reuses the binary.
helm_status=0
timeout --kill-after=30 900 bash scripts/helm-check.sh || helm_status=$?
[ "$helm_status" -ne 124 ] || echo "[helm-check] timed out after 900 s"

step "Dataspace Protocol: the Eclipse TCK (jars from Maven Central) against the platform, provider and consumer groups"
# Self-contained (its own platform, database and topics); bounded so that a hung peer cannot stall the run.
dsp_status=0
DSP_TEST_BASE_PORT="${DSP_TEST_BASE_PORT:-4900}" timeout --kill-after=30 240 bash scripts/dsp-test.sh all || dsp_status=$?
[ "$dsp_status" -ne 124 ] || echo "[test:dsp] timed out after 240 s"

step "tests: unit, integration (real PostgreSQL and Kafka), end to end (four services as processes), security, reliability (a private broker and PostgreSQL, killed on purpose)"
mkdir -p .renkei
rm -f .renkei/vitest-report.json # never summarise a previous run
status=0
vitest run --reporter=default --reporter=json --outputFile=.renkei/vitest-report.json "$@" || status=$?
# One plain closing line, whatever the reporter printed above.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".renkei/vitest-report.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true

cluster_status=0
if [ "${RENKEI_SKIP_CLUSTER:-0}" != 1 ]; then
  step "replicated Kafka: a leader SIGKILLed, a broker SIGSTOPped, on a 3-node cluster (ports 19092-19094)"
  # Its own cluster, platform (ports 5100-5104), database and topics; about 5 minutes on a 2-core machine,
  # bounded so that a hung run cannot stall CI (docs/operations.md, "Replicated Kafka").
  RELIABILITY_CLUSTER=1 timeout --kill-after=30 600 \
    vitest run --project reliability test/reliability/replicated-kafka.test.ts || cluster_status=$?
  [ "$cluster_status" -ne 124 ] || echo "[test:reliability:cluster] timed out after 600 s"
  # A run cut by the timeout leaves its JVMs: never leave them behind.
  RENKEI_STATE_DIR="$PWD/.renkei/reliability" scripts/kafka-cluster.sh stop >/dev/null 2>&1 || true
fi

[ "$dsp_status" -eq 0 ] || echo "the Dataspace TCK run failed (exit $dsp_status): see its results above"
[ "$helm_status" -eq 0 ] || echo "the Helm chart check failed (exit $helm_status): see its output above"
[ "$cluster_status" -eq 0 ] || echo "the replicated Kafka fault tests failed (exit $cluster_status): see above"
[ "$status" -ne 0 ] || status=$dsp_status
[ "$status" -ne 0 ] || status=$helm_status
[ "$status" -ne 0 ] || status=$cluster_status
exit $status
