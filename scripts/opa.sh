#!/usr/bin/env bash
# Prints the path of the pinned OPA CLI, building it from the Go module proxy on first use.
set -euo pipefail
version="${OPA_VERSION:-v1.22.0}"
cache="${RENKEI_CACHE:-$HOME/.cache/renkei}/opa-$version"
if [ ! -x "$cache/opa" ]; then
  command -v go >/dev/null || { echo "[opa] Go toolchain not found: install Go 1.24+ to build the OPA CLI" >&2; exit 1; }
  echo "[opa] building OPA $version from the Go module proxy (first run only, a few minutes)" >&2
  mkdir -p "$cache"
  (cd "$cache" && GOBIN="$cache" CGO_ENABLED=0 GOTOOLCHAIN=auto GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$version" >&2) ||
    (cd "$cache" && GOSUMDB=off GOBIN="$cache" CGO_ENABLED=0 GOTOOLCHAIN=auto GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$version" >&2)
fi
echo "$cache/opa"
