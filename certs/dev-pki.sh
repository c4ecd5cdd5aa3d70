#!/usr/bin/env bash
# Development PKI for the Volunteer Records Service (NOT for production). Usage:
#   certs/dev-pki.sh [DIR]                   create whatever is missing under DIR (default: certs/dev)
#   certs/dev-pki.sh client NAME URI [DIR]   add NAME.crt/NAME.key: a client cert for URI, signed by the dev CA
# Never overwrites: an existing file is kept, a missing piece is created alone (signed by the
# existing CA), and a re-run with nothing missing changes nothing. EC P-256, SHA-256, 825 days.
#
# DIR contents:
#   ca.crt/key        "Volunteer Records Dev CA": signs the server and client certs; the server
#                     trusts it as the partner CA
#   server.crt/key    CN=localhost, SAN DNS:localhost IP:127.0.0.1 IP:::1, EKU serverAuth
#   admin.crt/key     spiffe://volunteer/admin/bootstrap       (CN "bootstrap admin")  EKU clientAuth
#   partner.crt/key   spiffe://volunteer/partner/dev-partner   (CN dev-partner)        EKU clientAuth
#   auditor.crt/key   spiffe://volunteer/auditor/dev-auditor   (CN dev-auditor)        EKU clientAuth
#   other-ca.crt/key  an unrelated CA, and stranger.crt/key, a client cert it signed
#                     (spiffe://volunteer/partner/stranger): for tests that must be refused
set -euo pipefail

DAYS=825
repo_root=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,6s/^# \{0,1\}//p' "$0"; }
die() { echo "dev-pki: $*" >&2; exit 1; }

command -v openssl >/dev/null || die "openssl not found"

