#!/usr/bin/env bash
# The Eclipse Dataspace TCK (Dataspace Protocol 2025-1 conformance) against a running connector.
# The TCK's jars come from Maven Central (infra/dsp-tck/pom.xml) into a cache under .renkei/; nothing is
# committed. The JUnit console launcher runs the verification classes with DspSystemLauncher, prints the
# test tree and one line per test, writes a JUnit XML report, and closes with "N passed, N failed".
#
#   scripts/dsp-tck.sh fetch                 resolve the jars into the cache (once)
#   scripts/dsp-tck.sh [run] [GROUP] [-- JUNIT ARGS]
#                                            run against DSP_TCK_BASE_URL; GROUP: provider (default: MET,
#                                            CAT, CN, TP: the 34 mandatory provider tests), consumer (CN_C,
#                                            TP_C), all
#   scripts/dsp-tck.sh selftest [GROUP]      run against the TCK's own embedded connector (no CUT needed):
#                                            proves the harness, lists every test
#   scripts/dsp-tck.sh list [GROUP]          the test ids the group selects, without running them
#
# DSP_TCK_ONLY="CN:01-02 TP:03-01" runs just those tests (ids as the TCK prints them, any group). Extra
# JUnit console options go after `--` (they add to the selection, they do not narrow it).
#
# Environment (see docs/interop-tck-notes.md for what each TCK setting means):
#   DSP_TCK_BASE_URL        connector base URL; the TCK reads $DSP_TCK_BASE_URL/.well-known/dspace-version
#   DSP_TCK_PROTOCOL_URL    DSP endpoints' root (catalog/request, negotiations/..., transfers/...);
#                           default $DSP_TCK_BASE_URL/dsp
#   DSP_TCK_AGENT_ID        the connector's participant id (default: renkei)
#   DSP_TCK_AUTHORIZATION   the whole Authorization header value the TCK sends on every request
#                           (e.g. "Bearer eyJ..."); unset: no header
#   DSP_TCK_SEEDS           a .properties file with the seeded per-test ids (CAT_01_01_DATASETID=...,
#                           CN_01_01_OFFERID=..., TP_01_01_AGREEMENTID=..., ...), written by the seeding step
#   DSP_TCK_NEGOTIATION_INITIATE_URL, DSP_TCK_TRANSFER_INITIATE_URL
#                           the connector's "start a negotiation/transfer as consumer" endpoints (CN_C, TP_C
#                           only; the launcher insists on a value, so defaults point under the protocol URL)
#   DSP_TCK_CALLBACK_PORT   port of the TCK's own callback server (default 8083); it binds DSP_TCK_CALLBACK_HOST
#                           (default 127.0.0.1); DSP_TCK_CALLBACK_ADDRESS is what the connector calls back
#                           (default http://127.0.0.1:$DSP_TCK_CALLBACK_PORT)
#   DSP_TCK_CA_FILE         a PEM CA certificate the TCK (Java) trusts for an https connector, say the local CA
#                           of scripts/certs.sh; it becomes the run's PKCS12 trust store (keytool)
#   DSP_TCK_WAIT            seconds the TCK waits for each expected callback or state (default 15)
#   DSP_TCK_DEBUG=1         the TCK's debug log (messages sent and received)
#   DSP_TCK_EXPECTED_FAILURES  a file of known failures (`<test id> <reason>` a line): they print XFAIL and
#                           do not fail the run (infra/dsp-tck/expected-failures.txt, used by test:dsp)
#   DSP_TCK_CACHE           cache folder (default .renkei/dsp-tck); DSP_TCK_REPORTS the report folder
#                           (default $DSP_TCK_CACHE/reports)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pom="$root/infra/dsp-tck/pom.xml"
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$pom" | head -1; }
tck_version="$(prop dsp-tck.version)"
cache="${DSP_TCK_CACHE:-$root/.renkei/dsp-tck}"
libs="$cache/lib-$tck_version-junit$(prop junit.version)-okhttp$(prop okhttp.version)"
reports="${DSP_TCK_REPORTS:-$cache/reports}"
package=org.eclipse.dataspacetck.dsp.verification

log() { printf '[dsp-tck] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return; fi
  command -v java >/dev/null || { log "java not found: install a JDK 17+ (apt-get install -y openjdk-17-jre-headless)"; exit 1; }
  command -v mvn >/dev/null || { log "mvn not found: apt-get install -y maven"; exit 1; }
  log "fetching the Dataspace TCK $tck_version and its dependencies from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  # The console-standalone jar carries the JUnit platform, Jupiter, the suite engine, opentest4j and
  # apiguardian: their separate jars (pulled in by the TCK's poms) would only duplicate them. okhttp 5's
  # plain jar is an empty multiplatform stub; okhttp-jvm (listed in the pom) has the classes.
  (cd "$root/infra/dsp-tck" && mvn -B -q -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
    -DexcludeArtifactIds=junit-jupiter,junit-jupiter-api,junit-jupiter-engine,junit-jupiter-params,junit-platform-commons,junit-platform-engine,junit-platform-launcher,junit-platform-suite-api,junit-platform-suite-engine,opentest4j,apiguardian-api,okhttp \
    -DoutputDirectory="$libs")
  touch "$libs/.complete"
}

