#!/usr/bin/env bash
# Makes a private test CA and one certificate per node for Dash's mutual TLS (dash.cluster.tls in hocon/cluster.conf).
#   scripts/make-test-ca.sh <out-dir> <node-name>...            CA (ca.crt, ca.key) + <node-name>.pfx for each node
#   scripts/make-test-ca.sh --self-signed <out-dir> <name>      a certificate signed by nobody (nodes must refuse it)
# The .pfx files are protected with $DASH_TLS_PASSWORD (default "dash-test"); give each node
#   --set cluster.tls.enabled=on --set cluster.tls.certificate=<dir>/<node>.pfx --set cluster.tls.ca=<dir>/ca.crt
# For production use your organisation's CA and keep ca.key offline; these certificates last 30 days.
set -euo pipefail

self_signed=0
if [[ "${1:-}" == "--self-signed" ]]; then self_signed=1; shift; fi
out=${1:?usage: make-test-ca.sh [--self-signed] <out-dir> <node-name>...}
shift
[[ $# -gt 0 ]] || { echo "make-test-ca.sh: name at least one node" >&2; exit 2; }
command -v openssl >/dev/null || { echo "make-test-ca.sh: openssl is required (apt-get install -y openssl)" >&2; exit 2; }
pass=${DASH_TLS_PASSWORD:-dash-test}
mkdir -p "$out"
cd "$out"

ext() {
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\n' "$1"
}

if [[ $self_signed == 1 ]]; then
  for node in "$@"; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$node.key" -out "$node.crt" -days 30 -subj "/CN=$node" \
      -addext "subjectAltName=DNS:$node,IP:127.0.0.1" -addext "extendedKeyUsage=serverAuth,clientAuth" 2>/dev/null
    openssl pkcs12 -export -in "$node.crt" -inkey "$node.key" -out "$node.pfx" -passout "pass:$pass"
    rm -f "$node.key"
  done
  exit 0
fi

if [[ ! -f ca.crt ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=Dash test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
for node in "$@"; do
  openssl req -newkey rsa:2048 -nodes -keyout "$node.key" -out "$node.csr" -subj "/CN=$node" 2>/dev/null
  openssl x509 -req -in "$node.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$node.crt" -days 30 -extfile <(ext "$node") 2>/dev/null
  openssl pkcs12 -export -in "$node.crt" -inkey "$node.key" -out "$node.pfx" -passout "pass:$pass"
  rm -f "$node.key" "$node.csr"
done
echo "make-test-ca.sh: CA $out/ca.crt; node certificates: $(printf '%s.pfx ' "$@")"