mode=all
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  client)
    [[ $# -ge 3 && $# -le 4 ]] || { usage >&2; exit 2; }
    mode=client; client_name=$2; client_uri=$3; dir=${4:-$repo_root/certs/dev}
    [[ $client_name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] \
      || die "client NAME must match [A-Za-z0-9][A-Za-z0-9._-]*: '$client_name'"
    case "$client_name" in ca|other-ca|server) die "'$client_name' is reserved" ;; esac
    # A comma or whitespace would break the extension syntax; require scheme://...
    [[ $client_uri =~ ^[a-z][a-z0-9+.-]*://[^[:space:],]+$ ]] \
      || die "URI must look like spiffe://volunteer/partner/NAME: '$client_uri'"
    ;;
  *)
    [[ $# -le 1 ]] || { usage >&2; exit 2; }
    dir=${1:-$repo_root/certs/dev}
    ;;
esac

[[ $mode == all || -d $dir ]] || die "no directory $dir: run $0 ${4:-} first"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
umask 077
# Scratch dir for csr, ext, cnf and fresh files: made only when something is created (so a no-op
# run leaves DIR untouched), inside DIR so that placing a file is a rename; removed on exit.
tmp=""
trap '[[ -z $tmp ]] || rm -rf "$tmp"' EXIT
mk_tmp() { [[ -n $tmp ]] || tmp=$(mktemp -d "$dir/.dev-pki.XXXXXX"); }

problems=0
problem() { echo "dev-pki: $*" >&2; problems=$((problems + 1)); }

# Moves a freshly made file into place without ever replacing an existing one.
place() { # FILE MODE
  local name; name=$(basename "$1")
  chmod "$2" "$1"
  mv -n "$1" "$dir/$name"
  [[ ! -e $1 ]] || die "$dir/$name appeared while running; left it alone"
}

new_key() { # PATH
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

serial() { echo "0x$(openssl rand -hex 16)"; }

# ensure_ca NAME CN
ensure_ca() {
  local name=$1 cn=$2 crt="$dir/$1.crt" key="$dir/$1.key"
  if [[ -e $crt && -e $key ]]; then echo "exists:  $name.crt, $name.key"; return; fi
  if [[ -e $crt ]]; then problem "$name.crt exists without $name.key: cannot sign with it (remove $name.crt to start over)"; return; fi
  if [[ -e $key ]]; then problem "$name.key exists without $name.crt: remove $name.key to start over"; return; fi
  mk_tmp
  cat > "$tmp/$name.cnf" <<EOF
[req]
distinguished_name = dn
x509_extensions = v3_ca
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  new_key "$tmp/$name.key"
  openssl req -config "$tmp/$name.cnf" -x509 -new -key "$tmp/$name.key" -sha256 -days "$DAYS" \
    -set_serial "$(serial)" -subj "/CN=$cn" -out "$tmp/$name.crt"
  place "$tmp/$name.key" 600
  place "$tmp/$name.crt" 644
  echo "created: $name.crt, $name.key  (CN=$cn)"
}

# ensure_leaf NAME CA_NAME server|client CN [URI]
ensure_leaf() {
  local name=$1 ca=$2 kind=$3 cn=$4 uri=${5:-} crt="$dir/$1.crt" key="$dir/$1.key"
  if [[ -e $crt && -e $key ]]; then
    if openssl verify -CAfile "$dir/$ca.crt" "$crt" >/dev/null 2>&1; then
      echo "exists:  $name.crt, $name.key"
    else
      echo "exists:  $name.crt, $name.key  (WARNING: does not verify against $ca.crt)" >&2
    fi
    return
  fi
  if [[ -e $crt ]]; then problem "$name.crt exists without $name.key: remove $name.crt to reissue"; return; fi
  if [[ ! -e $dir/$ca.crt || ! -e $dir/$ca.key ]]; then problem "cannot issue $name.crt: $ca.crt/$ca.key missing"; return; fi
  mk_tmp
  {
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
    if [[ $kind == server ]]; then
      echo "extendedKeyUsage = serverAuth"
      echo "subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1"
    else
      echo "extendedKeyUsage = clientAuth"
      echo "subjectAltName = URI:$uri"
    fi
  } > "$tmp/$name.ext"
  local keyfile=$key reused=" (existing key)"
  if [[ ! -e $key ]]; then keyfile="$tmp/$name.key"; reused=""; new_key "$keyfile"; fi
  openssl req -new -config /dev/null -key "$keyfile" -subj "/CN=$cn" -out "$tmp/$name.csr"
  openssl x509 -req -in "$tmp/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
    -set_serial "$(serial)" -days "$DAYS" -sha256 -extfile "$tmp/$name.ext" \
    -out "$tmp/$name.crt" 2>/dev/null
  [[ $keyfile == "$key" ]] || place "$keyfile" 600
  place "$tmp/$name.crt" 644
  echo "created: $name.crt, $name.key$reused  (CN=$cn${uri:+, URI $uri}, signed by $ca)"
}

echo "dev PKI in $dir"
if [[ $mode == client ]]; then
  [[ -e $dir/ca.crt && -e $dir/ca.key ]] || die "no dev CA in $dir: run $0 ${dir} first"
  ensure_leaf "$client_name" ca client "$client_name" "$client_uri"
  if ! openssl x509 -in "$dir/$client_name.crt" -noout -ext subjectAltName 2>/dev/null \
      | grep -qxF "    URI:$client_uri"; then
    echo "WARNING: the existing $client_name.crt does not carry URI $client_uri (left unchanged)" >&2
  fi
else
  # A new CA would orphan certificates that an earlier CA signed: refuse instead.
  if [[ ! -e $dir/ca.crt && ! -e $dir/ca.key ]]; then
    for f in server admin partner auditor; do
      [[ ! -e $dir/$f.crt ]] || die "ca.crt/ca.key missing but $f.crt exists: remove the old certificates first"
    done
  fi
  if [[ ! -e $dir/other-ca.crt && ! -e $dir/other-ca.key && -e $dir/stranger.crt ]]; then
    die "other-ca.crt/other-ca.key missing but stranger.crt exists: remove it first"
  fi
  ensure_ca   ca       "Volunteer Records Dev CA"
  ensure_leaf server   ca       server "localhost"
  ensure_leaf admin    ca       client "bootstrap admin" "spiffe://volunteer/admin/bootstrap"
  ensure_leaf partner  ca       client "dev-partner"     "spiffe://volunteer/partner/dev-partner"
  ensure_leaf auditor  ca       client "dev-auditor"     "spiffe://volunteer/auditor/dev-auditor"
  ensure_ca   other-ca "Volunteer Records Unrelated Dev CA (untrusted)"
  ensure_leaf stranger other-ca client "stranger"        "spiffe://volunteer/partner/stranger"
fi

[[ $problems -eq 0 ]] || die "$problems problem(s); nothing was overwritten"