# The class name filter for a group (JUnit --include-classname, a regular expression).
classes() {
  case "$1" in
    provider) echo "$package\\.(metadata\\.Metadata|catalog\\.Catalog|cn\\.ContractNegotiationProvider|tp\\.TransferProcessProvider)[0-9]+Test" ;;
    consumer) echo "$package\\.(cn\\.ContractNegotiationConsumer|tp\\.TransferProcessConsumer)[0-9]+Test" ;;
    all) echo "$package\\..*[0-9]+Test" ;;
    *) log "unknown group '$1' (provider, consumer, all)"; exit 2 ;;
  esac
}

# JUnit method selectors for test ids ("CN:01-02 TP_C:03-01 MET:01-01"): the TCK names its methods after
# the id (cn_01_02, tp_c_03_01) in a class per group and number, except MET, whose method is cat_01_01.
selectors() {
  local id group a b class method
  for id in ${1//,/ }; do
    [[ "$id" =~ ^(MET|CAT|CN|CN_C|TP|TP_C):([0-9][0-9])-([0-9][0-9])$ ]] || { log "not a test id: '$id' (e.g. CN:01-02)"; exit 2; }
    group="${BASH_REMATCH[1]}" a="${BASH_REMATCH[2]}" b="${BASH_REMATCH[3]}"
    case "$group" in
      MET) class=metadata.Metadata${a}Test method=cat_${a}_$b ;;
      CAT) class=catalog.Catalog${a}Test method=cat_${a}_$b ;;
      CN) class=cn.ContractNegotiationProvider${a}Test method=cn_${a}_$b ;;
      CN_C) class=cn.ContractNegotiationConsumer${a}Test method=cn_c_${a}_$b ;;
      TP) class=tp.TransferProcessProvider${a}Test method=tp_${a}_$b ;;
      TP_C) class=tp.TransferProcessConsumer${a}Test method=tp_c_${a}_$b ;;
    esac
    echo "--select-method=$package.$class#$method"
  done
}

# Writes the settings file (a classpath resource for --config-resource): fixed settings, then the seeds,
# then what the environment says (a later key wins in a .properties file).
write_config() {
  local mode="$1" file="$2" port="${DSP_TCK_CALLBACK_PORT:-8083}"
  {
    echo "# written by scripts/dsp-tck.sh ($mode); do not edit"
    echo "dataspacetck.launcher=org.eclipse.dataspacetck.dsp.system.DspSystemLauncher"
    echo "dataspacetck.debug=$([ "${DSP_TCK_DEBUG:-0}" = 1 ] && echo true || echo false)"
    echo "dataspacetck.ansi=false"
    echo "dataspacetck.host=${DSP_TCK_CALLBACK_HOST:-127.0.0.1}"
    echo "dataspacetck.port=$port"
    echo "dataspacetck.callback.address=${DSP_TCK_CALLBACK_ADDRESS:-http://127.0.0.1:$port}"
    echo "dataspacetck.dsp.default.wait=${DSP_TCK_WAIT:-15}"
    if [ "$mode" = selftest ]; then
      echo "dataspacetck.dsp.local.connector=true"
      return
    fi
    echo "dataspacetck.dsp.local.connector=false"
    if [ -n "${DSP_TCK_SEEDS:-}" ]; then
      [ -f "$DSP_TCK_SEEDS" ] || { log "DSP_TCK_SEEDS=$DSP_TCK_SEEDS: no such file"; exit 1; }
      # An empty value counts as set: the TCK would then ask for /catalog/datasets/ and the like.
      if grep -qE '^[[:space:]]*[A-Z0-9_]+[[:space:]]*[=:][[:space:]]*$' "$DSP_TCK_SEEDS"; then
        log "DSP_TCK_SEEDS=$DSP_TCK_SEEDS has keys without a value:"
        grep -nE '^[[:space:]]*[A-Z0-9_]+[[:space:]]*[=:][[:space:]]*$' "$DSP_TCK_SEEDS" >&2
        exit 1
      fi
      echo "# seeds from $DSP_TCK_SEEDS"
      cat "$DSP_TCK_SEEDS"
      echo
    fi
    local base="${DSP_TCK_BASE_URL%/}" protocol
    protocol="${DSP_TCK_PROTOCOL_URL:-$base/dsp}"
    protocol="${protocol%/}"
    echo "dataspacetck.dsp.connector.agent.id=${DSP_TCK_AGENT_ID:-renkei}"
    echo "dataspacetck.dsp.connector.http.base.url=$base"
    echo "dataspacetck.dsp.connector.http.url=$protocol"
    echo "dataspacetck.dsp.connector.negotiation.initiate.url=${DSP_TCK_NEGOTIATION_INITIATE_URL:-$protocol/tck/negotiations}"
    echo "dataspacetck.dsp.connector.transfer.initiate.url=${DSP_TCK_TRANSFER_INITIATE_URL:-$protocol/tck/transfers}"
    if [ -n "${DSP_TCK_AUTHORIZATION:-}" ]; then
      # A .properties value: escape backslashes; the header value itself is taken verbatim.
      printf 'dataspacetck.dsp.connector.http.headers.authorization=%s\n' "${DSP_TCK_AUTHORIZATION//\\/\\\\}"
    fi
  } > "$file"
}

