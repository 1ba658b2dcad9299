#!/bin/sh
# tls-certs.sh DIR: makes the certificates the TLS tests use, with the
# openssl command, into DIR (created if missing). Keys are EC P-256, so the
# whole set takes well under a second.
#
#   ca.pem             test root CA (what clients are told to trust)
#   inter.pem          intermediate CA, signed by the root
#   server.pem/.key    localhost, 127.0.0.1 and ::1, signed by the
#                      intermediate; server.pem holds leaf + intermediate
#                      (a chain, as real deployments serve)
#   other.pem/.key     a second valid certificate for the same names (a
#                      certificate that "changed")
#   expired.pem/.key   the same names, signed by the root, expired in 2020
#   wronghost.pem/.key valid, signed by the root, for wrong.example and
#                      192.0.2.1 only
#   selfsigned.pem/.key self-signed for localhost and 127.0.0.1
#   combined.pem       server.pem and its key in one file
#
# Environment: OPENSSL names the openssl command (default: openssl).
# Exits 0, or 1 with a message on stderr.
set -eu

dir=${1:?usage: tls-certs.sh DIR}
openssl=${OPENSSL:-openssl}
command -v "$openssl" >/dev/null 2>&1 || {
    echo "tls-certs.sh: '$openssl' not found (install the openssl package)" >&2
    exit 1
}
mkdir -p "$dir"
cd "$dir"

quiet() { "$@" >/dev/null 2>openssl.err || { cat openssl.err >&2; exit 1; }; }

key() { quiet "$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# Extensions, one section per kind of certificate.
cat > ext.cnf <<'EOF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[wronghost]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example, IP:192.0.2.1
EOF

# Root and intermediate CAs.
key ca.key
quiet "$openssl" req -x509 -new -key ca.key -subj "/O=ferry tests/CN=ferry test root CA" \
    -days 3650 -sha256 -out ca.pem -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
key inter.key
quiet "$openssl" req -new -key inter.key -subj "/O=ferry tests/CN=ferry test intermediate CA" -out inter.csr
quiet "$openssl" x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 3650 -sha256 -extfile ext.cnf -extensions ca -out inter.pem

# sign NAME CN ISSUER SECTION: a leaf certificate valid for a year.
sign() {
    key "$1.key"
    quiet "$openssl" req -new -key "$1.key" -subj "/O=ferry tests/CN=$2" -out "$1.csr"
    quiet "$openssl" x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
        -days 365 -sha256 -extfile ext.cnf -extensions "$4" -out "$1.pem"
}
sign server localhost inter server
cat inter.pem >> server.pem
sign other localhost inter server
cat inter.pem >> other.pem
sign wronghost wrong.example ca wronghost
cat server.pem server.key > combined.pem

# Expired: x509 -req cannot date a certificate in the past, `openssl ca` can.
key expired.key
quiet "$openssl" req -new -key expired.key -subj "/O=ferry tests/CN=localhost" -out expired.csr
mkdir -p cadb
: > cadb/index.txt
echo 1000 > cadb/serial
cat > ca.cnf <<'EOF'
[ca]
default_ca = test
[test]
dir = cadb
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = server
[any]
organizationName = optional
commonName = supplied
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
EOF
quiet "$openssl" ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
    -startdate 20200101000000Z -enddate 20200201000000Z -notext -out expired.pem

# Self-signed.
key selfsigned.key
quiet "$openssl" req -x509 -new -key selfsigned.key -subj "/O=ferry tests/CN=localhost" \
    -days 365 -sha256 -out selfsigned.pem \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"

rm -rf cadb ./*.csr ./*.srl ext.cnf ca.cnf openssl.err
chmod 600 ./*.key combined.pem
