#!/usr/bin/env bash
# Schemathesis (PyPI) against every service's served OpenAPI document, authenticated as each role.
#   scripts/schemathesis.sh install   installs it into a cached venv (once) and prints the binary's path
#   scripts/schemathesis.sh [args]    installs it, then runs test/security/schemathesis.test.ts, which starts
#                                     a platform, onboards the roles and runs `schemathesis run` per service
#                                     and role (needs Kafka, PostgreSQL and `npm run build`, as the e2e tests)
# SCHEMATHESIS_VERSION overrides the pinned version; RENKEI_CACHE the cache folder (~/.cache/renkei).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${SCHEMATHESIS_VERSION:-4.32.5}"
venv="${RENKEI_CACHE:-$HOME/.cache/renkei}/venv-schemathesis"
bin="$venv/bin/schemathesis"

install() {
  if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -q "version $version\$"; then return; fi
  command -v python3 >/dev/null || {
    echo "[schemathesis] python3 (>= 3.9, with venv) is needed" >&2
    exit 1
  }
  echo "[schemathesis] installing schemathesis==$version into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
}

case "${1:-}" in
  install)
    install
    echo "$bin"
    ;;
  *)
    install
    export PATH="$PWD/node_modules/.bin:$PATH"
    SCHEMATHESIS_BIN="$bin" exec vitest run --project security test/security/schemathesis.test.ts "$@"
    ;;
esac
