#!/usr/bin/env bash
# A local certificate authority and one server certificate signed by it, for loopback TLS in the tests, CI
# and the demo: the services' HTTPS, PostgreSQL's TLS and the Kafka brokers' SSL listeners (ADR 0034).
#   scripts/certs.sh [dir]        (dir: $RENKEI_STATE_DIR/tls, by default .renkei/tls, which git ignores)
# Writes, PEM: ca.crt and ca.key (the CA, EC P-256, 10 years), server.crt and server.key (the leaf, SANs
# localhost, 127.0.0.1 and ::1, server and client auth, 825 days; an unencrypted PKCS#8 key, which Kafka's
# PEM key store reads too). Keys are 0600.
# Idempotent and quick: what exists and is valid is kept, so everything that trusts ca.crt keeps working
# across runs. The leaf is issued again when it is missing, expires within 30 days, or is not signed by
# ca.crt (a new CA). Never for production: there, certificates come from the operator's own CA.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${RENKEI_STATE_DIR:-$root/.renkei}/tls}"
log() { printf '[certs] %s\n' "$*" >&2; }
command -v openssl >/dev/null || { log "openssl not found: apt-get install -y openssl"; exit 1; }
mkdir -p "$dir"
umask 077

if [ ! -s "$dir/ca.crt" ] || [ ! -s "$dir/ca.key" ] || ! openssl x509 -checkend 2592000 -noout -in "$dir/ca.crt" >/dev/null 2>&1; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=Renkei/CN=Renkei local CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key.new" -out "$dir/ca.crt.new" 2>/dev/null
  mv "$dir/ca.key.new" "$dir/ca.key"
  mv "$dir/ca.crt.new" "$dir/ca.crt"
  rm -f "$dir/server.crt" # a new CA: the leaf is issued again
  log "new local CA in $dir/ca.crt"
fi

leaf_ok() {
  [ -s "$dir/server.crt" ] && [ -s "$dir/server.key" ] &&
    openssl x509 -checkend 2592000 -noout -in "$dir/server.crt" >/dev/null 2>&1 &&
    openssl verify -CAfile "$dir/ca.crt" "$dir/server.crt" >/dev/null 2>&1
}
if ! leaf_ok; then
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Renkei/CN=localhost" \
    -keyout "$dir/server.key.ec" -out "$dir/server.csr" 2>/dev/null
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 825 -out "$dir/server.crt.new" 2>/dev/null \
    -extfile <(printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth,clientAuth")
  openssl pkcs8 -topk8 -nocrypt -in "$dir/server.key.ec" -out "$dir/server.key.new"
  mv "$dir/server.key.new" "$dir/server.key"
  mv "$dir/server.crt.new" "$dir/server.crt"
  rm -f "$dir/server.csr" "$dir/server.key.ec"
  log "server certificate for localhost, 127.0.0.1 and ::1 in $dir/server.crt"
fi
chmod 600 "$dir/ca.key" "$dir/server.key"
chmod 644 "$dir/ca.crt" "$dir/server.crt"
