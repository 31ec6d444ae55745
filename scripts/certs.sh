#!/usr/bin/env bash
# A local certificate authority and one server certificate signed by it, for loopback TLS in tests and the
# demo (Kafka's SASL_SSL listener, and the services' HTTPS and PostgreSQL once configured). Idempotent:
# what exists is kept, so every client that trusts ca.crt keeps working across runs.
#   scripts/certs.sh [dir]        (dir: .renkei/tls)
# Writes, PEM: ca.crt, ca.key (the CA), server.crt, server.key (SANs localhost, 127.0.0.1, ::1; unencrypted
# PKCS#8 key, which Kafka's PEM key store reads). Keys are 0600. Never for production: bring your own CA there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${RENKEI_STATE_DIR:-$root/.renkei}/tls}"
command -v openssl >/dev/null || { echo "[certs] openssl not found: apt-get install -y openssl" >&2; exit 1; }
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=Renkei local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  rm -f "$dir/server.crt" # a new CA: the leaf is signed again
  echo "[certs] new local CA in $dir/ca.crt" >&2
fi
if [ ! -f "$dir/server.crt" ] || [ ! -f "$dir/server.key" ]; then
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile <(printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
      "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth") -out "$dir/server.crt" 2>/dev/null
  # Kafka's PEM key store wants PKCS#8.
  openssl pkcs8 -topk8 -nocrypt -in "$dir/server.key" -out "$dir/server.key.p8" && mv "$dir/server.key.p8" "$dir/server.key"
  rm -f "$dir/server.csr" "$dir/ca.srl"
  echo "[certs] server certificate for localhost, 127.0.0.1, ::1 in $dir/server.crt" >&2
fi
chmod 600 "$dir/ca.key" "$dir/server.key"
chmod 644 "$dir/ca.crt" "$dir/server.crt"
