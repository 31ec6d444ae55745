#!/usr/bin/env bash
# Checks the Helm chart (infra/helm/renkei) offline: `helm lint` (strict) and `helm template` with the
# default values, the production example (values-production.yaml) and external Kafka and PostgreSQL
# (ci/external-values.yaml), then validates every rendered
# manifest against the Kubernetes OpenAPI schemas of the oldest and the newest Kubernetes the chart
# supports, strictly (unknown fields are errors), with the PyPI package kubernetes-validate (its schemas
# ship with it: nothing is fetched while validating). Then, where promtool is installed, the Prometheus
# configuration and alerting rules (infra/prometheus) and the rules' unit tests.
#   scripts/helm-check.sh            lint, render, validate (builds helm once: scripts/helm.sh)
#   scripts/helm-check.sh install    only installs the tools (helm, the validator's venv) and prints nothing else
# Settings:
#   HELM_BIN                         a helm binary to use as is (else scripts/helm.sh builds and caches one)
#   KUBERNETES_VALIDATE_VERSION      the PyPI release (1.37.0)
#   HELM_CHECK_KUBE_VERSIONS         Kubernetes versions to validate against ("1.29.0 1.37.0")
#   HELM_CRD_DIR                     a folder of the operators' CustomResourceDefinitions (Strimzi, CloudNativePG,
#                                    cert-manager, prometheus-operator YAML from their releases): the custom
#                                    resources are then validated against them too; without it they are listed
#                                    as skipped (the CRDs ship with the operators, not with a package registry)
#   RENKEI_CACHE                     where the tools are kept (~/.cache/renkei)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[helm-check] %s\n' "$*" >&2; }

chart=infra/helm/renkei
kv_version="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
venv="${RENKEI_CACHE:-$HOME/.cache/renkei}/venv-kubernetes-validate"
kube_versions="${HELM_CHECK_KUBE_VERSIONS:-1.29.0 1.37.0}"

install_validator() {
  if [[ -x "$venv/bin/python" ]] &&
    [[ "$("$venv/bin/python" -c 'import kubernetes_validate; print(kubernetes_validate.__version__)' 2>/dev/null)" == "$kv_version" ]]; then
    return
  fi
  command -v python3 >/dev/null || {
    log "python3 (>= 3.9, with venv) is needed"
    exit 1
  }
  log "installing kubernetes-validate==$kv_version into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$kv_version" >&2
}

helm="$(scripts/helm.sh)"
install_validator
[[ "${1:-}" != install ]] || exit 0

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0

log "helm $("$helm" version --short) lint --strict (default, production and external values)"
"$helm" lint --strict "$chart" || status=1
"$helm" lint --strict "$chart" -f "$chart/values-production.yaml" || status=1
"$helm" lint --strict "$chart" -f "$chart/ci/external-values.yaml" || status=1

# default values; the production example; Kafka and PostgreSQL run elsewhere (ci/external-values.yaml).
for variant in default production external; do
  args=()
  [[ $variant != production ]] || args=(-f "$chart/values-production.yaml")
  [[ $variant != external ]] || args=(-f "$chart/ci/external-values.yaml")
  # A fixed release name and namespace: the output is the same on every machine.
  if ! "$helm" template renkei "$chart" --namespace renkei "${args[@]}" >"$out/$variant.yaml"; then
    log "helm template ($variant values) failed"
    status=1
    continue
  fi
  for kube in $kube_versions; do
    log "validating the $variant rendering against Kubernetes $kube"
    PYTHONUNBUFFERED=1 "$venv/bin/python" scripts/k8s-validate.py --kubernetes-version "$kube" ${HELM_CRD_DIR:+--crd-dir "$HELM_CRD_DIR"} \
      "$out/$variant.yaml" || status=1
  done
done

# Values the chart must refuse, each for its own reason: the schema (values.schema.json) catches a typo'd
# key, a wrong type, an out-of-range count; the templates catch rules across values and missing secrets.
refuse() { # <expected message> <helm template args...>
  local expected="$1" err
  shift
  if err="$("$helm" template renkei "$chart" "$@" 2>&1 >/dev/null)"; then
    log "accepted: $* (expected: $expected)"
    status=1
  elif [[ "$err" != *"$expected"* ]]; then
    log "refused $*, but not because of \"$expected\": $err"
    status=1
  fi
}
refuse "additional properties 'replica' not allowed" --set services.exchange.replica=2
refuse "got string, want integer" --set services.clearing.replicas=two
refuse "minimum: got 0, want 1" --set kafka.minInsyncReplicas=0
refuse "exceeds kafka.replicationFactor" --set kafka.minInsyncReplicas=3 --set kafka.replicationFactor=2
refuse "appSecrets.values.KEY_ENCRYPTION_KEY" --set appSecrets.create=true
refuse "kafka.external.bootstrapServers is needed" --set kafka.enabled=false
refuse "set postgresql.roleSecrets.renkei_registry" -f "$chart/ci/external-values.yaml" --set postgresql.roleSecrets.renkei_registry=

# The alerting rules the runbook (docs/operations.md) explains: syntax, and their unit tests.
if command -v promtool >/dev/null; then
  log "alerting rules: promtool check rules, promtool test rules"
  promtool check rules infra/prometheus/alerts.yml >&2 || status=1
  promtool check config infra/prometheus/prometheus.yml >&2 || status=1
  (cd infra/prometheus && promtool test rules alerts.test.yml >&2) || status=1
else
  log "alerting rules NOT checked: promtool not found (Debian: apt-get install -y prometheus; .ci/run does)"
fi

[[ $status -eq 0 ]] && log "chart and alerting rules OK" || log "chart check FAILED"
exit $status