run() {
  local mode="$1" group="$2"
  shift 2
  fetch
  command -v node >/dev/null || { log "node not found (it prints the per-test summary)"; exit 1; }
  if [ "$mode" = run ] && [ -z "${DSP_TCK_BASE_URL:-}" ]; then
    log "DSP_TCK_BASE_URL is not set: the base URL of the connector under test (or run: $0 selftest)"
    exit 2
  fi
  local port="${DSP_TCK_CALLBACK_PORT:-8083}"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port (the TCK's callback server) is taken: set DSP_TCK_CALLBACK_PORT"
    exit 1
  fi
  local conf="$cache/run"
  mkdir -p "$conf"
  write_config "$mode" "$conf/dsp-tck.properties"
  rm -rf "$reports" && mkdir -p "$reports"
  local selection=(--select-package="$package" --include-classname="$(classes "$group")")
  if [ -n "${DSP_TCK_ONLY:-}" ]; then
    local chosen
    chosen="$(selectors "$DSP_TCK_ONLY")" || exit 2
    mapfile -t selection <<< "$chosen"
    group="$DSP_TCK_ONLY"
  fi
  local colors=() trust=()
  [ -t 1 ] || colors=(--disable-ansi-colors)
  if [ -n "${DSP_TCK_CA_FILE:-}" ]; then
    # okhttp (the TCK's client) uses the JVM's default trust manager: a store holding only this CA.
    [ -f "$DSP_TCK_CA_FILE" ] || { log "DSP_TCK_CA_FILE=$DSP_TCK_CA_FILE: no such file"; exit 1; }
    command -v keytool >/dev/null || { log "keytool not found (it comes with the JDK/JRE)"; exit 1; }
    rm -f "$conf/trust.p12"
    keytool -importcert -noprompt -storetype PKCS12 -alias renkei-ca -file "$DSP_TCK_CA_FILE" \
      -keystore "$conf/trust.p12" -storepass renkei-tck >/dev/null
    trust=(-Djavax.net.ssl.trustStore="$conf/trust.p12" -Djavax.net.ssl.trustStoreType=PKCS12
      -Djavax.net.ssl.trustStorePassword=renkei-tck)
  fi
  log "$mode: group $group$([ "$mode" = run ] && echo ", connector ${DSP_TCK_BASE_URL}"), settings $conf/dsp-tck.properties, reports $reports"
  local status=0
  java -Xms64m -Xmx512m -XX:+UseSerialGC "${trust[@]}" -cp "$libs/*:$conf" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner "${colors[@]}" --details=tree --include-engine=junit-jupiter \
    --config-resource=dsp-tck.properties \
    "${selection[@]}" --reports-dir="$reports" "$@" || status=$?
  # The report decides: it fails on any failure (or no test at all) not listed in DSP_TCK_EXPECTED_FAILURES.
  local verdict=0
  node "$root/scripts/dsp-tck-report.mjs" "$reports/TEST-junit-jupiter.xml" || verdict=$?
  [ "$status" -eq 0 ] || [ -n "${DSP_TCK_EXPECTED_FAILURES:-}" ] || [ "$verdict" -ne 0 ] || verdict=$status
  return $verdict
}

list() {
  local group="$1"
  fetch
  java -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$libs/*" org.junit.platform.console.ConsoleLauncher discover \
    --disable-banner --disable-ansi-colors --details=flat --include-engine=junit-jupiter \
    --select-package="$package" --include-classname="$(classes "$group")" 2>/dev/null |
    sed -n 's/.*\(\(MET\|CAT\|CN\|CN_C\|TP\|TP_C\):[0-9][0-9]-[0-9][0-9]: .*\) (\[engine:.*$/\1/p' | sort -u
}

cmd="${1:-run}"
case "$cmd" in
  fetch) fetch ;;
  list) list "${2:-provider}" ;;
  run | selftest)
    shift || true
    group=provider
    if [ $# -gt 0 ] && [ "$1" != -- ]; then group="$1" && shift; fi
    [ "${1:-}" = -- ] && shift
    run "$cmd" "$group" "$@"
    ;;
  provider | consumer | all)
    shift
    [ "${1:-}" = -- ] && shift
    run run "$cmd" "$@"
    ;;
  -h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd' (fetch, run, selftest, list, help)"; exit 2 ;;
esac
