# shellcheck shell=bash
# The SASL_SSL variant of the local brokers (KAFKA_SECURITY=sasl_ssl), sourced by scripts/kafka.sh and
# scripts/kafka-cluster.sh; docs/operations.md ("Kafka security") and ADR 0035.
#   kafka_security_mode <state>          checks KAFKA_SECURITY and that <state> was formatted for it
#   kafka_secure_config <state> <props> <port> <cport>   key store, passwords, overlay appended to <props>;
#                                        sets kafka_scram (the format tool's --add-scram arguments)
#   kafka_client_env <state> <brokers> [principal]       the client settings, as shell assignments
# Passwords: one per principal, generated once (0600) into KAFKA_SASL_SECRETS_DIR when set (every broker of
# a run shares them: the CI's shared broker, the reliability tests' private one and the cluster), else
# <state>/sasl. The CA: RENKEI_TLS_DIR (default $RENKEI_STATE_DIR/tls), made by scripts/certs.sh.

# admin is the super user; the services that speak Kafka each log in as themselves (cps-sim and the console
# use the services' HTTP APIs only).
kafka_principals=(admin registry clearing exchange)
kafka_security="${KAFKA_SECURITY:-plaintext}"
kafka_scram=()

kafka_sasl_dir() { echo "${KAFKA_SASL_SECRETS_DIR:-$1/sasl}"; }

kafka_security_mode() {
  local state="$1" formatted
  case "$kafka_security" in plaintext | sasl_ssl) ;; *)
    echo "[kafka] KAFKA_SECURITY must be plaintext or sasl_ssl, not '$kafka_security'" >&2; exit 2 ;;
  esac
  formatted="$(cat "$state/security" 2>/dev/null || echo plaintext)"
  if [ -n "$(find "$state" -name meta.properties -print -quit 2>/dev/null)" ] && [ "$formatted" != "$kafka_security" ]; then
    echo "[kafka] $state was formatted for $formatted, not $kafka_security: reset it first" >&2
    exit 1
  fi
}

kafka_secure_config() {
  local state="$1" props="$2" port="$3" cport="$4" p
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local tls="${RENKEI_TLS_DIR:-${RENKEI_STATE_DIR:-$root/.renkei}/tls}" sasl; sasl="$(kafka_sasl_dir "$state")"
  bash "$root/scripts/certs.sh" "$tls"
  (
    umask 077
    mkdir -p "$sasl"
    cat "$tls/server.key" "$tls/server.crt" > "$state/keystore.pem"
    for p in "${kafka_principals[@]}"; do
      [ -s "$sasl/$p.password" ] || openssl rand -hex 24 > "$sasl/$p.password"
    done
    sed -e "s#@STATE@#$state#g" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" \
      -e "s#@ADMIN_PASSWORD@#$(cat "$sasl/admin.password")#g" \
      "$root/infra/kafka/sasl-ssl.properties" >> "$props"
  )
  chmod 600 "$props"
  cp "$tls/ca.crt" "$state/ca.crt" && chmod 644 "$state/ca.crt"
  kafka_scram=()
  for p in "${kafka_principals[@]}"; do
    kafka_scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(cat "$sasl/$p.password")]")
  done
}

kafka_client_env() {
  local state="$1" brokers="$2" p="${3:-admin}" sasl; sasl="$(kafka_sasl_dir "$state")"
  if [ "$(cat "$state/security" 2>/dev/null)" != sasl_ssl ] || [ ! -f "$sasl/$p.password" ]; then
    echo "[kafka] no credentials for '$p' in $sasl (start with KAFKA_SECURITY=sasl_ssl first)" >&2; exit 1
  fi
  printf 'KAFKA_BROKERS=%s\nKAFKA_SSL=true\nKAFKA_SSL_CA_FILE=%s\nKAFKA_SASL_MECHANISM=scram-sha-512\nKAFKA_SASL_USERNAME=%s\nKAFKA_SASL_PASSWORD_FILE=%s\n' \
    "$brokers" "$state/ca.crt" "$p" "$sasl/$p.password"
}
