#!/usr/bin/env bash
# Prints the path of the pinned OPA CLI, building it from the Go module proxy on first use.
#   OPA_BIN                 use this opa binary as is (nothing is built)
#   OPA_VERSION             the OPA release (v1.22.0)
#   RENKEI_CACHE            where builds and toolchains are kept (~/.cache/renkei)
#   OPA_FORCE_GO_FALLBACK=1 build with a Go toolchain from the module proxy even if a new enough `go` exists
# OPA's go.mod needs a newer Go than many distributions ship (Debian 12: 1.19, which ignores GOTOOLCHAIN):
# when `go` is missing or too old, the official toolchain is fetched from the Go module proxy
# (golang.org/toolchain) into $RENKEI_CACHE/go-<version> and used for the build.
set -euo pipefail
log() { printf '[opa] %s\n' "$*" >&2; }

if [ -n "${OPA_BIN:-}" ]; then
  [ -x "$OPA_BIN" ] || { log "OPA_BIN=$OPA_BIN is not an executable"; exit 1; }
  echo "$OPA_BIN"
  exit 0
fi

version="${OPA_VERSION:-v1.22.0}"
root="${RENKEI_CACHE:-$HOME/.cache/renkei}"
cache="$root/opa-$version"
proxy="${GOPROXY_URL:-https://proxy.golang.org}"
if [ -x "$cache/opa" ]; then
  echo "$cache/opa"
  exit 0
fi

source "$(dirname "${BASH_SOURCE[0]}")/go-toolchain.sh"
go="$(go_for "$proxy/github.com/open-policy-agent/opa/@v/$version.mod" "OPA $version" "${OPA_FORCE_GO_FALLBACK:-}")"
log "using $("$go" version)"

log "building OPA $version from the Go module proxy (first run only, a few minutes)"
mkdir -p "$cache"
build() { (cd "$cache" && GOBIN="$cache" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" install "github.com/open-policy-agent/opa@$version" >&2); }
build || GOSUMDB=off build
echo "$cache/opa"
