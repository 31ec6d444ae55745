# Shared by demo.sh, test-all.sh, bench.sh, bench-clearing.sh and .ci/run: source it from the repository root.
#   ensure_node            a Node >= 20.19 on PATH (enough for `npm ci`), else Node from the npm registry
#   ensure_node_modules    `npm ci` when node_modules is missing or older than package-lock.json
#   start_kafka_if_needed  starts Kafka unless it runs already; stops it on exit only if it started it here
#   start_kafka_cluster_if_needed  the same for the 3-node replicated cluster (scripts/kafka-cluster.sh);
#                          exports KAFKA_BROKERS and the replicated topic settings (ADR 0032)
#   at_exit <command>      runs <command> when the script exits (in the order registered)
# shellcheck shell=bash

renkei_exit_hooks=()
renkei_on_exit() {
  local hook
  for hook in "${renkei_exit_hooks[@]}"; do eval "$hook" || true; done
}
at_exit() {
  renkei_exit_hooks+=("$1")
  trap renkei_on_exit EXIT
}

# Node >= 20.19 runs npm ci; the project's own Node (the `node` devDependency) then comes with node_modules.
renkei_node_ok() {
  command -v node >/dev/null &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
ensure_node() {
  renkei_node_ok && return
  # The pinned Node binary is on the npm registry itself (node-<os>-<arch>, what the `node` package installs).
  local version os arch dir tmp
  version="$(sed -n 's/^ *"node": "\([0-9][0-9.]*\)".*/\1/p' package.json | head -1)"
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch="$(uname -m)" ;;
  esac
  dir="${RENKEI_CACHE:-$HOME/.cache/renkei}/node-$version-$os-$arch"
  if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/npm/bin/npm-cli.js" ]; then
    command -v curl >/dev/null || { echo "[node] Node >= 20.19 and curl not found: install Node 20.19+ with npm" >&2; return 1; }
    echo "[node] no Node >= 20.19 on PATH: fetching Node $version and npm from the npm registry" >&2
    tmp="$(mktemp -d)"
    mkdir -p "$dir/bin" "$tmp/node" "$tmp/npm"
    if ! curl -fsS --max-time 600 "https://registry.npmjs.org/node-$os-$arch/-/node-$os-$arch-$version.tgz" | tar xz -C "$tmp/node" ||
      ! curl -fsS --max-time 600 "https://registry.npmjs.org/npm/-/npm-${RENKEI_NPM_VERSION:-11.13.0}.tgz" | tar xz -C "$tmp/npm"; then
      echo "[node] cannot download Node $version / npm from registry.npmjs.org: install Node 20.19+ with npm" >&2
      rm -rf "$tmp"
      return 1
    fi
    mv "$tmp/node/package/bin/node" "$dir/bin/node"
    rm -rf "$dir/npm" && mv "$tmp/npm/package" "$dir/npm"
    rm -rf "$tmp"
    printf '#!/bin/sh\nexec "%s/bin/node" "%s/npm/bin/npm-cli.js" "$@"\n' "$dir" "$dir" > "$dir/bin/npm"
    printf '#!/bin/sh\nexec "%s/bin/node" "%s/npm/bin/npx-cli.js" "$@"\n' "$dir" "$dir" > "$dir/bin/npx"
    chmod +x "$dir/bin/node" "$dir/bin/npm" "$dir/bin/npx"
  fi
  export PATH="$dir/bin:$PATH"
  echo "[node] using node $(node -v), npm $(npm -v)" >&2
}

ensure_node_modules() {
  if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    ensure_node
    npm ci
  fi
}

# Leaves the machine as it was found: a Kafka that was already running keeps running.
start_kafka_if_needed() {
  if scripts/kafka.sh status >/dev/null 2>&1; then
    echo "[kafka] already running on 127.0.0.1:${KAFKA_PORT:-9092}; leaving it running" >&2
    return
  fi
  at_exit 'scripts/kafka.sh stop'
  scripts/kafka.sh start
}

# The 3-node replicated cluster (ports 19092-19094), left running if it was: for a demo or a benchmark on
# replicated topics. The reliability tests start and stop their own (test/support/kafka-cluster.ts).
start_kafka_cluster_if_needed() {
  if ! scripts/kafka-cluster.sh status >/dev/null 2>&1; then
    at_exit 'scripts/kafka-cluster.sh stop'
    scripts/kafka-cluster.sh start
  else
    echo "[kafka-cluster] already running; leaving it running" >&2
  fi
  KAFKA_BROKERS="$(scripts/kafka-cluster.sh brokers)"
  export KAFKA_BROKERS KAFKA_REPLICATION_FACTOR=3 KAFKA_MIN_INSYNC_REPLICAS=2
}
