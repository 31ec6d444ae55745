#!/usr/bin/env bash
# Prints the path of the pinned Helm CLI, building it from the Go module proxy on first use (the same way
# scripts/opa.sh builds OPA; about a minute on a warm Go build cache, several on a cold one).
#   HELM_BIN                 use this helm binary as is (nothing is built)
#   HELM_VERSION             the Helm release (v4.3.2; module helm.sh/helm/v4)
#   RENKEI_CACHE             where builds and toolchains are kept (~/.cache/renkei)
#   HELM_FORCE_GO_FALLBACK=1 build with a Go toolchain from the module proxy even if a new enough `go` exists
# Helm's go.mod needs a newer Go than many distributions ship: when `go` is missing or too old, the
# official toolchain is fetched from the Go module proxy (golang.org/toolchain) into
# $RENKEI_CACHE/go-<version> and used for the build (shared with scripts/opa.sh).
set -euo pipefail
log() { printf '[helm] %s\n' "$*" >&2; }

if [ -n "${HELM_BIN:-}" ]; then
  [ -x "$HELM_BIN" ] || { log "HELM_BIN=$HELM_BIN is not an executable"; exit 1; }
  echo "$HELM_BIN"
  exit 0
fi

version="${HELM_VERSION:-v4.3.2}"
major="${version%%.*}" # v4
root="${RENKEI_CACHE:-$HOME/.cache/renkei}"
cache="$root/helm-$version"
proxy="${GOPROXY_URL:-https://proxy.golang.org}"
if [ -x "$cache/helm" ]; then
  echo "$cache/helm"
  exit 0
fi

source "$(dirname "${BASH_SOURCE[0]}")/go-toolchain.sh"
go="$(go_for "$proxy/helm.sh/helm/$major/@v/$version.mod" "Helm $version" "${HELM_FORCE_GO_FALLBACK:-}")"
log "using $("$go" version)"

log "building Helm $version from the Go module proxy (first run only, one to several minutes)"
mkdir -p "$cache"
# The version string helm prints (`helm version`) comes from ldflags, which `go install` does not set.
ldflags="-X helm.sh/helm/$major/internal/version.version=$version"
build() { (cd "$cache" && GOBIN="$cache" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" install -ldflags "$ldflags" "helm.sh/helm/$major/cmd/helm@$version" >&2); }
build || GOSUMDB=off build
echo "$cache/helm"
