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

# "1.26.0" from "go1.26.0" / "go version go1.19.8 linux/amd64"
go_version_of() { "$1" version 2>/dev/null | sed -n 's/.*go\([0-9][0-9.]*\).*/\1/p' | head -1; }
# true if version $1 >= version $2
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }

# The Go version Helm's go.mod asks for (its `go` line); the pinned release needs 1.26.0.
needed="$(curl -fsS --max-time 30 "$proxy/helm.sh/helm/$major/@v/$version.mod" 2>/dev/null |
  sed -n 's/^go \([0-9.]*\).*/\1/p' | head -1 || true)"
needed="${needed:-1.26.0}"

# A Go toolchain from the module proxy: the newest patch release of the needed minor version.
fetch_go() {
  command -v curl >/dev/null || { log "curl not found: apt-get install -y curl"; exit 1; }
  local os arch minor list tc dir zip tmp
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "no Go toolchain for $(uname -m) on the module proxy: install Go $needed+ yourself"; exit 1 ;;
  esac
  minor="$(echo "$needed" | cut -d. -f1,2)"
  list="$(curl -fsS --max-time 30 "$proxy/golang.org/toolchain/@v/list" 2>/dev/null || true)"
  tc="$(printf '%s\n' "$list" | grep -E "^v0\.0\.1-go${minor//./\\.}(\.[0-9]+)?\.$os-$arch\$" | sort -V | tail -1 || true)"
  tc="${tc:-v0.0.1-go$needed.$os-$arch}"
  local gover="${tc#v0.0.1-go}"
  gover="${gover%."$os-$arch"}"
  dir="$root/go-$gover"
  if [ ! -f "$dir/.complete" ]; then
    log "Go $needed+ needed to build Helm $version: fetching the Go $gover toolchain from $proxy"
    tmp="$(mktemp -d)"
    zip="$tmp/go.zip"
    curl -fsS --max-time 600 -o "$zip" "$proxy/golang.org/toolchain/@v/$tc.zip" ||
      { log "cannot download $proxy/golang.org/toolchain/@v/$tc.zip"; rm -rf "$tmp"; exit 1; }
    if command -v unzip >/dev/null; then
      unzip -q "$zip" -d "$tmp/x"
    elif command -v python3 >/dev/null; then
      python3 -m zipfile -e "$zip" "$tmp/x"
    else
      log "unzip not found: apt-get install -y unzip"; rm -rf "$tmp"; exit 1
    fi
    rm -rf "$dir" && mkdir -p "$root"
    mv "$tmp/x/golang.org/toolchain@$tc" "$dir"
    rm -rf "$tmp"
    # Module zips carry no file modes.
    chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/*
    touch "$dir/.complete"
  fi
  echo "$dir/bin/go"
}

go=""
if [ -z "${HELM_FORCE_GO_FALLBACK:-}" ] && command -v go >/dev/null; then
  have="$(go_version_of go)"
  if [ -n "$have" ] && version_ge "$have" "$needed"; then go="$(command -v go)"; else log "go $have is older than the Go $needed Helm $version needs"; fi
fi
[ -n "$go" ] || go="$(fetch_go)"
log "using $("$go" version)"

log "building Helm $version from the Go module proxy (first run only, one to several minutes)"
mkdir -p "$cache"
# The version string helm prints (`helm version`) comes from ldflags, which `go install` does not set.
ldflags="-X helm.sh/helm/$major/internal/version.version=$version"
build() { (cd "$cache" && GOBIN="$cache" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" install -ldflags "$ldflags" "helm.sh/helm/$major/cmd/helm@$version" >&2); }
build || GOSUMDB=off build
echo "$cache/helm"
