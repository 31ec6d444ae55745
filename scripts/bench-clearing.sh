#!/usr/bin/env bash
# Clearing benchmarks (see bench/clearing.ts): in-process wasm policy decisions next to `opa run --server`
# evaluating the same Rego over HTTP, token issue/verify rates, and the dataset-token path with its audit
# append on the test PostgreSQL (in a scratch database that is dropped afterwards).
#   npm run bench:clearing [-- --quick] [-- --no-pg]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export PATH="$PWD/node_modules/.bin:$PATH" npm_config_loglevel=error
ensure_node_modules
OPA_BIN="$(scripts/opa.sh)"
export OPA_BIN
if [[ " $* " != *" --no-pg "* ]]; then
  scripts/postgres.sh start
  TEST_DATABASE_URL="$(scripts/postgres.sh url)"
  export TEST_DATABASE_URL
fi
npm run build
node dist/bench/clearing.js "$@"
