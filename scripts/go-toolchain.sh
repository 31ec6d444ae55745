# Sourced by scripts/opa.sh and scripts/helm.sh: a Go toolchain new enough to build a tool from the Go
# module proxy. Needs `log`, `root` (the cache, $RENKEI_CACHE) and `proxy` (the module proxy URL) set.
#   go_for <module path@version .mod URL> <what> <force-fallback>  prints the path of a `go` to build with:
# the installed one if it is at least the version the module's go.mod asks for, else the official
# toolchain (golang.org/toolchain) fetched from the proxy into $root/go-<version> (Debian 12 ships Go 1.19,
# which ignores GOTOOLCHAIN).

# "1.26.0" from "go1.26.0" / "go version go1.19.8 linux/amd64"
go_version_of() { "$1" version 2>/dev/null | sed -n 's/.*go\([0-9][0-9.]*\).*/\1/p' | head -1; }
# true if version $1 >= version $2
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }

# A Go toolchain from the module proxy: the newest patch release of the needed minor version.
fetch_go() {
  local needed="$1" what="$2"
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
    log "Go $needed+ needed to build $what: fetching the Go $gover toolchain from $proxy"
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

go_for() {
  local mod_url="$1" what="$2" force="${3:-}" needed have
  # The Go version the module's go.mod asks for (its `go` line); 1.26.0 if the proxy cannot say.
  needed="$(curl -fsS --max-time 30 "$mod_url" 2>/dev/null | sed -n 's/^go \([0-9.]*\).*/\1/p' | head -1 || true)"
  needed="${needed:-1.26.0}"
  if [ -z "$force" ] && command -v go >/dev/null; then
    have="$(go_version_of go)"
    if [ -n "$have" ] && version_ge "$have" "$needed"; then command -v go; return; fi
    log "go $have is older than the Go $needed $what needs"
  fi
  fetch_go "$needed" "$what"
}
